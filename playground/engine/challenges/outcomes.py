"""Outcomes of an exploration in words, and the answer every check returns."""

from __future__ import annotations

import json

from ..spec import same_value
from .common import FINAL_OK

# -- outcomes ------------------------------------------------------------------------

def describe(outcome: dict) -> str:
    """`balance = 3 · P1: 3 · P2: 3 · deadlock`: an outcome in one line, as the page shows it."""
    parts = [f"{name} = {json.dumps(value)}" for node in (outcome.get("shared") or {}).values()
             for name, value in node.items()]
    for thread, lines in (outcome.get("outputs") or {}).items():
        if lines:
            parts.append(f"{thread.split('/')[-1]}: {' / '.join(map(str, lines))}")
    if outcome.get("status") not in (None, FINAL_OK):
        parts.append(outcome["status"])
    return " · ".join(parts) or "(nothing printed, nothing shared)"


def covered(result: dict) -> str:
    n = result.get("explored", 0)
    if result.get("exhaustive"):
        return f"exhaustive: all {n} schedule{'s' * (n != 1)}, equivalent orders merged"
    why = {"max_schedules": "the budget of schedules", "timeout": "the time limit",
           "cancelled": "cancelling"}.get(result.get("stopped_by") or "", "the budget")
    return f"not exhaustive: {n} schedules, depth-first, stopped by {why}"


def _explore_result(events: list[dict]) -> tuple[dict | None, dict]:
    result = next((e for e in events if e["kind"] == "explore.result"), None)
    return result, events[-1] if events else {}


def _lines(outcome: dict) -> list[str]:
    return [str(line) for lines in (outcome.get("outputs") or {}).values() for line in lines]


def _serial_shared(result: dict) -> list[dict]:
    """The serial outcomes' final shared memory: the explorer's list when it reports one,
    otherwise the outcomes it found and marked serial."""
    listed = result.get("serial_outcomes")
    outcomes = listed if isinstance(listed, list) else [o for o in result["outcomes"] if o.get("serial")]
    found: list[dict] = []
    for o in outcomes:
        if not any(same_value(o.get("shared"), f) for f in found):
            found.append(o.get("shared"))
    return found


def _outcome_fields(outcome: dict) -> dict:
    return {k: outcome[k] for k in ("status", "shared", "outputs", "serial", "violation", "deadlock")
            if k in outcome}


def _answer(passed: bool, message: str, result: dict, *, covered_text: str, witness: dict | None = None,
            extra: dict | None = None) -> dict:
    out = {"passed": passed, "message": message, "explored": result.get("explored", 0),
           "exhaustive": bool(result.get("exhaustive")), "covered": covered_text}
    if witness is not None:
        out["witness"] = witness
    out.update(extra or {})
    return out
