"""Judging a lesson's challenges (the spec's `challenges`, see spec.py).

- **predict**: the learner's answer against the lesson's (a value, a list of every right
  choice, or computed: `{"from": "explore", "value": "node.var"}` is the set of values the
  variable ends with over every outcome the explorer finds).
- **break**: the learner's own finished run, read off its events: its verdict, its
  status, a condition that became true at some step, an event, a printed line.
- **fix**: the edited scenario explored (in the sandbox child: the code is the
  learner's) — exhaustively when the space allows, otherwise as many schedules as the
  budget gives, saying so. A failing fix comes back with the shortest witness found,
  replayed once to attach its verdict; a fix that no longer does the lesson's work
  (its `keeps`) is refused.

Every answer says what it covered: `explored`, `exhaustive` and `covered` in words.
No Django here; `explore` and `replay` are parameters so the pure logic can be tested
in-process (`runner.collect`); the default runs them in the sandbox.
"""

from __future__ import annotations

import ast
import copy
import json
import operator
from collections.abc import Callable
from typing import Any

from .spec import SpecError, same_value, validate

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
    from .sandbox import run_sandboxed

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


def check(spec: dict, challenge: dict, *, edited_spec: dict | None = None, events: list[dict] | None = None,
          answer: Any = None, budget: dict | None = None, explore: Runner = sandboxed,
          replay: Runner | None = None) -> dict:
    """Judge one challenge of the (validated) lesson `spec`. A fix needs `edited_spec`; a
    break needs the run's `events` (and its spec as `edited_spec`, to tell whether the
    lesson's code was changed); a predict needs `answer`. Raises CheckError when one is
    missing, SpecError for an invalid edited spec."""
    budget = {**DEFAULT_BUDGET, **(budget or {})}
    kind = challenge["kind"]
    if kind == "predict":
        if answer is None:
            raise CheckError([{"path": "answer", "message": "a predict challenge is checked against your answer"}])
        return check_predict(spec, challenge, answer, budget=budget, explore=explore)
    if kind == "break":
        if not events:
            raise CheckError([{"path": "run", "message": "a break challenge is checked from your finished run"}])
        return check_break(spec, challenge, events, run_spec=edited_spec)
    if edited_spec is None:
        raise CheckError([{"path": "spec", "message": "a fix challenge is checked on your edited scenario"}])
    return check_fix(spec, challenge, edited_spec, budget=budget, explore=explore, replay=replay or explore)


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
                "timeout": "the run does not end in time"}.get(status, f"it ends {status}")
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
    return _answer(True, f"Broken! {said}" + (f": {verdict['text']}" if verdict.get("text") else "."),
                   nothing, covered_text=covered_text, witness=witness)


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


def became_true(expr: str, events: list[dict], spec: dict) -> bool:
    """Whether `expr` held at some point of the run, replaying its writes and sections
    over the spec's starting memory, on each node whose variables it names."""
    tree = ast.parse(expr, mode="eval")
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(_FUNCTIONS)
    memory = {n["id"]: copy.deepcopy(n.get("shared") or {}) for n in spec["nodes"]}
    inside: dict[str, dict[str, int]] = {n: {} for n in memory}
    nodes = [n for n, shared in memory.items() if names <= set(shared)] or list(memory)[:1]

    def holds(node: str) -> bool:
        try:
            return bool(_Eval(memory[node], inside[node]).visit(tree.body))
        except Exception:  # a name not set yet, a type mismatch: not true at this point
            return False

    if any(holds(n) for n in nodes):
        return True
    for e in events:
        node = e.get("node")
        if node not in memory:
            continue
        if e["kind"] == "var.write":
            memory[node][e["name"]] = e.get("value")
        elif e["kind"] in ("section.enter", "section.exit"):
            inside[node][e.get("section")] = e.get("inside", 0)
        else:
            continue
        if node in nodes and holds(node):
            return True
    return False


_FUNCTIONS = {"inside", "len", "abs", "min", "max", "sum", "True", "False", "None"}
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
            ast.NotIn: lambda a, b: a not in b}


class _Eval(ast.NodeVisitor):
    """A small evaluator for conditions read off a trace in the web process: names,
    numbers, strings, arithmetic on small values, comparisons, and/or/not, indexing,
    inside(), len(), abs(), min(), max(), sum(). Nothing else runs."""

    def __init__(self, memory: dict, inside: dict):
        self.memory, self.inside = memory, inside

    def generic_visit(self, node: ast.AST) -> Any:
        raise ValueError(f"{type(node).__name__} is not allowed in a condition")

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        return self.memory[node.id]

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        if not all(isinstance(v, (int, float)) and abs(v) < 1e12 for v in (left, right)):
            raise ValueError("arithmetic on small numbers only")
        return _BINARY[type(node.op)](left, right)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(node.op, ast.USub):
            return -value
        raise ValueError("unary operator")

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        values = (self.visit(v) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)

    def visit_Compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        return self.visit(node.value)[self.visit(node.slice)]

    def visit_Call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise ValueError("call")
        args = [self.visit(a) for a in node.args]
        if node.func.id == "inside":
            return self.inside.get(args[0], 0)
        return {"len": len, "abs": abs, "min": min, "max": max, "sum": sum}[node.func.id](*args)


# -- predict -------------------------------------------------------------------------

def check_predict(spec: dict, challenge: dict, answer: Any, *, budget: dict, explore: Runner) -> dict:
    correct = challenge.get("answer")
    result: dict = {"explored": 0, "exhaustive": False}
    scope = "the lesson's answer"
    if isinstance(correct, dict):  # {"from": "explore", "value": "node.var"}
        result = explored_original(spec, budget, explore) or result
        node, _, name = correct["value"].partition(".")
        values: list = []
        for o in result.get("outcomes") or []:
            value = ((o.get("shared") or {}).get(node) or {}).get(name)
            if not any(same_value(value, v) for v in values):
                values.append(value)
        correct = sorted(values, key=lambda v: (str(type(v)), v if isinstance(v, (int, float)) else str(v)))
        scope = f"every outcome the explorer finds ({covered(result)})"
    right = _same_answer(answer, correct)
    shown = ", ".join(json.dumps(v) for v in correct) if isinstance(correct, list) else json.dumps(correct)
    message = (f"Right: {shown}." if right else
               "Not quite. Run it (or explore every interleaving) and see what happens.")
    return {**_answer(right, message, result, covered_text=scope), "answer": correct}


def _as_number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value) if value.strip() else value
        except ValueError:
            return value
    return value


def _same_answer(given: Any, correct: Any) -> bool:
    def equal(g: Any, c: Any) -> bool:
        return same_value(g, c) or same_value(_as_number(g), c)

    if isinstance(correct, list):
        return (isinstance(given, list) and all(any(equal(g, c) for c in correct) for g in given)
                and all(any(equal(g, c) for g in given) for c in correct))
    return equal(given, correct)
