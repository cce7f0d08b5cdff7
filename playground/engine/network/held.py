"""Controlled runs: messages held in memory, each arrival a step to choose.

Under controlled scheduling the learner (or the explorer) decides when a message
arrives: a message's fate (loss, a duplicate) is drawn when it is sent, and each
copy that survives waits here as a `Delivery` until it is chosen. No sockets, no
clock: exact, replayable, explorable.

A link is a TCP connection: first in, first out. Only the oldest message held on
each directed link may arrive next (a duplicate right behind its original), as in
a free run — unless a free run's delays could let a later message overtake it
(`LinkRelay.span`: the link's jitter or reordering, or a latency lowered since it
was sent); then that later message may arrive first too. Both orders of two
links' messages stay possible, as do losses to crashes, partitions and removed
links (checked when a delivery happens).
"""

from __future__ import annotations

from .wire import Message


class Delivery:
    """A held message whose arrival is a step to choose (`deliver:m7`, a duplicate `deliver:m7'`)."""

    enabled = True

    def __init__(self, message: Message, copy: int = 0, span: tuple[float, float] = (0.0, 0.0)):
        self.message = message
        self.name = f"deliver:{message.id}" + ("'" if copy else "")
        self.link = (message.sender, message.recipient)
        self.span = span  # the least and the most delay a free run could give it (LinkRelay.span)


class HeldDeliveries:
    """The transport of controlled runs (same interface as `SocketTransport`)."""

    wall_clock = False  # the scenario's fault timeline is not applied: faults come from clicks

    def __init__(self, network):
        self.network = network
        self.held: list[Delivery] = []
        self.ports: dict[str, int] = {}  # no sockets

    def start(self, timeline) -> None:
        pass

    def close(self) -> None:
        pass

    def accept(self, message: Message) -> None:
        """Monitor held, just sent: loss and duplication are drawn now; arrivals wait.
        The message's virtual time becomes that of its arrival: sent, plus the latency and
        the transfer time its size takes on a link with a bandwidth (for `now()`)."""
        link = (message.sender, message.recipient)
        fate = self.network.route(link, message)
        if fate is not None:
            message.vtime += min(delay for delay, _ in fate)
            span = self.network.relays[link].span()
            self.held.extend(Delivery(message, copy, span) for _, copy in fate)

    def ready(self) -> list[Delivery]:
        """The deliveries that may happen next: on each link, those that can arrive before
        every message held on it that was sent before them (the oldest always can)."""
        ready: list[Delivery] = []
        latest: dict[tuple[str, str], float] = {}  # link -> the least "most delay" of those before
        for d in self.held:
            before = latest.get(d.link)
            if before is None or d.span[0] < before:
                ready.append(d)
            latest[d.link] = d.span[1] if before is None else min(before, d.span[1])
        return ready

    def push(self, message: Message) -> None:
        pass  # nothing travels until a delivery is chosen

    def deliver(self, delivery: Delivery) -> None:
        """Monitor held: the chosen delivery happens now."""
        net, rt = self.network, self.network.rt
        if delivery not in self.held:  # lost (a crash, a removed link) while it was being chosen
            return
        self.held.remove(delivery)
        message = delivery.message
        node = message.recipient
        if rt.footprint is not None:
            rt.footprint.add(("inbox", node, "", "w"))
        if (message.sender, node) not in net.relays:  # removed since (normally dropped then)
            net.drop(message, "link-removed")
            return
        if (message.sender, node) in net.partition:
            net.drop(message, "partition")
            return
        if node in net.crashed:
            net.drop(message, "crash")
            return
        rt.emit_run("msg.deliver", id=message.id, **{"from": message.sender, "to": node})
        net.arrive(node, message)

    def lost_node(self, node: str) -> None:
        """Monitor held: deliveries to a crashed node are lost."""
        for d in [d for d in self.held if d.message.recipient == node]:
            self.held.remove(d)
            self.network.drop(d.message, "crash")

    def lost_link(self, pairs: set) -> None:
        """Monitor held: deliveries over a removed link are lost."""
        for d in [d for d in self.held if (d.message.sender, d.message.recipient) in pairs]:
            self.held.remove(d)
            self.network.drop(d.message, "link-removed")
