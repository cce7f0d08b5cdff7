"""The challenges half of the scenario spec: a lesson's goals and their checks at
paths a learner can find. `spec.py` builds the whole spec with `Challenge` and adds
`challenge_errors` to its own problems; playground/engine/challenges/ judges them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import contract
from .spec_code import MAX_INVARIANT_LENGTH, _node_id, invariant_error, syntax_error


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A lesson's goals: *predict* (answer a question before running), *break* (reach a bad
# outcome in your own run), *fix* (edit the code until exploring it finds no bad outcome).
# The goal fields are checked here at their paths; playground/engine/challenges.py judges
# them. The vocabulary (README, "Lessons and challenges"):
#   break goal: verdict, status, condition (an expression that must become true),
#               event ({"kind", …fields to match}), output (a printed line contains it)
#   fix goal:   serial, never (an expression that must never hold), no_deadlock, status
#   fix keeps:  serial_outcomes, outputs, shared
#   predict answer: a value, a list (every right choice), or {"from": "explore", "value": "node.var"};
#                   left out, the question has no known answer (what learners are served: see
#                   `without_answers`, and a copy of a lesson saved from it)
CHALLENGE_KINDS = ("predict", "break", "fix")
VERDICT_KINDS = ("lost-update", "deadlock-cycle", "stuck", "violated", "non-serial", "failed", "timeout",
                 "cancelled", "completed")
MAX_CHALLENGES = 10
BREAK_GOALS = ("verdict", "status", "condition", "event", "output")
FIX_GOALS = ("serial", "never", "no_deadlock", "status")
KEEPS = ("serial_outcomes", "outputs", "shared")


class Start(_Model):
    """The code a *fix* starts from instead of the lesson's (a broken variant to repair)."""

    node: str
    setup: str | None = Field(default=None, max_length=20_000)
    threads: dict[str, Annotated[str, Field(max_length=20_000)]] | None = None


class Challenge(_Model):
    id: str
    kind: Literal[CHALLENGE_KINDS]  # type: ignore[valid-type]
    text: str = Field(min_length=1, max_length=4_000)
    hints: list[Annotated[str, Field(max_length=2_000)]] = Field(default_factory=list, max_length=10)
    choices: list[Any] | None = Field(default=None, max_length=20)
    answer: Any = None
    goal: dict[str, Any] | None = None
    keeps: dict[str, Any] | None = None
    edit: bool = False
    start: Start | None = None

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        return _node_id(value)


