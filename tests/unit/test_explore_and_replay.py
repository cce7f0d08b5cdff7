"""Controlled scheduling: explore every outcome, replay any schedule exactly."""

import threading

from playground.engine.runtime import Runtime
from tests.unit.helpers import builtin, finished, kinds, network, run, scenario


def explore(spec: dict) -> dict:
    spec["run"]["mode"] = "explore"
    (result,) = kinds(run(spec), "explore.result")
    return result


def replay(spec: dict, schedule: list[str]) -> list[dict]:
    spec = dict(spec, run={**spec["run"], "mode": "replay", "schedule": schedule})
    return run(spec)


def without_time(events: list[dict]) -> list[dict]:
    return [{k: v for k, v in e.items() if k != "t"} for e in events]


def test_explore_finds_exactly_the_four_values_of_the_x_race():
    result = explore(builtin("shared-x-race"))
    assert result["exhaustive"] is True
    assert sorted(o["shared"]["memory"]["x"] for o in result["outcomes"]) == [6, 25, 26, 36]


def test_explore_finds_the_lost_update_and_the_serial_outcomes_of_the_bank_race():
    outcomes = explore(builtin("bank-withdraw-race"))["outcomes"]
    def printed(o):
        return sorted(line for lines in o["outputs"].values() for line in lines)
    serial = [o for o in outcomes if "Insufficient funds" in printed(o)]
    lost = [o for o in outcomes if o["status"] == "completed" and "Insufficient funds" not in printed(o)]
    assert {o["shared"]["bank"]["balance"] for o in serial} == {2, 3}
    assert lost and {o["shared"]["bank"]["balance"] for o in lost} <= {2, 3}
    # both checks pass before either subtracts: 15 paid from 10, the invariant catches it
    assert any(o["status"] == "violated" and o["shared"]["bank"]["balance"] == -5 for o in outcomes)


def test_with_the_lock_explore_finds_only_the_serial_outcomes():
    result = explore(builtin("bank-withdraw-lock"))
    assert result["exhaustive"]
    for o in result["outcomes"]:
        lines = sorted(line for lines in o["outputs"].values() for line in lines)
        assert o["status"] == "completed"
        assert lines in (["2", "Insufficient funds"], ["3", "Insufficient funds"])
    assert len(result["outcomes"]) == 2


def test_the_deadlock_witness_replays_into_the_same_deadlock_at_the_same_step():
    spec = builtin("deadlock-two-locks")
    result = explore(dict(spec, run=dict(spec["run"])))
    (dead,) = [o for o in result["outcomes"] if o["status"] == "deadlock"]
    events = replay(spec, dead["schedule"])
    (deadlock,) = kinds(events, "deadlock")
    assert finished(events)["status"] == "deadlock"
    assert deadlock["cycle"] == dead["deadlock"]
    assert deadlock["step"] == len(dead["schedule"])


def test_replaying_a_schedule_a_hundred_times_gives_the_identical_events():
    spec = builtin("condition-steps", mode="random", seed=7)
    first = run(spec)
    schedule = finished(first)["schedule"]
    reference = without_time(replay(spec, schedule))
    assert reference[1:] == without_time(first)[1:]  # the same run as the random one (but its mode)
    for _ in range(100):
        assert without_time(replay(spec, schedule)) == reference


BROKEN_FLAG = """
def visit(name):
    global busy
    if not busy:          # check...
        busy = True       # ...then set: another thread can slip in between
        with section('critical'):
            print(name + ' is inside')
        busy = False
"""
REAL_LOCK = """
from threading import Lock
door = Lock()
def visit(name):
    with door:
        with section('critical'):
            print(name + ' is inside')
"""


def section_scenario(setup: str) -> dict:
    spec = scenario({"A": "visit('A')\n", "B": "visit('B')\n"}, shared={"busy": False}, setup=setup)
    spec["invariants"] = ["inside('critical') <= 1"]
    return spec


