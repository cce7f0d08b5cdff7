"""More fault-tolerance lessons (issue 13): partitions and CAP, the circuit breaker,
MapReduce's re-executed tasks and the fallacies of distributed computing, read off their
events (each lesson runs once in-process, cached; orders, counts and contents, never
tight timing windows). Helpers are shared with test_lessons_fault_tolerance.py."""

from __future__ import annotations

import ast
import copy
from collections import Counter

from playground.engine.spec import validate
from tests.sandbox.test_lessons_fault_tolerance import events_of, index, outputs, printed, sent
from tests.unit.helpers import builtin, finished, kinds, run

# -- partition-cap -------------------------------------------------------------------------

def test_partition_cap_during_the_partition_r2_answers_stale_or_refuses_and_after_the_heal_both_agree():
    events = events_of("partition-cap")
    cut = index(events, lambda e: e["kind"] == "net.partition")
    heal = index(events, lambda e: e["kind"] == "net.heal")
    accepted = printed(events, "r1/main", "write x = 1 accepted")
    available = printed(events, "reader/main", "available read of x")
    consistent = printed(events, "reader/main", "consistent read of x")
    assert cut < accepted[0] < available[0] < consistent[0] < heal
    lines = outputs(events, "reader/main")
    assert lines[0] == "available read of x: 0"               # answered: available, stale
    assert "cannot be reached" in lines[1]                     # refused: consistent
    assert not [e for e in kinds(events, "msg.recv")
                if cut < events.index(e) < heal and {e["from"], e["to"]} == {"r1", "r2"}]
    # after the heal r2 catches up and both kinds of read give the write
    caught_up = printed(events, "r2/main", "update from r1: x = 1")
    assert heal < caught_up[0] < available[1]
    assert lines[2:] == ["available read of x: 1", "consistent read of x: 1"]
    end = finished(events)
    assert end["shared"]["r1"]["x"] == end["shared"]["r2"]["x"] == [1, 1]


def test_partition_cap_without_a_partition_both_reads_give_the_write():
    events = run(validate({**copy.deepcopy(builtin("partition-cap")), "faults": []}))
    assert outputs(events, "reader/main") == ["available read of x: 1", "consistent read of x: 1"] * 2


# -- circuit-breaker -----------------------------------------------------------------------

def test_circuit_breaker_opens_spares_the_failing_server_and_closes_after_a_successful_trial():
    events = events_of("circuit-breaker")
    load = finished(events)["shared"]["server"]["load"]
    assert load["naive"] > load["careful"]
    assert load["careful"] <= 3 + 3  # the failures that open it, and about one trial per cool-down
    opened = printed(events, "careful/main", "breaker OPEN")
    half = printed(events, "careful/main", "HALF-OPEN")
    closed = printed(events, "careful/main", "breaker CLOSED")
    assert opened and half and closed and opened[0] < half[0] < closed[-1]
    assert "after 3 failures" in events[opened[0]]["text"]
    # while open, calls failed fast: no message left careful between opening and the next trial
    sends = [i for i, e in enumerate(events) if e["kind"] == "msg.send" and e["from"] == "careful"]
    assert not [i for i in sends if opened[0] < i < half[0]]
    last = outputs(events, "careful/main")[-1]
    assert int(last.split(", ")[2].split()[0]) > 0  # "N failed fast"
    # after the breaker closed the server answered careful again
    answers = [e for e in kinds(events, "msg.send") if e["from"] == "server" and e["to"] == "careful"
               and events.index(e) > closed[-1]]
    assert answers and all("result" in a["content"] for a in answers)


# -- mapreduce-word-count ------------------------------------------------------------------

