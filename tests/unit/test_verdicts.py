"""Verdicts in-process: every run's `run.finished` says what happened in the learner's
words, consistent with its events (a deadlock's kind, the lost update, the invariant,
the failed and the crashed threads); free runs draw a seed and report it; a paced run
goes at most `pace` steps a second."""

from __future__ import annotations

import re
import threading
import time

from playground.engine import verdicts
from playground.engine.contract import VERDICT_KINDS
from playground.engine.runner import make_run
from tests.unit.helpers import builtin, finished, kinds, run, scenario


def replay(spec: dict, schedule: list[str]) -> list[dict]:
    return run(dict(spec, run={**spec["run"], "mode": "replay", "schedule": schedule}))


def verdict_of(events: list[dict]) -> dict:
    v = finished(events)["verdict"]
    assert v["kind"] in VERDICT_KINDS and set(v) == {"kind", "ok", "title", "text", "details"}
    return v


# -- deadlocks: a cycle, or a lock kept by a thread that has finished ----------------------
def test_forgotten_release_is_stuck_on_a_finished_owner_not_a_cycle():
    for seed in range(5):
        events = run(builtin("forgotten-release", seed=seed))
        (dead,) = kinds(events, "deadlock")
        assert dead["deadlock_kind"] == "held-by-finished" and dead["reason"] == "all-blocked"
        waiter, owner = dead["cycle"][0]["thread"], dead["cycle"][0]["held_by"]
        assert dead["message"] == (f"{waiter} waits forever for counter/counter_lock, which {owner} "
                                   "still held when it finished.")
        # the wait-for graph shows the owner, finished, holding the lock
        states = {n["id"]: n.get("state") for n in dead["graph"]["nodes"]}
        assert states[owner] == "finished"
        assert {"from": "counter/counter_lock", "to": owner, "type": "holds"} in dead["graph"]["edges"]
        v = verdict_of(events)
        assert v["kind"] == "stuck" and not v["ok"]
        assert re.fullmatch(r"P[12] waits forever for counter_lock, which P[12] still held when it finished\.",
                            v["text"])
        assert "circle" not in v["text"] and "cycle" not in v["text"]


def test_two_locks_taken_in_opposite_orders_are_a_cycle():
    events = run(builtin("deadlock-two-locks"))
    (dead,) = kinds(events, "deadlock")
    assert dead["deadlock_kind"] == "cycle"
    v = verdict_of(events)
    assert v["kind"] == "deadlock-cycle"
    parts = set(v["text"].removeprefix("deadlock: ").rstrip(".").split(", "))
    assert parts == {"P1 holds x_lock and waits for y_lock", "P2 holds y_lock and waits for x_lock"}


def test_a_thread_waiting_for_an_event_nobody_sets_is_stuck():
    spec = scenario({"P1": "ready.wait()\n"}, resources=[{"name": "ready", "type": "event"}])
    v = verdict_of(run(spec))
    assert v["kind"] == "stuck"
    assert v["text"] == "P1 waits forever for ready, which no live thread will release or signal."


# -- lost updates, invariants, non-serial outcomes -----------------------------------------
LOST = ["bank/P1", "bank/P1", "bank/P2", "bank/P2", "bank/P1", "bank/P1", "bank/P2", "bank/P2"]
OVERDRAFT = ["bank/P1", "bank/P1", "bank/P2", "bank/P1", "bank/P1", "bank/P2", "bank/P2", "bank/P2"]


def test_a_lost_update_is_named_with_both_writes_and_the_stale_read():
    events = replay(builtin("bank-withdraw-race"), LOST)
    end = finished(events)
    assert end["status"] == "completed" and end["shared"]["bank"]["balance"] == 3
    v = verdict_of(events)
    assert v["kind"] == "lost-update" and not v["ok"]
    assert v["text"] == ("lost update: P2's write of 3 overwrote P1's write of 2 "
                         "(P2 had read balance = 10 before P1 wrote)")
    assert v["details"]["variable"] == "balance" and v["details"]["overwrote"] == "bank/P1"


def test_the_overdraft_breaks_the_invariant_with_its_values():
    v = verdict_of(replay(builtin("bank-withdraw-race"), OVERDRAFT))
    assert v["kind"] == "violated"
    assert v["text"] == "invariant broken: balance >= 0 is false with balance = -5"
    assert v["details"]["values"] == {"balance": -5}


def test_without_the_invariant_the_overdraft_is_not_serial():
    spec = builtin("bank-withdraw-race")
    spec["invariants"] = []
    v = verdict_of(replay(spec, OVERDRAFT))
    assert v["kind"] == "non-serial" and not v["ok"]
    assert v["text"].startswith("not serial: this outcome (balance = -5) is none of those of running the threads "
                                "one after another (P1 then P2: balance = 2; P2 then P1: balance = 3)")
    assert v["details"]["schedule"] == OVERDRAFT


