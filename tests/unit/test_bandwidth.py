"""A link's bandwidth: a large message takes longer than a small one, and the messages
on one direction of a link go through one at a time, first in, first out.

Free runs are timed by the machine: these tests assert only lower bounds (a timer never
fires early) and orderings, which hold however loaded the machine is."""

import pytest

from playground.engine.network import LinkRelay
from playground.engine.spec import SpecError, validate
from tests.unit.helpers import TIMEOUT_MS, finished, kinds, network, run

BIG = 5000  # bytes of JSON: 'x' * 4998 and its two quotes
SLOW = {"bandwidth": 10_000}  # bytes a second: BIG takes 0.5 s


def by_id(events: list[dict], kind: str) -> dict[str, dict]:
    return {e["id"]: e for e in kinds(events, kind)}


# -- the relay's arithmetic ---------------------------------------------------------
def test_a_message_takes_its_size_over_the_bandwidth_on_top_of_the_latency():
    relay = LinkRelay("a", "b", {"latency_ms": 20, **SLOW}, seed=1)
    assert relay.transfer_s(BIG) == 0.5
    ((delay, copy),) = relay.fate(BIG, now=100.0)
    assert copy == 0 and delay == pytest.approx(0.52)
    assert LinkRelay("a", "b", {"latency_ms": 20}, seed=1).fate(BIG, now=100.0) == [(0.02, 0)]


def test_back_to_back_messages_queue_one_transfer_time_apart_and_the_queue_drains():
    relay = LinkRelay("a", "b", SLOW, seed=1)
    first, second, small = (relay.fate(size, now=10.0)[0][0] for size in (BIG, BIG, 50))
    assert (first, second) == (pytest.approx(0.5), pytest.approx(1.0))
    assert small == pytest.approx(1.005)  # behind both: one message at a time, in order
    assert relay.fate(50, now=20.0)[0][0] == pytest.approx(0.005)  # the link is idle again


def test_without_a_clock_the_relay_adds_the_transfer_time_but_queues_nothing():
    relay = LinkRelay("a", "b", SLOW, seed=1)
    assert [relay.fate(BIG)[0][0] for _ in range(3)] == [0.5, 0.5, 0.5]


def test_a_link_change_sets_or_lifts_the_bandwidth():
    relay = LinkRelay("a", "b", {}, seed=1)
    assert relay.settings["bandwidth"] is None and relay.transfer_s(10**6) == 0
    relay.change({"bandwidth": 1000})
    assert relay.transfer_s(500) == 0.5
    relay.change({"bandwidth": None})
    assert relay.transfer_s(500) == 0


def test_bandwidth_draws_nothing_from_the_seed():
    plain = LinkRelay("a", "b", {"loss": 0.3, "jitter_ms": 5}, seed=7)
    slow = LinkRelay("a", "b", {"loss": 0.3, "jitter_ms": 5, **SLOW}, seed=7)
    fates = [(plain.fate(100), slow.fate(100)) for _ in range(200)]
    assert all((p is None) == (s is None) for p, s in fates)  # the same messages lost


# -- free runs: real time ---------------------------------------------------------------
def test_a_large_message_arrives_at_least_its_transfer_time_after_it_was_sent_a_small_one_sooner():
    sender = "send('b', 'x' * 4998)\nsend('c', 'y' * 48)\n"
    events = run(network({"a": sender, "b": "recv()\n", "c": "recv()\n"},
                         [{"a": "a", "b": "b", **SLOW}, {"a": "a", "b": "c", **SLOW}]))
    assert finished(events)["status"] == "completed"
    sent, received = by_id(events, "msg.send"), by_id(events, "msg.recv")
    assert (sent["m1"]["bytes"], sent["m2"]["bytes"]) == (BIG, 50)
    assert (sent["m1"]["transfer_ms"], sent["m2"]["transfer_ms"]) == (500.0, 5.0)
    assert received["m1"]["t"] - sent["m1"]["t"] >= 0.5
    assert received["m2"]["t"] - sent["m2"]["t"] >= 0.005
    # Sent after the large one, on another link: it overtakes it.
    assert received["m2"]["seq"] < received["m1"]["seq"]


def test_two_large_messages_back_to_back_arrive_one_transfer_time_apart_in_order():
    sender = "send('b', 'x' * 4998)\nsend('b', 'y' * 4998)\nsend('b', 'z')\n"
    receiver = "for i in range(3):\n    print(recv().content[0])\n"
    events = run(network({"a": sender, "b": receiver}, [{"a": "a", "b": "b", **SLOW}]))
    assert finished(events)["outputs"]["b/main"] == ["x", "y", "z"]  # one at a time, first in first out
    sent, received = by_id(events, "msg.send"), by_id(events, "msg.recv")
    assert received["m1"]["t"] - sent["m1"]["t"] >= 0.5
    assert received["m2"]["t"] - sent["m1"]["t"] >= 1.0  # waited for the first to go through
    assert received["m3"]["t"] - sent["m1"]["t"] >= 1.0  # small, but behind both


