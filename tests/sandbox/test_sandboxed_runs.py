"""Runs through the real sandbox child (bubblewrap, the spare child, the parent's
reader): slower than tests/unit, and given limits that hold on a busy machine."""

import pytest

from playground.engine.sandbox import run_sandboxed
from tests.unit.helpers import builtin, finished, kinds, network


def test_in_the_sandbox_a_snippet_reaches_only_its_own_scenarios_nodes():
    events = run_sandboxed(network({"a": "send('b', 'ok')\nsend('127.0.0.1', 'x')\n", "b": "print(recv().content)\n"},
                                   [{"a": "a", "b": "b"}]))
    (failed,) = kinds(events, "thread.failed")
    assert failed["line"] == 2 and "no link to '127.0.0.1'" in failed["error"]
    assert finished(events)["outputs"]["b/main"] == ["ok"]


def test_explore_runs_in_the_sandbox_and_reports_progress():
    spec = builtin("semaphore-db", mode="explore")
    events = run_sandboxed(spec)
    (result,) = kinds(events, "explore.result")
    assert result["exhaustive"] and len(result["outcomes"]) == 6
    assert kinds(events, "explore.progress")
    assert finished(events)["status"] == "completed"


def test_explore_with_invariants_runs_in_the_sandbox():
    events = run_sandboxed(builtin("bank-withdraw-race", mode="explore"))
    (result,) = kinds(events, "explore.result")
    assert result["exhaustive"]
    assert any(o["status"] == "violated" for o in result["outcomes"])



@pytest.mark.timeout(600)
def test_deadlock_two_locks_deadlocks_in_at_least_95_of_100_sandboxed_free_runs():
    deadlocks = 0
    for seed in range(100):
        events = run_sandboxed(builtin("deadlock-two-locks", seed=seed))
        end = finished(events)
        found = kinds(events, "deadlock")
        if end["status"] != "deadlock":
            assert end["status"] == "completed"
            continue
        deadlocks += 1
        (deadlock,) = found
        cycle = {(e["thread"], e["waits_for"], e["held_by"]) for e in deadlock["cycle"]}
        assert cycle == {("memory/P1", "memory/y_lock", "memory/P2"), ("memory/P2", "memory/x_lock", "memory/P1")}
        assert end["t"] - deadlock["t"] < 10.0  # the blocked threads are released at once
        assert {e["id"] for e in deadlock["graph"]["nodes"]} >= {"memory/P1", "memory/P2", "memory/x_lock",
                                                                   "memory/y_lock"}
    assert deadlocks >= 95