def test_the_serial_runs_of_the_race_are_plain_completions():
    spec = builtin("bank-withdraw-race")
    for schedule in (["bank/P1"] * 4 + ["bank/P2"] * 2, ["bank/P2"] * 4 + ["bank/P1"] * 2):
        v = verdict_of(replay(spec, schedule))
        assert (v["kind"], v["ok"], v["text"]) == ("completed", True, "Every thread finished.")


def test_with_the_lock_free_runs_complete():
    for seed in range(5):
        v = verdict_of(run(builtin("bank-withdraw-lock", seed=seed)))
        assert v["kind"] == "completed" and v["ok"]


def test_a_container_changed_in_place_is_left_to_the_serial_check():
    spec = scenario({"P1": "d['n'] = d['n'] + 1\n", "P2": "d['n'] = d['n'] + 1\n"}, shared={"d": {"n": 0}})
    events = replay(spec, ["n/P1", "n/P2", "n/P1", "n/P2"])
    assert all(w["in_place"] for w in kinds(events, "var.write"))
    v = verdict_of(events)
    assert v["kind"] == "non-serial" and 'd = {"n": 1}' in v["text"]


# -- failures, crashes, time, cancel ---------------------------------------------------------
def test_a_failed_thread_is_listed_with_its_line_and_error():
    spec = scenario({"P1": "x = 1\n", "P2": "y = 2\nz = y / 0\n"}, shared={"x": 0})
    v = verdict_of(run(spec))
    assert v["kind"] == "failed"
    assert v["text"] == "P2 failed (line 2): ZeroDivisionError: division by zero."
    assert [f["thread"] for f in v["details"]["failed"]] == ["n/P2"]


def test_a_crash_is_said_not_every_thread_finished():
    events = run(builtin("server-single-point-of-failure"))
    end = finished(events)
    assert end["status"] == "completed"
    v = verdict_of(events)
    assert v["kind"] == "completed" and v["title"] == "Completed after a crash"
    assert "server/main stopped when its node crashed (server)" in v["text"]
    assert "Every thread finished" not in v["text"]


def test_time_up_and_cancel():
    spec = scenario({"P1": "while True:\n    x = x + 1\n"}, shared={"x": 0}, timeout_ms=300)
    v = verdict_of(run(spec))
    assert v["kind"] == "timeout" and "time limit" in v["text"]
    events: list[dict] = []
    rt = make_run(scenario({"P1": "while True:\n    x = x + 1\n"}, shared={"x": 0}), events.append)
    threading.Timer(0.2, rt.cancel).start()
    rt.run()
    assert verdict_of(events)["kind"] == "cancelled"


def test_the_verdict_of_the_events_is_the_one_run_finished_carries():
    for slug in ("forgotten-release", "deadlock-two-locks", "bank-withdraw-lock"):
        spec = builtin(slug)
        events = run(spec)
        assert verdicts.verdict(events, spec) == finished(events)["verdict"]
    spec = builtin("bank-withdraw-race")
    events = replay(spec, LOST)
    assert verdicts.verdict(events, spec) == finished(events)["verdict"]


# -- seeds and pace ------------------------------------------------------------------------
def test_a_free_run_without_a_seed_draws_one_and_reports_it():
    spec = builtin("shared-x-race")
    spec["run"].pop("seed", None)
    seeds = set()
    for _ in range(3):
        events = run(spec)
        assert events[0]["seed"] == finished(events)["seed"]
        seeds.add(events[0]["seed"])
    assert len(seeds) == 3
    again = run(dict(spec, run={**spec["run"], "seed": 42}))
    assert again[0]["seed"] == finished(again)["seed"] == 42


def test_a_paced_run_takes_at_most_pace_steps_a_second_and_stops_at_once():
    spec = scenario({"P1": "for i in range(5):\n    x = x + 1\n", "P2": "for i in range(5):\n    x = x + 1\n"},
                    shared={"x": 0}, pace=50)
    start = time.monotonic()
    events = run(spec)
    steps = len(kinds(events, "var.read")) + len(kinds(events, "var.write"))
    assert steps == 20
    assert time.monotonic() - start >= (steps - 1) / 50
    assert finished(events)["status"] == "completed"
    events = []
    rt = make_run(scenario({"P1": "while True:\n    x = x + 1\n"}, shared={"x": 0}, pace=0.5), events.append)
    threading.Timer(0.3, rt.cancel).start()
    start = time.monotonic()
    rt.run()
    assert time.monotonic() - start < 1.5
    assert len(kinds(events, "var.read")) <= 1