def test_explore_catches_two_threads_inside_a_broken_flag_lock_and_the_witness_replays_it():
    spec = section_scenario(BROKEN_FLAG)
    result = explore(dict(spec, run=dict(spec["run"])))
    (bad,) = [o for o in result["outcomes"] if o["status"] == "violated"]
    assert bad["violation"]["invariant"] == "inside('critical') <= 1"
    events = replay(spec, bad["schedule"])
    (violated,) = kinds(events, "invariant.violated")
    assert violated["step"] == len(bad["schedule"])
    assert violated["values"]["inside('critical')"] == 2
    assert finished(events)["status"] == "violated"


def test_the_same_section_behind_a_real_lock_is_exhaustively_clean():
    result = explore(section_scenario(REAL_LOCK))
    assert result["exhaustive"]
    assert {o["status"] for o in result["outcomes"]} == {"completed"}


def test_explore_finds_a_bug_that_needs_three_threads_interleaved():
    sell = "if sold < 2:\n    sold = sold + 1\n"  # check-then-act: at most two tickets... unless
    spec = scenario({"A": sell, "B": sell, "C": sell}, shared={"sold": 0})
    spec["invariants"] = ["sold <= 2"]
    result = explore(spec)
    bad = [o for o in result["outcomes"] if o["status"] == "violated"]
    assert bad and bad[0]["shared"]["n"]["sold"] == 3
    two_threads = scenario({"A": sell, "B": sell}, shared={"sold": 0})
    two_threads["invariants"] = ["sold <= 2"]
    assert all(o["status"] == "completed" for o in explore(two_threads)["outcomes"])


def test_an_invariant_with_a_comprehension_is_checked_on_the_node_holding_its_variables():
    spec = network({"a": "send('b', 'Zo\\ufffd')\n", "b": "names.append(recv(timeout=1.0).content)\n"},
                   [{"a": "a", "b": "b"}], shared={"b": {"names": []}})
    spec["invariants"] = ["not any('\\ufffd' in name for name in names)", "all(len(n) < 9 for n in names)"]
    (bad,) = explore(spec)["outcomes"]
    assert bad["status"] == "violated" and bad["violation"]["node"] == "b"
    assert bad["violation"]["invariant"].startswith("not any") and bad["shared"]["b"]["names"] == ["Zo\ufffd"]


def test_in_step_mode_the_learner_chooses_each_step_and_a_blocked_thread_is_refused_with_why():
    spec = builtin("deadlock-two-locks", mode="step")
    events: list[dict] = []
    rt = Runtime(spec, events.append)
    runner = threading.Thread(target=rt.run)
    runner.start()

    def wait_ready(count: int) -> dict:
        import time
        deadline = time.monotonic() + 60  # a bound for a broken run, not a window for a working one
        while time.monotonic() < deadline:
            ready = kinds(events, "step.ready")
            if len(ready) >= count:
                return ready[count - 1]
            time.sleep(0.005)
        raise AssertionError(f"no step.ready #{count}")

    assert wait_ready(1)["enabled"] == ["memory/P1", "memory/P2"]
    rt.control({"type": "step", "thread": "memory/P1"})  # P1 takes x_lock
    wait_ready(2)
    rt.control({"type": "step", "thread": "memory/P2"})  # P2 takes y_lock
    wait_ready(3)
    rt.control({"type": "step", "thread": "memory/P1"})  # P1 asks for y_lock: blocked
    ready = wait_ready(4)
    assert ready["enabled"] == ["memory/P2"]
    assert ready["blocked"] == [{"thread": "memory/P1", "waits_for": "memory/y_lock", "held_by": "memory/P2"}]
    rt.control({"type": "step", "thread": "memory/P1"})
    rt.control({"type": "step", "thread": "memory/P2"})  # P2 asks for x_lock: the cycle closes
    runner.join(60)
    assert not runner.is_alive()
    (refused,) = kinds(events, "step.refused")
    assert refused["reason"] == "memory/P1 waits for memory/y_lock held by memory/P2"
    assert finished(events)["status"] == "deadlock"
    assert finished(events)["schedule"] == ["memory/P1", "memory/P2", "memory/P1", "memory/P2"]


