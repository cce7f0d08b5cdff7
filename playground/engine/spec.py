"""The scenario spec, `playground.scenario/1`: parsing and validation.

`validate(data)` returns the normalised spec as a plain dict, or raises
`SpecError` whose `errors` list every problem as `{"path", "message"}` with a
path a learner can find (`nodes[0].threads[1].code`), including syntax errors
in snippets with their line numbers.
"""

from __future__ import annotations

import ast
import keyword
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import contract
from .instrument import SnippetRefused, compile_expression
from .primitives import registry
from .spec_network import Clock, Fault, Link, network_errors

FORMAT = "playground.scenario/1"
RESOURCE_TYPES = registry.RESOURCE_TYPES
MODES = ("free", "step", "replay", "random", "explore")
PACE_MIN, PACE_MAX = 0.5, 50.0  # run.pace: steps per second

# Names a snippet already has; a shared variable or resource may not hide them.
RESERVED_NAMES = frozenset(
    {"print", "sleep", "now", "me", "send", "recv", "reply", "broadcast", "neighbors", "spawn", "section",
     "inside", "threading", "Thread", "current_thread", *registry.CONSTRUCTORS}
)
# A spec is JSON written by a person: nothing in it needs more levels than this (a shared
# value may nest about 60 deep). Deeper documents are refused before anything recurses
# over them (pydantic, the database, the child's JSON encoder, which stops at 255).
MAX_SPEC_DEPTH = 64
# Levels of the syntax tree of a snippet or invariant. The instrumentation walks the tree
# recursively (about three Python frames a level); 100 keeps it far from the interpreter's
# recursion limit, and is far more than any readable code needs.
MAX_CODE_DEPTH = 100
MAX_INVARIANT_LENGTH = 2_000
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class SpecError(ValueError):
    """An invalid spec; `errors` is a list of {"path", "message"}."""

    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{e['path']}: {e['message']}" for e in errors))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _python_name(value: str) -> str:
    if not value.isidentifier() or keyword.iskeyword(value):
        raise ValueError(f"{value!r} is not a valid Python name")
    if value.startswith("_"):
        raise ValueError(f"{value!r}: names starting with an underscore are reserved")
    if value in RESERVED_NAMES:
        raise ValueError(f"{value!r} is a built-in name of the playground; choose another")
    return value


def _node_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"{value!r}: use letters, digits, '-' or '_', starting with a letter (at most 40)")
    return value


class Resource(_Model):
    name: str
    type: Literal[RESOURCE_TYPES]  # type: ignore[valid-type]
    value: int | None = Field(default=None, ge=0, le=1000)
    lock: str | None = None
    parties: int | None = Field(default=None, ge=1, le=100)

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        return _python_name(value)


class Thread(_Model):
    name: str
    code: str = Field(max_length=20_000)

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        return _node_id(value)


class Node(_Model):
    model_config = ConfigDict(extra="allow")  # layout and display extras from the editor

    id: str
    role: str = Field(default="process", max_length=40)
    shared: dict[str, Any] = Field(default_factory=dict)
    resources: list[Resource] = Field(default_factory=list, max_length=50)
    setup: str = Field(default="", max_length=20_000)
    threads: list[Thread] = Field(default_factory=list, max_length=50)
    clock: Clock | None = None  # its physical clock, read by now() (spec_network.Clock)
    x: float | None = None
    y: float | None = None

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        return _node_id(value)

    @field_validator("shared")
    @classmethod
    def _shared_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            _python_name(name)
        return value


class RunSettings(_Model):
    mode: Literal[MODES] = "free"  # type: ignore[valid-type]
    # Free runs without a seed get a new one each time (reported in run.started and
    # run.finished, so the run can be repeated); the controlled modes default to 1.
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    # Free mode: at most this many steps per second across the run, so a live run can
    # be followed (and a node crashed by click). The run's timeout_ms still bounds it.
    pace: float | None = None
    # Step mode waits for the learner, so its runs may be long; free runs end in seconds.
    timeout_ms: int = Field(default=10_000, ge=100, le=1_800_000)
    # Free mode: the chance, at each scheduling point, that the thread yields
    # for a moment; makes races and deadlocks show up instead of hiding.
    preempt: float = Field(default=0.0, ge=0, le=1)
    schedule: list[str] | None = None
    max_schedules: int | None = Field(default=None, ge=1, le=1_000_000)

    @field_validator("pace")
    @classmethod
    def _pace(cls, value: float | None) -> float | None:
        if value is not None and not PACE_MIN <= value <= PACE_MAX:
            raise ValueError(f"steps per second, from {PACE_MIN:g} to {PACE_MAX:g} ({value:g} asked)")
        return value


