"""A fix: the edited scenario explored; the shortest failing witness, or pass; `keeps`."""

from __future__ import annotations

import copy
import json
from typing import Any

from ..spec import SpecError, same_value, validate
from .common import FINAL_OK, CheckError, Runner
from .outcomes import _answer, _explore_result, _lines, _outcome_fields, _serial_shared, covered, describe

WITNESS_TIMEOUT_MS = 2_000  # a livelock's witness replayed: how long it shows the threads going round

# -- fix -----------------------------------------------------------------------------

def _fix_problems(outcome: dict, goal: dict) -> list[str]:
    """Why this outcome shows the fix is not done ([] if it is fine)."""
    status = outcome.get("status")
    allowed = goal.get("status")
    allowed = allowed if isinstance(allowed, list) else [allowed or FINAL_OK]
    problems = []
    broken = (outcome.get("violation") or {}).get("invariant")
    never = {watch(expr): expr for expr in _nevers(goal)}
    if status == "violated" and broken in never:
        problems.append(f"{never[broken]} happens")
    elif status == "deadlock" and goal.get("no_deadlock"):
        problems.append("the threads can still get stuck (deadlock)")
    elif status not in allowed:
        what = {"deadlock": "the threads can get stuck (deadlock)", "failed": "a thread fails",
                "violated": f"the invariant {(outcome.get('violation') or {}).get('invariant')} breaks",
                "timeout": "the run does not end (in time, or ever: a livelock)"}.get(status, f"it ends {status}")
        problems.append(what)
    if goal.get("serial") and status == FINAL_OK:
        if "serial" not in outcome:
            raise CheckError([{"path": "challenge", "message": "this engine does not mark serial outcomes"}])
        if not outcome["serial"]:
            problems.append("the outcome is not one that running the threads one after another can give")
    return problems


def _nevers(goal: dict) -> list[str]:
    never = goal.get("never")
    return never if isinstance(never, list) else [never] if never else []


def watch(expr: str) -> str:
    """The invariant that watches for a `never` condition."""
    return f"not ({expr})"


def prepared(edited: dict, original: dict, challenge: dict, budget: dict) -> dict:
    """The edited scenario as the explorer runs it: the lesson's invariants and the goal's
    `never` conditions watched after every step, within the budget."""
    spec = copy.deepcopy(edited)
    watched: list[str] = []  # the goal's first: a broken goal is reported in its own words
    for expr in ([watch(e) for e in _nevers(challenge.get("goal") or {})] + list(original.get("invariants") or [])
                 + list(spec.get("invariants") or [])):
        if expr not in watched:
            watched.append(expr)
    spec["invariants"] = watched
    spec["challenges"] = []
    spec["run"] = {**spec["run"], "mode": "explore", "max_schedules": budget["max_schedules"],
                   "timeout_ms": budget["timeout_ms"], "schedule": None}
    return validate(spec)


def _threads(spec: dict) -> list[str]:
    return [f"{n['id']}/{t['name']}" for n in spec["nodes"] for t in n.get("threads", [])]


_ORIGINALS: dict[str, dict] = {}


def explored_original(spec: dict, budget: dict, explore: Runner) -> dict | None:
    """The lesson's own exploration (kept: lessons do not change between checks)."""
    key = json.dumps([spec, budget, getattr(explore, "__qualname__", repr(explore))], sort_keys=True, default=str)
    if key not in _ORIGINALS:
        runnable = prepared(spec, spec, {}, budget)
        result, _ = _explore_result(explore(runnable))
        if result is None:
            return None
        if len(_ORIGINALS) > 64:
            _ORIGINALS.clear()
        _ORIGINALS[key] = result
    return _ORIGINALS[key]


