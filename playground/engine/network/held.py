"""Controlled runs: messages held in memory, each arrival a step to choose.

Under controlled scheduling the learner (or the explorer) decides when a message
arrives: a message's fate (loss, a duplicate) is drawn when it is sent, and each
copy that survives waits here as a `Delivery` until it is chosen. No sockets, no
clock: exact, replayable, explorable.
"""

from __future__ import annotations

from .wire import Message


class Delivery:
    """A held message whose arrival is a step to choose (`deliver:m7`, a duplicate `deliver:m7'`)."""

    enabled = True

    def __init__(self, message: Message, copy: int = 0):
        self.message = message
        self.name = f"deliver:{message.id}" + ("'" if copy else "")


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
        fate = self.network.route((message.sender, message.recipient), message)
        if fate is not None:
            message.vtime += min(delay for delay, _ in fate)
            self.held.extend(Delivery(message, copy) for _, copy in fate)

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