# -- challenges ----------------------------------------------------------------
# A lesson's goals: *predict* (answer a question before running), *break* (reach a bad
# outcome in your own run), *fix* (edit the code until exploring it finds no bad outcome).
# The goal fields are checked here at their paths; playground/engine/challenges.py judges
# them. The vocabulary (README, "Lessons and challenges"):
#   break goal: verdict, status, condition (an expression that must become true),
#               event ({"kind", …fields to match}), output (a printed line contains it)
#   fix goal:   serial, never (an expression that must never hold), no_deadlock, status
#   fix keeps:  serial_outcomes, outputs, shared
#   predict answer: a value, a list (every right choice), or {"from": "explore", "value": "node.var"}
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


class Scenario(_Model):
    model_config = ConfigDict(extra="allow")

    format: Literal["playground.scenario/1"] = FORMAT
    slug: str = "untitled"
    title: str = Field(default="Untitled scenario", max_length=200)
    summary: str = Field(default="", max_length=20_000)
    tags: list[str] = Field(default_factory=list, max_length=20)
    nodes: list[Node] = Field(min_length=1, max_length=50)
    links: list[Link] = Field(default_factory=list)
    faults: list[Fault] = Field(default_factory=list)
    invariants: list[Annotated[str, Field(max_length=MAX_INVARIANT_LENGTH)]] = Field(default_factory=list,
                                                                                    max_length=20)
    run: RunSettings = Field(default_factory=RunSettings)
    challenges: list[Challenge] = Field(default_factory=list, max_length=MAX_CHALLENGES)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError("use lower-case letters, digits and '-' (at most 80)")
        return value


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(spec)"


def _message(err: dict) -> str:
    msg = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    return msg


def syntax_error(code: str, *, mode: str = "exec") -> str | None:
    """A learner-readable syntax error for a snippet, or None when it parses (and is
    shallow enough for the playground to instrument and compile)."""
    try:
        tree = ast.parse(code, mode=mode)
    except SyntaxError as exc:
        return f"SyntaxError line {exc.lineno or 1}: {exc.msg}"
    except ValueError as exc:  # e.g. null bytes
        return f"SyntaxError: {exc}"
    except (RecursionError, MemoryError):
        # CPython's parser gives up on very long chains ("-" * 100000 + "1", "not not …")
        return ("too complex for Python's parser: an expression nested far too deeply "
                "(a long run of operators, brackets or calls); split it into several lines")
    return _too_deep_code(tree)


def _too_deep_code(tree: ast.AST) -> str | None:
    """An error if the syntax tree is more than MAX_CODE_DEPTH levels deep (no recursion here)."""
    stack: list[tuple[ast.AST, int, int]] = [(tree, 1, 1)]
    while stack:
        node, depth, line = stack.pop()
        line = getattr(node, "lineno", line)
        if depth > MAX_CODE_DEPTH:
            return (f"line {line}: nested more than {MAX_CODE_DEPTH} levels deep (the playground's limit); "
                    "split the expression into several lines")
        stack.extend((child, depth + 1, line) for child in ast.iter_child_nodes(node))
    return None


def invariant_error(expr: str) -> str | None:
    """Why an invariant cannot be used: a syntax error, a depth past the limit, or what the
    playground refuses in snippets too (`__import__`, underscore attributes …)."""
    problem = syntax_error(expr, mode="eval")
    if problem:
        return problem
    try:
        compile_expression(expr, frozenset(), "<invariant>")  # what the run will do
    except SnippetRefused as exc:
        return f"line {exc.line}: {exc}"
    except SyntaxError as exc:
        return f"SyntaxError line {exc.lineno or 1}: {exc.msg}"
    except (RecursionError, MemoryError, ValueError) as exc:
        return f"the playground cannot compile this invariant ({type(exc).__name__})"
    return None


def _too_deep_json(data: Any, limit: int = MAX_SPEC_DEPTH) -> str | None:
    """The path (its first few steps) of a JSON value nested more than `limit` levels, or None."""
    stack: list[tuple[Any, int, tuple]] = [(data, 1, ())]
    while stack:
        value, depth, loc = stack.pop()
        if isinstance(value, dict):
            items: Any = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            continue
        if depth > limit:
            return _path(loc)
        for key, item in items:
            if isinstance(item, (dict, list)):
                stack.append((item, depth + 1, loc + (key,) if len(loc) < 4 else loc))
    return None


