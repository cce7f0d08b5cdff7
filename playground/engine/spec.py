"""The scenario spec, `playground.scenario/1`: parsing and validation.

`validate(data)` returns the normalised spec as a plain dict, or raises
`SpecError` whose `errors` list every problem as `{"path", "message"}` with a
path a learner can find (`nodes[0].threads[1].code`), including syntax errors
in snippets with their line numbers.
"""

from __future__ import annotations

import keyword
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .primitives import registry
from .spec_challenges import (  # noqa: F401  (the challenge vocabulary, re-exported)
    BREAK_GOALS,
    CHALLENGE_KINDS,
    FIX_GOALS,
    KEEPS,
    MAX_CHALLENGES,
    VERDICT_KINDS,
    Challenge,
    challenge_errors,
    same_value,
    without_answers,
)
from .spec_code import (  # noqa: F401  (re-exported)
    MAX_CODE_DEPTH,
    MAX_INVARIANT_LENGTH,
    _node_id,
    _too_deep_code,
    invariant_error,
    syntax_error,
)
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


class Scenario(_Model):
    model_config = ConfigDict(extra="allow")

    format: Literal["playground.scenario/1"] = FORMAT
    slug: str = "untitled"
    title: str = Field(default="Untitled scenario", max_length=200)
    summary: str = Field(default="", max_length=20_000)
    # What happens and why, in Markdown: the page keeps it closed until the learner has run
    # the lesson or checked a challenge, so a prediction is theirs and not the text's.
    explanation: str = Field(default="", max_length=20_000)
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