def check_fix(spec: dict, challenge: dict, edited_spec: dict, *, budget: dict, explore: Runner,
              replay: Runner) -> dict:
    edited = validate(edited_spec)
    gone = [t for t in _threads(spec) if t not in _threads(edited)]
    if gone:
        return _answer(False, f"Refused: the fix must keep the lesson's threads, and {', '.join(gone)} is gone.",
                       {"explored": 0, "exhaustive": False}, covered_text="nothing explored")
    goal = challenge.get("goal") or {}
    runnable = prepared(edited, spec, challenge, budget)
    result, end = _explore_result(explore(runnable))
    if result is None:
        return _answer(False, f"Your scenario could not be explored: {end.get('error') or end.get('status')}.",
                       {"explored": 0, "exhaustive": False}, covered_text="nothing explored")
    outcomes = result["outcomes"]
    failing = [(o, problems) for o in outcomes if (problems := _fix_problems(o, goal))]
    scope = covered(result)
    if failing:
        failing.sort(key=lambda item: (len(item[0].get("schedule") or []), item[0].get("key", "")))
        worst, problems = failing[0]
        shortest = len(worst.get("schedule") or [])
        longest = max(len(o.get("schedule") or []) for o, _ in failing)
        witness = _witness(runnable, worst, replay)
        message = (f"Not fixed yet: {len(failing)} of {len(outcomes)} outcomes still go wrong. "
                   f"For example {describe(worst)}: {problems[0]}. The shortest schedule that shows it has "
                   f"{shortest} steps (the longest found: {longest}); step through it. Checked {scope}.")
        return _answer(False, message, result, covered_text=scope, witness=witness,
                       extra={"failing": len(failing), "outcomes": len(outcomes),
                              "witness_length": shortest, "longest_witness": longest})
    refusal = _keeps_refusal(spec, challenge.get("keeps") or {}, result, budget, explore)
    if refusal:
        return _answer(False, f"Refused: {refusal} A fix must still do the lesson's work. Checked {scope}.",
                       result, covered_text=scope, extra={"refused": True, "outcomes": len(outcomes)})
    if result.get("exhaustive"):
        message = f"Fixed: every one of the {len(outcomes)} possible outcomes is right ({scope})."
    else:
        message = (f"No bad outcome among the {len(outcomes)} found — but the search was {scope}, "
                   "so this is evidence, not proof.")
    return _answer(True, message, result, covered_text=scope, extra={"failing": 0, "outcomes": len(outcomes)})


def _keeps_refusal(spec: dict, keeps: dict, result: dict, budget: dict, explore: Runner) -> str | None:
    outcomes = result["outcomes"]
    for o in outcomes:
        lines = _lines(o)
        missing = [line for line in keeps.get("outputs") or [] if line not in lines]
        if missing:
            return f"an outcome no longer prints {missing[0]!r} ({describe(o)})."
        for node, variables in (keeps.get("shared") or {}).items():
            for name, value in variables.items():
                got = ((o.get("shared") or {}).get(node) or {}).get(name)
                if not same_value(got, value):
                    return f"{name} must still end as {json.dumps(value)}, and an outcome ends with {describe(o)}."
    if keeps.get("serial_outcomes"):
        original = explored_original(spec, budget, explore)
        if original is not None:
            before, after = _serial_shared(original), _serial_shared(result)
            same = len(before) == len(after) and all(any(same_value(a, b) for b in after) for a in before)
            if not same:
                show = lambda found: " or ".join(describe({"shared": s}) for s in found) or "nothing"  # noqa: E731
                return (f"run one after another, the threads now end with {show(after)}, where the lesson's "
                        f"end with {show(before)}: the fix changed what they do, not only when.")
    return None


def _witness(runnable: dict, outcome: dict, replay: Runner) -> dict:
    """The failing outcome's schedule, replayed once: its verdict, and whether it replays."""
    witness: dict[str, Any] = {"schedule": outcome.get("schedule") or [], "outcome": _outcome_fields(outcome)}
    spec = copy.deepcopy(runnable)
    spec["run"] = {**spec["run"], "mode": "replay", "schedule": witness["schedule"], "max_schedules": None}
    if outcome.get("status") == "timeout":  # a livelock: after the schedule the threads spin until the time is up
        spec["run"]["timeout_ms"] = min(spec["run"].get("timeout_ms") or WITNESS_TIMEOUT_MS, WITNESS_TIMEOUT_MS)
    try:
        spec = validate(spec)
    except SpecError:
        return witness
    # The scenario as checked (with the goal's `never` watched as invariants): replaying the
    # schedule on it ends in this outcome, with the broken condition shown.
    witness["scenario"] = spec
    events = replay(spec)
    end = events[-1] if events else {}
    witness["verdict"] = end.get("verdict")
    witness["replays"] = bool(end) and end.get("status") == outcome.get("status") \
        and same_value(end.get("shared"), outcome.get("shared"))
    return witness
