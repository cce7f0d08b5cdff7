"""The network of one run: links, inboxes, crashes and the way messages travel.

`Network` is what the runtime and the snippet API talk to. It keeps what both
modes share — the links' relays, the partition, the crashed nodes, the inboxes,
the count of messages in flight — and hands the carrying to a transport chosen
once, by mode: `SocketTransport` (free runs: real sockets, relays on a network
thread) or `HeldDeliveries` (controlled runs: each arrival a step to choose).
"""

from __future__ import annotations

import itertools
from typing import Any

from ..events import MAX_VALUE_BYTES, snapshot
from .faults import FaultTimeline, NodeCrashed, Partition
from .held import Delivery, HeldDeliveries
from .inbox import Inbox
from .relay import LinkRelay
from .sockets import SocketTransport
from .wire import Message, check_content, encode_content


class Network:
    """Links, relays, partitions and crashes for one run."""

    def __init__(self, runtime, spec: dict):
        self.rt = runtime
        self.node_ids = [n["id"] for n in spec["nodes"]]
        self.relays: dict[tuple[str, str], LinkRelay] = {}
        for link in spec.get("links", []):
            for a, b in ((link["a"], link["b"]), (link["b"], link["a"])):
                self.relays[a, b] = LinkRelay(a, b, link, runtime.seed)
        self.known = set(self.relays)  # every directed link the run has had (a removed one's frames)
        self.partition = Partition(self.node_ids)
        self.crashed: set[str] = set()
        self.inboxes = {n: Inbox(n) for n in self.node_ids}
        self.ids = itertools.count(1)
        self.in_flight = 0
        self.transport = HeldDeliveries(self) if runtime.controlled else SocketTransport(self)
        # Under control there is no wall clock: faults come from the learner's clicks only.
        self.timeline = FaultTimeline(self, spec.get("faults", []) if self.transport.wall_clock else [])

    @property
    def held(self) -> list[Delivery]:
        """Controlled runs: the deliveries waiting to be chosen (free runs: none)."""
        return self.transport.held

    def ready(self) -> list[Delivery]:
        """Controlled runs: the held deliveries that may happen next (each link first in,
        first out unless its delays can reorder: `HeldDeliveries.ready`)."""
        return self.transport.ready()

    @property
    def ports(self) -> dict[str, int]:
        """Free runs: each node's listening port, and the relays' ("relay")."""
        return self.transport.ports

    def start(self) -> None:
        """Start the fault timeline and, in free mode, the network thread."""
        self.transport.start(self.timeline)

    def close(self) -> None:
        self.transport.close()

    # -- sending and receiving (snippet threads) ---------------------------------
    def neighbors(self, node: str) -> list[str]:
        return sorted({b for (a, b) in self.relays if a == node})

    def send(self, ctx, to: str, content: Any) -> str:
        """Called by a snippet thread (monitor not held)."""
        rt, sender = self.rt, ctx.node.id
        if (sender, to) not in self.relays:
            known = ", ".join(self.neighbors(sender)) or "none"
            raise ValueError(f"{sender} has no link to {to!r} (its links go to: {known})")
        check_content(content)
        rt.point(ctx)
        body, content = encode_content(content)
        shown = content if len(body) <= MAX_VALUE_BYTES else snapshot(content)
        with rt.mutex:
            relay = self.relays.get((sender, to))
            if relay is None:  # removed since the check above
                raise ValueError(f"{sender} has no link to {to!r} any more (it was removed)")
            mid = f"m{next(self.ids)}"
            extra = {}
            if relay.settings["bandwidth"]:  # the time its bytes take to go through the link
                extra["transfer_ms"] = round(relay.transfer_s(len(body)) * 1000, 3)
            rt.emit_at(ctx, "msg.send", id=mid, **{"from": sender, "to": to}, content=shown,
                       bytes=len(body), **extra)
            clock = ctx.node.clock
            message = Message(mid, sender, to, content, clock.lamport, dict(clock.vc), len(body))
            message.vtime = ctx.vtime
            self.in_flight += 1
            self.transport.accept(message)
        self.transport.push(message)
        return mid

    def recv(self, ctx, timeout: float | None) -> Message | None:
        """Called by a snippet thread: the next message, or None after `timeout` seconds."""
        rt, node = self.rt, ctx.node.id
        rt.point(ctx)
        with rt.mutex:
            if ctx.node.crashed:  # crashed since its scheduling point: nothing is received any more
                raise NodeCrashed()
            message = self.inboxes[node].take(ctx, rt.wait_until, timeout)
            if message is None:
                return None
            ctx.vtime = max(ctx.vtime, message.vtime)  # controlled runs: not before it arrived
            ctx.node.clock.merge(message.lamport, message.vc)
            rt.emit_at(ctx, "msg.recv", id=message.id, **{"from": message.sender, "to": node})
        return message

    # -- on the way (monitor held) -------------------------------------------------
    def route(self, link: tuple[str, str], message: Message,
              now: float | None = None) -> list[tuple[float, int]] | None:
        """The message's fate on `link`: None if it is dropped, else the delay of each
        copy (a duplicate is announced now). `now`: see `LinkRelay.fate`."""
        relay = self.relays.get(link)
        if relay is None:
            return self.drop(message, "link-removed")
        if link in self.partition:
            return self.drop(message, "partition")
        if link[1] in self.crashed:
            return self.drop(message, "crash")
        fate = relay.fate(message.size, now)
        if fate is None:
            return self.drop(message, "loss")
        if len(fate) > 1:
            self.in_flight += 1
            self.rt.emit_run("msg.duplicate", id=message.id, copy=f"{message.id}'",
                             **{"from": link[0], "to": link[1]})
        return fate

    def drop(self, message: Message, reason: str) -> None:
        self.in_flight -= 1
        self.rt.emit_run("msg.drop", id=message.id, reason=reason,
                         **{"from": message.sender, "to": message.recipient})
        self.rt.check_deadlock()
        return None

    def arrive(self, node: str, message: Message) -> None:
        """It is no longer on its way: into the inbox, or straight to a thread in recv()."""
        self.in_flight -= 1
        self.inboxes[node].put(message, self.rt.wake)

    # -- topology (monitor held) ----------------------------------------------------
    def add_link(self, a: str, b: str, settings: dict) -> LinkRelay | None:
        """A new link a–b (both ways), or None if there is one or a, b are not two nodes."""
        if a not in self.inboxes or b not in self.inboxes or a == b or (a, b) in self.relays:
            return None
        for x, y in ((a, b), (b, a)):
            self.relays[x, y] = LinkRelay(x, y, settings, self.rt.seed)
            self.known.add((x, y))
        return self.relays[a, b]

    def remove_link(self, a: str, b: str) -> LinkRelay | None:
        """The link a–b is gone (both ways); what is on its way over it is dropped (now, or
        when it reaches the next hop). None if there was no such link."""
        if (a, b) not in self.relays:
            return None
        relay = self.relays.pop((a, b))
        self.relays.pop((b, a), None)
        self.transport.lost_link({(a, b), (b, a)})
        return relay

    # -- faults ----------------------------------------------------------------
    def busy(self) -> bool:
        """Could something still arrive? Then threads waiting in recv are not stuck."""
        return self.in_flight > 0 or self.timeline.pending > 0 or bool(self.transport.held)

    def restart_pending(self) -> bool:
        """A node will come back: the run is not over even if every thread has ended."""
        return self.timeline.pending_restarts > 0

    def fault(self, fault: dict) -> None:
        """A fault from the timeline or from the learner's click."""
        self.timeline.apply(fault)

    def crashed_node(self, node: str) -> None:
        """Monitor held: messages waiting for a crashed node are lost."""
        self.crashed.add(node)
        for message in self.inboxes[node].lose_all():  # its threads are gone: nobody waits
            self.in_flight += 1
            self.drop(message, "crash")
        self.transport.lost_node(node)

    def deliver_held(self, delivery: Delivery) -> None:
        """Controlled runs, monitor held: the chosen delivery happens now."""
        self.transport.deliver(delivery)