def _one_or_more(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _expression_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "an expression over the node's shared variables, e.g. \"balance < 0\""
    if len(value) > MAX_INVARIANT_LENGTH:
        return f"at most {MAX_INVARIANT_LENGTH} characters"
    return invariant_error(value)


def _names_problem(values: Any, allowed: tuple[str, ...], what: str) -> str | None:
    items = _one_or_more(values)
    if not items or any(not isinstance(v, str) or v not in allowed for v in items):
        return f"{what}: one of {', '.join(allowed)} (or a list of them)"
    return None


def _goal_errors(kind: str, goal: Any, where: str, nodes: dict[str, Any]) -> list[tuple[str, str]]:
    known = BREAK_GOALS if kind == "break" else FIX_GOALS
    if not isinstance(goal, dict) or not goal:
        return [(where, f"a {kind} challenge needs a goal with one or more of: {', '.join(known)}")]
    problems: list[tuple[str, str]] = []
    for key, value in goal.items():
        at = f"{where}.{key}"
        if key not in known:
            problems.append((at, f"unknown {kind} goal {key!r}; use {', '.join(known)}"))
        elif key == "verdict":
            problem = _names_problem(value, VERDICT_KINDS, "a verdict")
            problem and problems.append((at, problem))
        elif key == "status":
            problem = _names_problem(value, contract.FINAL_STATUSES, "a run status")
            problem and problems.append((at, problem))
        elif key in ("condition", "never"):
            for i, expr in enumerate(_one_or_more(value) if key == "never" else [value]):
                problem = _expression_problem(expr)
                problem and problems.append((at + (f"[{i}]" if isinstance(value, list) else ""), problem))
        elif key == "event":
            if not isinstance(value, dict) or value.get("kind") not in contract.EVENT_KINDS:
                problems.append((at, "an event to match: {\"kind\": an event kind, …fields it must have}"))
        elif key == "output":
            if not isinstance(value, str) or not value:
                problems.append((at, "a piece of text a printed line must contain"))
        elif value is not True:  # serial, no_deadlock
            problems.append((at, "true (or leave it out)"))
    return problems


def _keeps_errors(keeps: Any, where: str, nodes: dict[str, Any]) -> list[tuple[str, str]]:
    if not isinstance(keeps, dict):
        return [(where, f"an object with one or more of: {', '.join(KEEPS)}")]
    problems: list[tuple[str, str]] = []
    for key, value in keeps.items():
        at = f"{where}.{key}"
        if key not in KEEPS:
            problems.append((at, f"unknown {key!r}; use {', '.join(KEEPS)}"))
        elif key == "serial_outcomes" and value is not True:
            problems.append((at, "true (or leave it out)"))
        elif key == "outputs" and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            problems.append((at, "a list of printed lines every outcome must still print"))
        elif key == "shared":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                problems.append((at, "{node: {variable: value}}: what every outcome must still end with"))
                continue
            for node_id, variables in value.items():
                if node_id not in nodes:
                    problems.append((f"{at}.{node_id}", f"unknown node {node_id!r}"))
                for name in variables:
                    if node_id in nodes and name not in nodes[node_id].shared:
                        problems.append((f"{at}.{node_id}.{name}", f"{node_id!r} has no shared variable {name!r}"))
    return problems


def _answer_errors(ch: Challenge, where: str, nodes: dict[str, Any]) -> list[tuple[str, str]]:
    answer = ch.answer
    if answer is None:  # a question only: its check says no answer is known
        return []
    if isinstance(answer, dict):
        value = answer.get("value")
        if set(answer) != {"from", "value"} or answer.get("from") != "explore" or not isinstance(value, str):
            return [(f"{where}.answer", "a computed answer is {\"from\": \"explore\", \"value\": \"node.variable\"}")]
        node_id, _, name = value.partition(".")
        if node_id not in nodes or name not in nodes[node_id].shared:
            return [(f"{where}.answer.value", f"{value!r} names no shared variable (write node.variable)")]
        return []
    if ch.choices is not None:
        missing = [a for a in _one_or_more(answer) if not any(same_value(a, c) for c in ch.choices)]
        if missing:
            return [(f"{where}.answer", f"{missing[0]!r} is not one of the choices")]
    return []


def without_answers(spec: dict) -> dict:
    """The spec as a learner is served it: every predict challenge without its answer
    (a lesson's page, a classroom activity, a run's stored spec). The checker keeps
    judging against the stored lesson, never against what the learner sends back."""
    challenges = spec.get("challenges")
    if not isinstance(challenges, list) or not any(isinstance(c, dict) and "answer" in c for c in challenges):
        return spec
    hidden = [{k: v for k, v in c.items() if k != "answer"} if isinstance(c, dict) else c for c in challenges]
    return {**spec, "challenges": hidden}


def same_value(a: Any, b: Any) -> bool:
    """Equal as JSON values, numbers by value (1 == 1.0, never True == 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def challenge_errors(sc: Any) -> list[dict[str, str]]:
    """Every problem of the spec's `challenges`, at its path."""
    problems: list[tuple[str, str]] = []
    nodes = {n.id: n for n in sc.nodes}
    ids = [ch.id for ch in sc.challenges]
    for i, ch in enumerate(sc.challenges):
        where = f"challenges[{i}]"
        if ids.count(ch.id) > 1:
            problems.append((f"{where}.id", f"duplicate challenge id {ch.id!r}"))
        if ch.kind == "predict":
            problems += _answer_errors(ch, where, nodes)
        elif ch.answer is not None or ch.choices is not None:
            problems.append((f"{where}.answer" if ch.answer is not None else f"{where}.choices",
                             "only a predict challenge has choices and an answer"))
        if ch.kind in ("break", "fix"):
            problems += _goal_errors(ch.kind, ch.goal, f"{where}.goal", nodes)
        elif ch.goal is not None:
            problems.append((f"{where}.goal", "a predict challenge is judged by its answer, not a goal"))
        if ch.keeps is not None:
            if ch.kind != "fix":
                problems.append((f"{where}.keeps", "only a fix keeps something"))
            else:
                problems += _keeps_errors(ch.keeps, f"{where}.keeps", nodes)
        if ch.edit and ch.kind != "break":
            problems.append((f"{where}.edit", "only a break may allow edited code (a fix is always edited)"))
        if ch.start is not None:
            problems += _start_errors(ch, where, nodes)
    return [{"path": path, "message": message} for path, message in problems]


def _start_errors(ch: Challenge, where: str, nodes: dict[str, Any]) -> list[tuple[str, str]]:
    start = ch.start
    assert start is not None
    if ch.kind != "fix":
        return [(f"{where}.start", "only a fix starts from other code")]
    node = nodes.get(start.node)
    if node is None:
        return [(f"{where}.start.node", f"unknown node {start.node!r}")]
    problems = []
    if start.setup is not None:
        problem = syntax_error(start.setup)
        problem and problems.append((f"{where}.start.setup", problem))
    names = {t.name for t in node.threads}
    for name, code in (start.threads or {}).items():
        if name not in names:
            problems.append((f"{where}.start.threads.{name}", f"{start.node!r} has no thread {name!r}"))
        problem = syntax_error(code)
        problem and problems.append((f"{where}.start.threads.{name}", problem))
    return problems
