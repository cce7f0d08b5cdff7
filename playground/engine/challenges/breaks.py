"""A break: the learner's own finished run, read off its events."""

from __future__ import annotations

import json
from typing import Any

from ..spec import same_value
from .common import FINAL_OK
from .conditions import became_true
from .outcomes import _answer, _outcome_fields

# -- break ---------------------------------------------------------------------------

CODE_FIELDS = ("shared", "resources", "setup", "threads")


def same_code(a: dict, b: dict) -> bool:
    """The same nodes with the same memory, resources and code (faults, links and run
    settings may differ: choosing faults is a way to break a lesson)."""
    def code(spec: dict) -> list:
        return [[n["id"], *[n.get(f) for f in CODE_FIELDS]] for n in spec["nodes"]]
    return same_value(code(a), code(b))


def check_break(spec: dict, challenge: dict, events: list[dict], *, run_spec: dict | None = None) -> dict:
    end = events[-1]
    covered_text = "your run"
    nothing = {"explored": 1, "exhaustive": False}
    if end.get("kind") != "run.finished":
        return _answer(False, "The run has not finished yet.", nothing, covered_text=covered_text)
    if run_spec is not None and not challenge.get("edit") and not same_code(spec, run_spec):
        return _answer(False, "This run is of changed code. Break the lesson's own code: step the threads "
                              "(or choose faults) until it goes wrong.", nothing, covered_text=covered_text)
    if (end.get("mode") or _mode(events)) == "explore":
        return _answer(False, "This is an exploration; break it in a run of your own (step, or free runs).",
                       nothing, covered_text=covered_text)
    goal = challenge.get("goal") or {}
    verdict = end.get("verdict") or _fallback_verdict(events)
    missing = [why for key, value in goal.items()
               if (why := _break_miss(key, value, events, end, verdict, run_spec or spec))]
    witness = {"schedule": end.get("schedule") or [], "outcome": _outcome_fields(end), "verdict": verdict}
    said = verdict.get("title") or verdict.get("kind") or end.get("status")
    if missing:
        return _answer(False, f"Not broken yet: {missing[0]} (this run: {said}).", nothing,
                       covered_text=covered_text, witness=witness)
    return _answer(True, f"Broken! {_told(said, verdict.get('text'))}", nothing,
                   covered_text=covered_text, witness=witness)


def _told(title: str, text: str | None) -> str:
    """"Lost update: P2's write…", not "Lost update: lost update: P2's write…" (a verdict's
    text may already begin with its title, to read well on its own)."""
    if not text:
        return f"{title}."
    if text.lower().startswith(f"{title.lower()}:"):
        return text[0].upper() + text[1:]
    return f"{title}: {text}"


def _mode(events: list[dict]) -> str | None:
    start = next((e for e in events if e["kind"] == "run.started"), {})
    return start.get("mode")


def _fallback_verdict(events: list[dict]) -> dict:
    """The verdict a run without one (an older trace) can be given from its status."""
    end = events[-1]
    status = end.get("status")
    kind = status
    if status == "deadlock":
        lock = next((e for e in events if e["kind"] == "deadlock"), {})
        kind = "deadlock-cycle" if lock.get("reason", "cycle") == "cycle" and len(lock.get("cycle") or []) > 1 \
            else "stuck"
    return {"kind": kind, "ok": status == FINAL_OK, "title": kind}


def _break_miss(key: str, value: Any, events: list[dict], end: dict, verdict: dict, spec: dict) -> str | None:
    wanted = value if isinstance(value, list) else [value]
    if key == "verdict" and verdict.get("kind") not in wanted:
        return f"the verdict should be {' or '.join(wanted)}"
    if key == "status" and end.get("status") not in wanted:
        return f"the run should end {' or '.join(wanted)}"
    if key == "event" and not any(_matches(e, value) for e in events):
        return f"no {value['kind']} event" + (" like " + json.dumps({k: v for k, v in value.items() if k != "kind"})
                                              if len(value) > 1 else "")
    if key == "output" and not any(value in str(e.get("text", "")) for e in events if e["kind"] == "output"):
        return f"nothing printed {value!r}"
    if key == "condition" and not became_true(value, events, spec):
        return f"{value} never became true"
    return None


def _matches(event: dict, pattern: dict) -> bool:
    return all(k in event and same_value(event[k], v) for k, v in pattern.items())
