"""Under control a link delivers first in, first out, like the TCP connection it models
in a free run: only the oldest message held on a link may arrive next, unless the link's
delays (jitter, reordering, a latency lowered since) could let a later one overtake it."""

import threading
import time

from playground.engine.explore import Explorer
from playground.engine.network.held import Delivery, HeldDeliveries
from playground.engine.network.relay import LinkRelay
from playground.engine.network.wire import Message
from playground.engine.runtime import Runtime
from tests.unit.helpers import finished, kinds, network, run, stepped

TWO = {"a": "send('b', 1)\nsend('b', 2)\n", "b": "print(recv().content, recv().content)\n"}


def explored(spec: dict) -> dict:
    events: list[dict] = []
    Explorer(dict(spec, run={**spec["run"], "mode": "explore"}), events.append).run()
    (result,) = kinds(events, "explore.result")
    assert result["exhaustive"]
    return result


def printed(result: dict, thread: str) -> set[str]:
    return {o["outputs"][thread][0] for o in result["outcomes"]}


def delivered(schedule: list[str]) -> list[str]:
    return [s for s in schedule if s.startswith("deliver:")]


def test_two_messages_on_one_link_arrive_in_the_order_sent_on_every_explored_schedule():
    result = explored(network(TWO, [{"a": "a", "b": "b"}]))
    assert printed(result, "b/main") == {"1 2"}
    for outcome in result["outcomes"]:
        assert delivered(outcome["schedule"]) == ["deliver:m1", "deliver:m2"]


def test_a_link_that_can_reorder_or_jitter_lets_the_explorer_try_both_orders():
    for settings in ({"reorder": 0.1}, {"latency_ms": 10, "jitter_ms": 5}):
        result = explored(network(TWO, [{"a": "a", "b": "b", **settings}]))
        assert printed(result, "b/main") == {"1 2", "2 1"}, settings


def test_messages_of_two_links_still_arrive_in_either_order():
    nodes = {"a": "send('c', 'a')\n", "b": "send('c', 'b')\n", "c": "print(recv().content + recv().content)\n"}
    result = explored(network(nodes, [{"a": "a", "b": "c"}, {"a": "b", "b": "c"}]))
    assert printed(result, "c/main") == {"ab", "ba"}


def test_a_duplicate_arrives_right_behind_its_original_unless_the_link_reorders():
    nodes = {"a": "send('b', 1)\nsend('b', 2)\n",
             "b": "print(' '.join(str(recv().content) for i in range(4)))\n"}
    fifo = explored(network(nodes, [{"a": "a", "b": "b", "duplicate": 1.0}]))
    assert printed(fifo, "b/main") == {"1 1 2 2"}
    reordering = explored(network(nodes, [{"a": "a", "b": "b", "duplicate": 1.0, "reorder": 0.5}]))
    assert printed(reordering, "b/main") == {"1 1 2 2", "1 2 1 2", "1 2 2 1", "2 1 1 2", "2 1 2 1", "2 2 1 1"}


def test_in_step_mode_a_click_on_a_message_behind_another_is_refused_with_the_reason():
    spec = network(TWO, [{"a": "a", "b": "b"}], mode="step")
    events = stepped(spec, [{"type": "step", "thread": "a/main"}, {"type": "step", "thread": "a/main"},
                            {"type": "step", "thread": "b/main"}, {"type": "deliver", "msg": "m2"},
                            {"type": "deliver", "msg": "m1"}, {"type": "deliver", "msg": "m2"},
                            {"type": "step", "thread": "b/main"}])
    assert finished(events)["outputs"]["b/main"] == ["1 2"]
    (refused,) = kinds(events, "step.refused")
    assert refused["requested"] == "deliver:m2"
    assert refused["reason"] == "m2 is behind m1 on the link a → b, which delivers in order"


def test_a_replayed_schedule_that_overtakes_on_a_fifo_link_does_not_fit():
    spec = network(TWO, [{"a": "a", "b": "b"}], mode="replay",
                   schedule=["a/main", "a/main", "b/main", "deliver:m2", "deliver:m1", "b/main"])
    end = finished(run(spec))
    assert end["status"] == "failed"
    assert "wants deliver:m2, but only" in end["error"]


# -- the rule itself ---------------------------------------------------------------------
def held(*messages: tuple[str, str, str, tuple[float, float]]) -> HeldDeliveries:
    transport = HeldDeliveries(network=None)
    for mid, sender, recipient, span in messages:
        transport.held.append(Delivery(Message(mid, sender, recipient, None, 0, {}), span=span))
    return transport


def names(transport: HeldDeliveries) -> list[str]:
    return [d.name[8:] for d in transport.ready()]


