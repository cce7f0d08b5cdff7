"""What every kind of check shares: the budget, the runner type, the error."""

from __future__ import annotations

import copy
from collections.abc import Callable

Runner = Callable[[dict], list[dict]]

DEFAULT_BUDGET = {"max_schedules": 5_000, "timeout_ms": 20_000}
# What a fix is: every outcome completes (no deadlock, failure, broken invariant or
# timeout) and meets each goal key; what each break goal key asks of a run.
FINAL_OK = "completed"


class CheckError(ValueError):
    """The check cannot be made as asked (a missing spec, run or answer); `errors` as in SpecError."""

    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{e['path']}: {e['message']}" for e in errors))


def sandboxed(spec: dict) -> list[dict]:
    """Run a validated spec in the sandbox child and return its events."""
    from ..sandbox import run_sandboxed

    return run_sandboxed(spec)


def find_challenge(spec: dict, challenge_id: str) -> dict | None:
    return next((ch for ch in spec.get("challenges") or [] if ch["id"] == challenge_id), None)


def starting_spec(spec: dict, challenge: dict) -> dict:
    """The scenario a challenge starts from: the lesson's, or for a fix with `start`
    the broken variant the learner is asked to repair."""
    out = copy.deepcopy(spec)
    start = challenge.get("start")
    if not start:
        return out
    for node in out["nodes"]:
        if node["id"] == start["node"]:
            if start.get("setup") is not None:
                node["setup"] = start["setup"]
            for thread in node["threads"]:
                if thread["name"] in (start.get("threads") or {}):
                    thread["code"] = start["threads"][thread["name"]]
    return out