def test_mapreduce_the_crashed_and_the_slow_workers_tasks_are_re_executed_and_every_word_counted_once():
    spec = builtin("mapreduce-word-count")
    setup = spec["nodes"][0]["setup"]
    text = ast.literal_eval(setup[setup.index("TEXT = ") + 7:setup.index("]", setup.index("TEXT = ")) + 1])
    expected = Counter(" ".join(text).split())
    events = events_of("mapreduce-word-count")
    end = finished(events)
    assert end["status"] == "completed"
    assert end["shared"]["master"]["counts"] == dict(expected)

    crash = index(events, lambda e: e["kind"] == "node.crash" and e["node"] == "w2")
    given = [(i, e["text"]) for i, e in enumerate(events) if e["kind"] == "output" and " -> " in e["text"]]
    w2_task = next(t.split(" -> ")[0] for _, t in given if t.endswith("-> w2"))   # e.g. "map task 1"
    redo = printed(events, "master/main", f"{w2_task} on w2: no result")
    assert redo and redo[0] > crash
    assert any(i > redo[0] and t.startswith(w2_task + " -> ") and not t.endswith("w2") for i, t in given)
    # the slow worker was alive: its task was re-executed all the same, and it answered later
    slow = printed(events, "master/main", "on w3: no result")
    assert slow and any(i > slow[0] for i, e in enumerate(events) if e["kind"] == "msg.send" and e["from"] == "w3")
    assert not [e for e in kinds(events, "node.crash") if e["node"] == "w3"]
    # map and reduce: every map task gave one accepted result, then the reducers ran
    maps = {t.split(" -> ")[0] for _, t in given if t.startswith("map")}
    assert maps == {f"map task {i}" for i in range(len(text))}
    first_reduce = min(i for i, t in given if t.startswith("reduce"))
    assert all(i < first_reduce for i, t in given if t.startswith("map"))


# -- the fallacies -------------------------------------------------------------------------

def test_fallacy_reliable_network_the_client_believes_all_five_orders_arrived_and_two_were_lost():
    events = events_of("fallacy-reliable-network")
    orders = sent(events, **{"from": "client"})
    dropped = {e["id"] for e in kinds(events, "msg.drop") if e["reason"] == "loss"}
    assert len(orders) == 5 and len(dropped) == 2
    assert outputs(events, "client/main") == ["5 orders sent: all done"]
    arrived = [e["content"]["order"] for e in orders if e["id"] not in dropped]
    assert finished(events)["shared"]["shop"]["orders"] == arrived
    assert outputs(events, "shop/main")[-1] == "3 orders received"


def test_fallacy_zero_latency_eight_round_trips_cost_eight_times_the_latency_and_one_batch_one():
    events = events_of("fallacy-zero-latency")
    one_by_one, batch = (float(line.split(" in ")[1].split()[0]) for line in outputs(events, "shop/main"))
    assert one_by_one >= 8 * 2 * 0.050  # each question waits a round trip at least
    assert batch >= 2 * 0.050 and one_by_one > 4 * batch
    assert len(sent(events, **{"from": "shop"})) == 9  # eight questions, then one


def test_fallacy_infinite_bandwidth_fifty_times_the_bytes_take_far_longer_on_the_same_link():
    events = events_of("fallacy-infinite-bandwidth")
    photos = sent(events, **{"from": "photos"})
    full, thumbs = photos[:4], photos[4:]
    assert min(e["transfer_ms"] for e in full) >= 40 * max(e["transfer_ms"] for e in thumbs)
    assert sum(e["transfer_ms"] for e in full) >= 900  # 200 KB at 200,000 bytes a second: about 1 s
    big, small = (float(line.split(" in ")[1].split()[0]) for line in outputs(events, "gallery/main"))
    assert big >= 0.9 and big > 3 * small


def test_fallacy_topology_static_the_fixed_route_fails_after_the_change_and_the_adaptive_one_goes_via_r2():
    events = events_of("fallacy-topology-static")
    removed = index(events, lambda e: e["kind"] == "net.link" and e["change"] == "remove")
    added = index(events, lambda e: e["kind"] == "net.link" and e["change"] == "add")
    failures = printed(events, "fixed/main", "has no link to 'r1'")
    assert failures and all(i > removed for i in failures)
    assert not [e for i, e in enumerate(events) if e["kind"] == "msg.send" and e["from"] == "fixed" and i > removed]
    served = finished(events)["shared"]["server"]["served"]
    assert any(s.startswith("adaptive") and s.endswith("via r2") for s in served)
    assert not [s for s in served if s.startswith("fixed") and s.endswith("via r2")]
    assert any(e["from"] == "adaptive" and e["to"] == "r2" for i, e in enumerate(events)
               if e["kind"] == "msg.send" and i > added)
    fixed_n = int(outputs(events, "fixed/main")[-1].split()[0])
    adaptive_n = int(outputs(events, "adaptive/main")[-1].split()[0])
    assert adaptive_n > fixed_n and fixed_n + len(failures) <= 8
