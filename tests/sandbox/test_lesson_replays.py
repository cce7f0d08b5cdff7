"""Lessons that measure time read `now()`, not the wall clock, so their controlled runs
are exact: an exploration's replays follow their schedules (no "replays went another
way"), and a witness replayed gives its outcome again, the printed durations included.
circuit-breaker and gossip-epidemic diverged when they read `time.monotonic()`.
Explored and replayed in the real sandbox child. (tests/unit/test_library_clock.py
checks every lesson's snippets for wall-clock reads.)"""

import copy

import pytest

from playground.engine.sandbox import run_sandboxed
from playground.engine.spec import same_value
from tests.unit.challenge_cases import lesson

BUDGET = 30  # schedules: these spaces are far larger; the DFS covers this many
TIMED = ["circuit-breaker", "gossip-epidemic", "fallacy-zero-latency", "multithreaded-client", "server-overload"]


def with_run(slug: str, **run) -> dict:
    spec = copy.deepcopy(lesson(slug))
    spec["run"] = {**spec["run"], "timeout_ms": 60_000, **run}
    return spec


def same_outcome(end: dict, outcome: dict) -> bool:
    return (end["status"] == outcome["status"] and same_value(end["shared"], outcome["shared"])
            and end["outputs"] == outcome["outputs"])


@pytest.mark.timeout(240)
@pytest.mark.parametrize("slug", TIMED)
def test_an_exploration_follows_every_schedule_and_each_witness_replays_to_its_outcome(slug):
    events = run_sandboxed(with_run(slug, mode="explore", max_schedules=BUDGET))
    result = next(e for e in events if e["kind"] == "explore.result")
    assert "diverged" not in result and "went another way" not in result["covered"]
    assert result["explored"] == BUDGET or result["exhaustive"]
    assert result["outcomes"] and all(o["status"] == "completed" for o in result["outcomes"])
    for outcome in result["outcomes"][:3]:
        replay = run_sandboxed(with_run(slug, mode="replay", schedule=outcome["schedule"]))
        assert same_outcome(replay[-1], outcome), (outcome["outputs"], replay[-1]["outputs"])


def test_a_controlled_run_reads_virtual_time_and_its_replay_prints_the_same_durations():
    """The breaker's lines carry `now()` differences: under control they are virtual
    seconds (sleeps, timeouts, 10 ms links), exact, and a replay prints them again."""
    first = run_sandboxed(with_run("circuit-breaker", mode="random", seed=7))[-1]
    assert first["status"] == "completed"
    careful = first["outputs"]["careful/main"]
    assert any("breaker OPEN" in line for line in careful) and "CLOSED" in careful[-2]
    again = run_sandboxed(with_run("circuit-breaker", mode="replay", schedule=first["schedule"]))[-1]
    assert again["outputs"] == first["outputs"] and same_value(again["shared"], first["shared"])