def test_a_later_message_may_go_first_only_if_its_least_delay_is_below_each_earlier_ones_most():
    fixed = (0.01, 0.01)
    assert names(held(("m1", "a", "b", fixed), ("m2", "a", "b", fixed), ("m3", "b", "a", fixed))) == ["m1", "m3"]
    jittery = (0.005, 0.015)
    assert names(held(("m1", "a", "b", jittery), ("m2", "a", "b", jittery), ("m3", "a", "b", jittery))) == [
        "m1", "m2", "m3"]
    # m2 sent after the latency was lowered overtakes m1, m3 (latency raised again) does not
    assert names(held(("m1", "a", "b", (0.1, 0.1)), ("m2", "a", "b", fixed), ("m3", "a", "b", (0.1, 0.1)))) == [
        "m1", "m2"]
    # a message that may be held back (reordering) can be overtaken; one sent behind it with a
    # fixed delay cannot overtake those before it that arrive on time
    held_back = (0.01, 0.03)
    assert names(held(("m1", "a", "b", fixed), ("m2", "a", "b", held_back), ("m3", "a", "b", fixed))) == ["m1"]
    assert names(held(("m1", "a", "b", held_back), ("m2", "a", "b", fixed))) == ["m1", "m2"]


def test_a_links_span_is_what_its_fates_can_draw():
    def span(**settings) -> tuple[float, float]:
        return LinkRelay("a", "b", settings, 1).span()

    assert span(latency_ms=10) == (0.01, 0.01)
    assert span(latency_ms=10, bandwidth=100) == (0.01, 0.01)  # the queue keeps the order
    assert span(latency_ms=3, jitter_ms=5) == (0.0, 0.008)
    assert span(latency_ms=10, reorder=0.1) == (0.01, 0.03)
    relay = LinkRelay("a", "b", {"latency_ms": 10, "jitter_ms": 2, "reorder": 0.5, "duplicate": 0.5}, 7)
    low, high = relay.span()
    for _ in range(2000):
        for delay, _copy in relay.fate() or []:
            assert low <= delay <= high


def test_what_a_removed_link_or_a_crash_loses_is_gone_and_the_next_message_is_deliverable():
    class Net:
        dropped: list = []

        def drop(self, message, reason):
            self.dropped.append((message.id, reason))

    fixed = (0.01, 0.01)
    transport = held(("m1", "a", "b", fixed), ("m2", "a", "b", fixed), ("m3", "c", "b", fixed),
                     ("m4", "c", "b", fixed), ("m5", "b", "c", fixed))
    transport.network = net = Net()
    transport.held.pop(0)  # m1 delivered (or dropped on a partition when chosen): m2 is next
    assert names(transport) == ["m2", "m3", "m5"]
    transport.lost_link({("c", "b"), ("b", "c")})
    assert names(transport) == ["m2"]
    transport.lost_node("b")
    assert names(transport) == []
    assert net.dropped == [("m3", "link-removed"), ("m4", "link-removed"), ("m5", "link-removed"), ("m2", "crash")]


def test_in_step_mode_a_partition_drops_the_oldest_when_it_is_chosen_and_the_next_arrives_after_the_heal():
    spec = network({"a": "send('b', 1)\nsend('b', 2)\n", "b": "print(recv().content)\n"},
                   [{"a": "a", "b": "b"}], mode="step")
    events: list[dict] = []
    rt = Runtime(spec, events.append)
    runner = threading.Thread(target=rt.run)
    runner.start()

    def ready_with(step: str) -> None:  # wait until the learner is asked and only `step` may go
        for _ in range(6000):
            if any(e["kind"] == "step.ready" and e["enabled"] == [step] for e in list(events)):
                return
            time.sleep(0.01)
        raise AssertionError(f"{step} never became the only step possible")

    for message in ({"type": "step", "thread": "a/main"}, {"type": "step", "thread": "a/main"},
                    {"type": "step", "thread": "b/main"}):
        rt.control(message)
    ready_with("deliver:m1")
    rt.control({"type": "fault", "action": "partition", "cut": [["a", "b"]]})
    rt.control({"type": "deliver", "msg": "m1"})
    ready_with("deliver:m2")
    rt.control({"type": "fault", "action": "heal"})
    for message in ({"type": "deliver", "msg": "m2"}, {"type": "step", "thread": "b/main"}):
        rt.control(message)
    runner.join(60)
    assert not runner.is_alive()
    assert [(e["id"], e["reason"]) for e in kinds(events, "msg.drop")] == [("m1", "partition")]
    assert finished(events)["outputs"]["b/main"] == ["2"]
