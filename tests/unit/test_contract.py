"""The event contract (playground/engine/contract.py): one list of kinds and statuses."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from playground.engine import contract
from playground.engine.contract import EVENT_KINDS, FINAL_STATUSES, KINDS, THREAD_KINDS, run_finished
from playground.engine.footprint import UnknownEventKind, touches
from playground.engine.runner import collect
from tests.unit.helpers import builtin

ENGINE = Path(contract.__file__).parent
EMITTERS = {"emit_at", "emit_run", "emit", "event"}  # runtime, EventLog, a primitive's `event`
THREAD_EMITTERS = {"emit_at", "event"}


def _literals(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def emitted_kinds() -> dict[str, set[str]]:
    """Every kind the engine's sources pass to an emitting call, by the call's name."""
    found: dict[str, set[str]] = {}
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in EMITTERS:
                for arg in node.args[:2]:
                    for kind in _literals(arg):
                        found.setdefault(kind, set()).add(node.func.attr)
    return found


def test_every_kind_the_engine_emits_is_in_the_contract_and_every_listed_kind_is_emitted():
    found = emitted_kinds()
    assert len(found) > 25, found
    assert set(found) - set(KINDS) == set()
    assert set(KINDS) - set(found) == set(), "listed in the contract but emitted nowhere"


def test_kinds_emitted_by_a_thread_say_what_they_touch():
    for kind, callers in emitted_kinds().items():
        if callers & THREAD_EMITTERS:
            assert kind in THREAD_KINDS and KINDS[kind].touches is not None, kind
    for kind in THREAD_KINDS:
        assert KINDS[kind].touches.access in ("r", "w")


def test_the_lessons_emit_only_kinds_of_the_contract():
    seen: set[str] = set()
    for slug in ("shared-x-race", "bank-withdraw-lock", "deadlock-two-locks", "condition-steps", "semaphore-db"):
        seen |= {event["kind"] for event in collect(builtin(slug))}
    explored = collect(builtin("deadlock-two-locks", mode="explore"))  # every step's footprint from the table
    seen |= {event["kind"] for event in explored}
    assert seen <= set(EVENT_KINDS), seen - set(EVENT_KINDS)
    assert {"run.started", "run.finished", "var.read", "sync.acquire", "explore.result"} <= seen
    assert explored[-1]["status"] == "completed" and explored[-1]["exhaustive"]


def test_the_footprint_comes_from_the_table_and_an_unknown_kind_is_an_error():
    ctx = SimpleNamespace(name="n/P1", node=SimpleNamespace(id="n"))
    assert touches(ctx, "var.read", {"name": "x"}) == ("var", "n", "x", "r")
    assert touches(ctx, "var.write", {"name": "x"}) == ("var", "n", "x", "w")
    assert touches(ctx, "sync.acquire", {"resource": "l"}) == ("res", "n", "l", "w")
    assert touches(ctx, "section.enter", {"section": "cs"}) == ("section", "n", "cs", "w")
    assert touches(ctx, "thread.finished", {}) == ("thread", "n/P1", "", "w")
    assert touches(ctx, "output", {"text": "hi"}) == ("own", "n/P1", "output", "r")
    with pytest.raises(UnknownEventKind, match="sync.upgrade"):
        touches(ctx, "sync.upgrade", {"resource": "l"})
    with pytest.raises(UnknownEventKind):
        touches(ctx, "deadlock", {})  # a run's event, never a thread's step


def test_run_finished_is_built_in_one_place():
    assert run_finished("failed", "worker lost") == {
        "status": "failed", "error": "worker lost",
        "verdict": {"kind": "failed", "ok": False, "title": "Failed", "text": "The run failed: worker lost.",
                    "details": {}}}
    assert run_finished("completed", None, shared={}, outputs={}, schedule=[]) == {
        "status": "completed", "shared": {}, "outputs": {}, "schedule": [],
        "verdict": {"kind": "completed", "ok": True, "title": "Completed", "text": "Every thread finished.",
                    "details": {}}}
    given = {"kind": "lost-update", "ok": False, "title": "t", "text": "x", "details": {}}
    assert run_finished("completed", verdict=given)["verdict"] is given
    assert "verdict" not in run_finished("pruned")
    assert run_finished("completed", shared={}, explored=3)["explored"] == 3
    with pytest.raises(ValueError):
        run_finished("finished")


def test_statuses():
    assert set(FINAL_STATUSES) < set(contract.RUN_STATUSES)
    assert contract.PRUNED not in contract.RUN_STATUSES
    assert contract.LIVE_STATUSES == ("queued", "running")


def _ts_const(text: str, name: str) -> list[str]:
    match = re.search(rf"export const {name} = \[\n((?:  \"[a-z.-]+\",\n)*)\] as const;\n", text)
    assert match, f"{name} missing or malformed"
    return re.findall(r'"([a-z.-]+)"', match.group(1))


def test_the_typescript_module_lists_every_kind_status_and_resource_type():
    text = subprocess.run([sys.executable, "-m", "playground.engine.contract", "typescript"], check=True,
                          capture_output=True, text=True, cwd=ENGINE.parents[1]).stdout
    assert text == contract.typescript()
    assert _ts_const(text, "EVENT_KINDS") == list(EVENT_KINDS)
    assert set(emitted_kinds()) <= set(_ts_const(text, "EVENT_KINDS"))
    assert _ts_const(text, "THREAD_EVENT_KINDS") == list(THREAD_KINDS)
    assert _ts_const(text, "RUN_STATUSES") == list(contract.RUN_STATUSES)
    assert _ts_const(text, "FINAL_STATUSES") == list(FINAL_STATUSES)
    assert "boundedsemaphore" in _ts_const(text, "RESOURCE_TYPES")
    for type_name in ("EventKind", "ThreadEventKind", "RunStatus", "FinalStatus", "ResourceType"):
        assert re.search(rf"^export type {type_name} = \(typeof [A-Z_]+\)\[number\];$", text, re.M), type_name
    assert text.count("[") == text.count("]") and text.endswith("\n")


def test_the_generator_refuses_other_commands():
    done = subprocess.run([sys.executable, "-m", "playground.engine.contract", "python"],
                          capture_output=True, text=True, cwd=ENGINE.parents[1])
    assert done.returncode == 2 and "usage" in done.stderr
