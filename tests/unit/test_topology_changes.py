"""The topology changes: links added and removed on the fault timeline or by a click.
A send over a removed link fails in the sending thread; a message on its way over it is
dropped (`link-removed`); neighbors() follows; `net.link` says what changed."""

import threading
import time

import pytest

from playground.engine.runtime import Runtime
from playground.engine.spec import SpecError, validate
from tests.unit.helpers import TIMEOUT_MS, finished, kinds, network, run


def wait_for(events: list[dict], test, what: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in list(events):
            if test(event):
                return event
        time.sleep(0.01)
    raise AssertionError(f"no {what} within {timeout} s")


def started(spec: dict) -> tuple[Runtime, list[dict], threading.Thread]:
    events: list[dict] = []
    rt = Runtime(spec, events.append)
    runner = threading.Thread(target=rt.run)
    runner.start()
    return rt, events, runner


# -- on the timeline (free runs) ---------------------------------------------------------
def test_a_link_added_then_removed_on_the_timeline_changes_neighbors_and_what_can_be_sent():
    sender = ("print(neighbors())\n"
              "while not neighbors():\n    sleep(0.01)\n"
              "print(neighbors())\nsend('b', 'over the new link')\n"
              "while neighbors():\n    sleep(0.01)\n"
              "print(neighbors())\nsend('b', 'too late')\n")
    spec = network({"a": sender, "b": "print(recv().content)\n"}, [],
                   faults=[{"at_ms": 100, "action": "link-add", "a": "a", "b": "b", "latency_ms": 5},
                           {"at_ms": 300, "action": "link-remove", "a": "b", "b": "a"}])
    events = run(spec)
    end = finished(events)
    assert end["outputs"]["a/main"] == ["[]", "['b']", "[]"]
    assert end["outputs"]["b/main"] == ["over the new link"]
    (failed,) = kinds(events, "thread.failed")
    assert failed["thread"] == "a/main" and failed["line"] == 9
    assert "a has no link to 'b'" in failed["error"]
    added, removed = kinds(events, "net.link")
    assert (added["change"], added["a"], added["b"], added["settings"]["latency_ms"]) == ("add", "a", "b", 5.0)
    assert (removed["change"], removed["a"], removed["b"]) == ("remove", "b", "a")


def test_a_message_on_its_way_over_a_removed_link_is_dropped():
    # 10 s of latency: the message is still on its way when the test removes the link.
    spec = network({"a": "send('b', 'lost')\n", "b": "recv()\n"}, [{"a": "a", "b": "b", "latency_ms": 10_000}])
    rt, events, runner = started(spec)
    try:
        wait_for(events, lambda e: e["kind"] == "msg.send", "send")
        rt.control({"type": "fault", "action": "link-remove", "a": "a", "b": "b"})
    finally:
        runner.join(60)
    assert not runner.is_alive()
    (drop,) = kinds(events, "msg.drop")
    assert (drop["id"], drop["reason"], drop["from"], drop["to"]) == ("m1", "link-removed", "a", "b")
    assert kinds(events, "msg.recv") == []
    # Nothing can arrive any more: b waits forever, and the run says so at once.
    assert finished(events)["status"] == "deadlock"


def test_a_click_adds_a_link_between_nodes_the_spec_never_linked():
    receiver = "m = recv()\nreply(m, m.content + 1)\n"
    sender = "while 'b' not in neighbors():\n    sleep(0.01)\nsend('b', 41)\nprint(recv().content)\n"
    rt, events, runner = started(network({"a": sender, "b": receiver}, []))
    try:
        wait_for(events, lambda e: e["kind"] == "thread.started", "a thread")
        rt.control({"type": "fault", "action": "link-add", "a": "b", "b": "a", "settings": {"latency_ms": 1}})
    finally:
        runner.join(60)
    assert finished(events)["outputs"]["a/main"] == ["42"]
    (added,) = kinds(events, "net.link")
    assert added["change"] == "add" and added["settings"]["latency_ms"] == 1.0


def test_a_removed_link_can_be_added_again_and_carries_messages():
    sender = ("send('b', 1)\nwhile neighbors():\n    sleep(0.01)\n"
              "while not neighbors():\n    sleep(0.01)\nsend('b', 2)\n")
    receiver = "print(recv().content)\nprint(recv().content)\n"
    spec = network({"a": sender, "b": receiver}, [{"a": "a", "b": "b"}],
                   faults=[{"at_ms": 200, "action": "link-remove", "a": "a", "b": "b"},
                           {"at_ms": 300, "action": "link-add", "a": "a", "b": "b", "bandwidth": 1000}])
    events = run(spec)
    assert finished(events)["outputs"]["b/main"] == ["1", "2"]
    assert [e["change"] for e in kinds(events, "net.link")] == ["remove", "add"]
    assert kinds(events, "msg.send")[1]["transfer_ms"] == 1.0  # the new link's settings


def test_clicks_that_name_no_link_or_no_node_change_nothing():
    spec = network({"a": "sleep(0.2)\nprint(neighbors())\n", "b": ""}, [{"a": "a", "b": "b"}])
    rt, events, runner = started(spec)
    try:
        wait_for(events, lambda e: e["kind"] == "thread.started", "a thread")
        for click in ({"action": "link-add", "a": "a", "b": "b"}, {"action": "link-add", "a": "a", "b": "nobody"},
                      {"action": "link-add", "a": "a", "b": "a"}, {"action": "link-remove", "a": "a", "b": "zed"},
                      {"action": "link-add", "a": ["x"], "b": {"y": 1}},
                      {"action": "link", "a": "a", "b": "b", "settings": {"loss": "lots", "bandwidth": -3}}):
            rt.control({"type": "fault", **click})
    finally:
        runner.join(60)
    assert finished(events)["outputs"]["a/main"] == ["['b']"]
    (change,) = kinds(events, "net.link")  # the last click: a change with no valid setting in it
    assert change["change"] == "settings" and change["settings"]["loss"] == 0 and change["settings"]["bandwidth"] is None


# -- under control (held deliveries) --------------------------------------------------------
def test_under_step_control_removing_a_link_drops_its_held_deliveries_and_fails_the_next_send():
    spec = network({"a": "send('b', 1)\nsend('b', 2)\n", "b": "print(recv(timeout=5))\n"},
                   [{"a": "a", "b": "b"}], mode="step")
    rt, events, runner = started(spec)
    try:
        rt.control({"type": "step", "thread": "a/main"})  # m1 sent and held; a waits at its next send
        wait_for(events, lambda e: e["kind"] == "step.ready", "the learner's turn")
        rt.control({"type": "fault", "action": "link-remove", "a": "a", "b": "b"})
        wait_for(events, lambda e: e["kind"] == "msg.drop", "the drop")
        rt.control({"type": "step", "thread": "a/main"})  # send('b', 2): no link any more
        rt.control({"type": "continue"})
    finally:
        runner.join(60)
    assert not runner.is_alive()
    (drop,) = kinds(events, "msg.drop")
    assert (drop["id"], drop["reason"]) == ("m1", "link-removed")
    (failed,) = kinds(events, "thread.failed")
    assert failed["thread"] == "a/main" and "has no link to 'b'" in failed["error"]
    assert finished(events)["outputs"]["b/main"] == ["None"]
    assert kinds(events, "net.link")[0]["change"] == "remove"


# -- the spec -------------------------------------------------------------------------------
def errors(faults: list[dict], links: list[dict] | None = None) -> list[dict]:
    data = {"nodes": [{"id": "a", "threads": [{"name": "t", "code": "pass"}]}, {"id": "b"}, {"id": "c"}],
            "links": [{"a": "a", "b": "b"}] if links is None else links, "faults": faults,
            "run": {"timeout_ms": TIMEOUT_MS}}
    with pytest.raises(SpecError) as err:
        validate(data)
    return err.value.errors


def test_topology_faults_are_checked_at_their_paths_against_the_links_of_their_time():
    assert errors([{"at_ms": 1, "action": "link-add", "a": "a", "b": "zed"}]) == [
        {"path": "faults[0].b", "message": "unknown node 'zed'"}]
    assert errors([{"at_ms": 1, "action": "link-remove", "a": "a"}]) == [
        {"path": "faults[0].b", "message": "a link-remove needs `b`"}]
    assert errors([{"at_ms": 1, "action": "link-add", "a": "b", "b": "a"}]) == [
        {"path": "faults[0]", "message": "b and a are already linked at 1 ms"}]
    assert errors([{"at_ms": 1, "action": "link-add", "a": "c", "b": "c"}])[0]["message"] == \
        "a link joins two different nodes"
    # In time order, whatever the list's order: removed at 5, so it cannot be removed at 9.
    assert errors([{"at_ms": 9, "action": "link-remove", "a": "a", "b": "b"},
                   {"at_ms": 5, "action": "link-remove", "a": "b", "b": "a"}]) == [
        {"path": "faults[0]", "message": "there is no link between a and b to remove at 9 ms"}]
    assert errors([{"at_ms": 1, "action": "link-add", "a": "a", "b": "c", "loss": 2}]) == [
        {"path": "faults[0].settings.loss", "message": "Input should be less than or equal to 1"}]
    assert errors([{"at_ms": 1, "action": "link-add", "a": "a", "b": "c", "settings": {"speed": 1}}])[0]["path"] \
        == "faults[0].settings.speed"
    assert errors([{"at_ms": 1, "action": "crash", "node": "b", "latency_ms": 5}]) == [
        {"path": "faults[0].settings", "message": "a crash has no link settings (only link and link-add)"}]


def test_a_valid_timeline_of_topology_changes_is_normalised_with_its_settings_in_settings():
    spec = validate({"nodes": [{"id": "a", "threads": [{"name": "t", "code": "pass"}]}, {"id": "b"}],
                     "faults": [{"at_ms": 10, "action": "link-add", "a": "a", "b": "b", "latency_ms": 3,
                                 "bandwidth": 500},
                                {"at_ms": 20, "action": "link-remove", "a": "b", "b": "a"},
                                {"at_ms": 30, "action": "link-add", "a": "b", "b": "a"}]})
    first = spec["faults"][0]
    assert first["settings"] == {"latency_ms": 3, "bandwidth": 500} and "latency_ms" not in first
    assert [f["action"] for f in spec["faults"]] == ["link-add", "link-remove", "link-add"]