def test_each_direction_of_a_link_has_its_own_queue():
    code = "send('{0}', 'x' * 4998)\nrecv()\n"
    events = run(network({"a": code.format("b"), "b": code.format("a")}, [{"a": "a", "b": "b", **SLOW}]))
    assert finished(events)["status"] == "completed"
    sent, received = by_id(events, "msg.send"), by_id(events, "msg.recv")
    for mid in sent:
        assert received[mid]["t"] - sent[mid]["t"] >= 0.5


# -- controlled runs: the order is chosen, the event says the transfer time -----------------
def test_under_control_bandwidth_changes_no_possible_order_and_the_send_says_its_transfer_time():
    nodes = {"a": "send('b', 'x' * 4998)\nsend('b', 'y')\n", "b": "print(recv().content[0], recv().content[0])\n"}
    schedule = ["a/main", "a/main", "b/main", "deliver:{}", "deliver:{}", "b/main"]
    # On a link that reorders the learner chooses either order, not the sizes'
    for first, second, printed in (("m2", "m1", "y x"), ("m1", "m2", "x y")):
        spec = network(nodes, [{"a": "a", "b": "b", "reorder": 0.1, **SLOW}], mode="replay",
                       schedule=[s.format(first) if k == 3 else s.format(second) for k, s in enumerate(schedule)])
        events = run(spec)
        assert finished(events)["outputs"]["b/main"] == [printed]
        assert [e["transfer_ms"] for e in kinds(events, "msg.send")] == [500.0, 0.3]
        chosen = next(e for e in kinds(events, "step") if e.get("deliver") == first)
        assert {"deliver:m1", "deliver:m2"} <= set(chosen["enabled"])
    # on one that does not, the small message waits behind the large one (as in a free run: its queue)
    events = run(network(nodes, [{"a": "a", "b": "b", **SLOW}], mode="replay",
                         schedule=[s.format("m1") if k == 3 else s.format("m2") for k, s in enumerate(schedule)]))
    assert finished(events)["outputs"]["b/main"] == ["x y"]
    chosen = next(e for e in kinds(events, "step") if e.get("deliver") == "m1")
    assert "deliver:m2" not in chosen["enabled"]


def test_a_link_without_bandwidth_says_no_transfer_time():
    events = run(network({"a": "send('b', 1)\n", "b": "recv()\n"}, [{"a": "a", "b": "b"}]))
    assert "transfer_ms" not in kinds(events, "msg.send")[0]


# -- the spec ---------------------------------------------------------------------------
def spec_errors(links: list[dict], faults: list[dict] | None = None) -> list[dict]:
    data = {"nodes": [{"id": "a", "threads": [{"name": "t", "code": "pass"}]}, {"id": "b"}],
            "links": links, "faults": faults or [], "run": {"timeout_ms": TIMEOUT_MS}}
    with pytest.raises(SpecError) as err:
        validate(data)
    return err.value.errors


def test_a_bandwidth_is_a_positive_number_of_bytes_a_second_or_absent():
    spec = network({"a": "pass\n", "b": ""}, [{"a": "a", "b": "b"}, {"a": "b", "b": "a", "bandwidth": 56_000}])
    assert spec["links"][0]["bandwidth"] is None and spec["links"][1]["bandwidth"] == 56_000
    for bad in (0, -5, "fast"):
        (error,) = spec_errors([{"a": "a", "b": "b", "bandwidth": bad}])
        assert error["path"] == "links[0].bandwidth"
    (error,) = spec_errors([{"a": "a", "b": "b"}],
                           [{"at_ms": 5, "action": "link", "a": "a", "b": "b", "settings": {"bandwidth": 0}}])
    assert error["path"] == "faults[0].settings.bandwidth"


def test_a_link_fault_changes_the_bandwidth_mid_run():
    spec = network({"a": "sleep(0.2)\nsend('b', 'x' * 4998)\n", "b": "recv()\n"}, [{"a": "a", "b": "b"}],
                   faults=[{"at_ms": 50, "action": "link", "a": "a", "b": "b", "bandwidth": 10_000}])
    events = run(spec)
    (change,) = kinds(events, "net.link")
    assert change["change"] == "settings" and change["settings"]["bandwidth"] == 10_000
    send, recv = kinds(events, "msg.send")[0], kinds(events, "msg.recv")[0]
    if send["t"] > change["t"]:  # (a machine slower than 150 ms could send first)
        assert send["transfer_ms"] == 500.0 and recv["t"] - send["t"] >= 0.5