def _semantic_errors(sc: Scenario) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []

    def add(path: str, message: str) -> None:
        errors.append({"path": path, "message": message})

    node_ids = [n.id for n in sc.nodes]
    for i, node in enumerate(sc.nodes):
        where = f"nodes[{i}]"
        if node_ids.count(node.id) > 1:
            add(f"{where}.id", f"duplicate node id {node.id!r}")
        names: dict[str, str] = {}
        for name in node.shared:
            names[name] = "shared variable"
        for j, res in enumerate(node.resources):
            if res.name in names:
                add(f"{where}.resources[{j}].name", f"{res.name!r} is already a {names[res.name]}")
            names[res.name] = "resource"
            for field, message in registry.spec_problems(res, node.resources):
                add(f"{where}.resources[{j}].{field}", message)
        thread_names = [t.name for t in node.threads]
        for j, thread in enumerate(node.threads):
            if thread_names.count(thread.name) > 1:
                add(f"{where}.threads[{j}].name", f"duplicate thread name {thread.name!r}")
            if thread.name == "setup":
                add(f"{where}.threads[{j}].name", "'setup' is the name of the node's setup code")
            problem = syntax_error(thread.code)
            if problem:
                add(f"{where}.threads[{j}].code", problem)
        problem = syntax_error(node.setup)
        if problem:
            add(f"{where}.setup", problem)
    for path, message in network_errors(node_ids, sc.links, sc.faults):  # links, faults: spec_network
        add(path, message)
    for i, expr in enumerate(sc.invariants):
        problem = invariant_error(expr)
        if problem:
            add(f"invariants[{i}]", problem)
    errors.extend(challenge_errors(sc))
    if sc.run.mode == "replay" and not sc.run.schedule:
        add("run.schedule", "replay needs the schedule to replay")
    if sc.run.pace is not None and sc.run.mode != "free":
        add("run.pace", f"pace slows free runs down; a {sc.run.mode} run already goes one chosen step at a time")
    if not any(node.threads for node in sc.nodes):
        add("nodes", "no node has a thread: nothing would run")
    return errors


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


def _goal_errors(kind: str, goal: Any, where: str, nodes: dict[str, Node]) -> list[tuple[str, str]]:
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


def _keeps_errors(keeps: Any, where: str, nodes: dict[str, Node]) -> list[tuple[str, str]]:
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


def _answer_errors(ch: Challenge, where: str, nodes: dict[str, Node]) -> list[tuple[str, str]]:
    answer = ch.answer
    if answer is None:
        return [(f"{where}.answer", "a predict challenge needs its answer: a value, a list of values, "
                                    "or {\"from\": \"explore\", \"value\": \"node.variable\"}")]
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


def challenge_errors(sc: Scenario) -> list[dict[str, str]]:
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


def _start_errors(ch: Challenge, where: str, nodes: dict[str, Node]) -> list[tuple[str, str]]:
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


def check_depth(data: Any) -> None:
    """SpecError if the JSON is nested past MAX_SPEC_DEPTH; call it before anything that
    recurses over an untrusted spec (copy.deepcopy, pydantic, a JSON encoder)."""
    deep = _too_deep_json(data)
    if deep is not None:
        raise SpecError([{"path": deep, "message": f"nested more than {MAX_SPEC_DEPTH} levels deep "
                                                   "(the playground's limit for a spec)"}])


def validate(data: Any) -> dict[str, Any]:
    """Check a scenario spec; return it normalised (defaults filled in)."""
    if not isinstance(data, dict):
        raise SpecError([{"path": "(spec)", "message": "a scenario spec is a JSON object"}])
    check_depth(data)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise SpecError(
            [{"path": _path(err["loc"]), "message": _message(err)} for err in exc.errors()]
        ) from None
    errors = _semantic_errors(scenario)
    if errors:
        raise SpecError(errors)
    spec = scenario.model_dump(mode="json")
    run = spec["run"]
    if run.get("seed") is None:  # free: the runtime draws one; controlled runs stay repeatable
        if run["mode"] == "free":
            del run["seed"]
        else:
            run["seed"] = 1
    return spec
