"""The network between nodes: real TCP sockets on loopback, and fault-injecting links.

    sender thread ──TCP──► LinkRelay (a→b) ──TCP──► node b's socket ──► b's inbox ──► recv()

Every node listens on its own socket on 127.0.0.1. Every directed link a→b
has a relay: the sender writes the framed message to the relay's connection;
the relay decides its fate with the link's seeded random generator — lost,
duplicated, delayed by latency ± jitter, held back so later messages overtake
it — and writes it on to the recipient's socket when it is due. One network
thread serves every socket with `selectors` and keeps the timers (deliveries
and the scenario's fault timeline).

Under controlled scheduling the learner (or the explorer) decides when a
message arrives, so there messages are held in memory and each delivery is a
step of its own: exact, replayable, explorable. Free runs use the sockets.

A frame is a 4-byte big-endian length and a JSON object:
`{"id", "sender", "recipient", "content", "lamport", "vc"}`.
"""

from __future__ import annotations

import heapq
import itertools
import random
import selectors
import socket
import struct
import threading
import time
from collections import deque
from typing import Any

from .events import MAX_VALUE_BYTES, dumps, loads, snapshot

HEADER = struct.Struct("!I")
MAX_FRAME = 1 << 20
# A message's content: at most this much JSON, refused in the sending thread (never cut:
# a protocol that received half a message would be wrong in ways hard to see). The
# msg.send event shows at most MAX_VALUE_BYTES of it, cut with a marker.
MAX_PAYLOAD = MAX_FRAME // 2
MAX_PAYLOAD_DEPTH = 50
_TOO_BIG = (f"a message may hold at most {MAX_PAYLOAD // 1024} KB of JSON; this one is bigger "
            "(send a smaller part, or several messages)")
LINK_FIELDS = ("latency_ms", "jitter_ms", "loss", "duplicate", "reorder")


class NodeCrashed(BaseException):
    """Raised in a thread whose node has crashed: it stops where it is."""


class Message:
    """What `recv()` returns to a snippet."""

    __slots__ = ("id", "sender", "recipient", "content", "lamport", "vc")

    def __init__(self, id: str, sender: str, recipient: str, content: Any, lamport: int, vc: dict):
        self.id, self.sender, self.recipient, self.content = id, sender, recipient, content
        self.lamport, self.vc = lamport, vc

    def __repr__(self) -> str:
        return f"Message({self.id} {self.sender}→{self.recipient}: {self.content!r})"

    def frame(self) -> bytes:
        body = dumps({"id": self.id, "sender": self.sender, "recipient": self.recipient,
                      "content": self.content, "lamport": self.lamport, "vc": self.vc})
        return HEADER.pack(len(body)) + body

    @classmethod
    def parse(cls, body: bytes) -> Message:
        data = loads(body)
        if not isinstance(data, dict):
            raise ValueError("a frame is a JSON object")
        for key in ("id", "sender", "recipient"):
            if not isinstance(data.get(key), str):
                raise ValueError(f"frame without {key}")
        vc = data.get("vc") or {}
        lamport = data.get("lamport") or 0
        if not isinstance(vc, dict) or not isinstance(lamport, int):
            raise ValueError("frame with bad clocks")
        return cls(data["id"], data["sender"], data["recipient"], data.get("content"), lamport,
                   {str(k): int(v) for k, v in vc.items()})


class Inbox:
    """A node's received messages; a thread in `recv()` waits on it."""

    rtype = "inbox"

    def __init__(self, node_id: str):
        self.name = "inbox"
        self.gid = f"{node_id}/inbox"
        self.messages: deque[Message] = deque()
        self.waiters: list = []

    def holders(self) -> list:
        return []

    def state(self) -> dict:
        return {"owners": [], "waiting": [t.name for t in self.waiters], "value": len(self.messages)}


class Delivery:
    """Controlled modes: a held message whose arrival is a step to choose."""

    enabled = True

    def __init__(self, message: Message, copy: int = 0):
        self.message = message
        self.name = f"deliver:{message.id}" + ("'" if copy else "")  # a duplicate arrives as m7'


class Conn:
    """A non-blocking socket with its read and write buffers."""

    def __init__(self, sock: socket.socket, on_frame):
        self.sock = sock
        self.on_frame = on_frame
        self.inbuf = bytearray()
        self.outbuf = bytearray()
        sock.setblocking(False)

    def frames(self):
        while len(self.inbuf) >= HEADER.size:
            (size,) = HEADER.unpack_from(self.inbuf)
            if size > MAX_FRAME:
                self.inbuf.clear()
                yield None  # garbage: the rest of this buffer cannot be framed
                return
            if len(self.inbuf) < HEADER.size + size:
                return
            body = bytes(self.inbuf[HEADER.size:HEADER.size + size])
            del self.inbuf[:HEADER.size + size]
            yield body


class Listener:
    """A node's listening socket in the selector."""

    def __init__(self, node: str):
        self.node = node


class Network:
    """Links, relays, partitions and crashes for one run."""

    def __init__(self, runtime, spec: dict):
        self.rt = runtime
        self.controlled = runtime.controlled
        self.node_ids = [n["id"] for n in spec["nodes"]]
        self.links: dict[tuple[str, str], dict[str, float]] = {}
        self.rngs: dict[tuple[str, str], random.Random] = {}
        for link in spec.get("links", []):
            settings = {k: float(link.get(k) or 0) for k in LINK_FIELDS}
            for a, b in ((link["a"], link["b"]), (link["b"], link["a"])):
                self.links[a, b] = dict(settings)
                self.rngs[a, b] = random.Random(f"{runtime.seed}/{a}->{b}")
        self.cut: set[tuple[str, str]] = set()
        self.crashed: set[str] = set()
        self.inboxes = {n: Inbox(n) for n in self.node_ids}
        self.ids = itertools.count(1)
        self.in_flight = 0
        self.held: list[Delivery] = []  # controlled modes
        # Under control there is no wall clock: faults come from the learner's clicks only.
        self.faults = [] if self.controlled else sorted(spec.get("faults", []), key=lambda f: f["at_ms"])
        self.pending_faults = len(self.faults)
        self.pending_restarts = sum(f["action"] == "restart" for f in self.faults)
        self.timers: list = []
        self.timer_seq = itertools.count()
        self.closed = False
        self.sel: selectors.BaseSelector | None = None
        self.ports: dict[str, int] = {}
        if not self.controlled and self.links:
            self._open_sockets()

    # -- sockets (free mode) ---------------------------------------------------
    def _listen(self) -> socket.socket:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        return server

    def _pair(self, server: socket.socket) -> tuple[socket.socket, socket.socket]:
        client = socket.create_connection(server.getsockname())
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        accepted, _ = server.accept()
        return client, accepted

    def _open_sockets(self) -> None:
        """Every socket is opened here, at the start, before a sandbox forbids it."""
        self.sel = selectors.DefaultSelector()
        self.lock = threading.Lock()  # guards the sender connections' write buffers
        node_servers = {n: self._listen() for n in self.node_ids}
        relay_server = self._listen()
        self.ports = {n: s.getsockname()[1] for n, s in node_servers.items()}
        self.ports["relay"] = relay_server.getsockname()[1]
        self.to_relay: dict[tuple[str, str], socket.socket] = {}
        self.to_node: dict[tuple[str, str], Conn] = {}
        for (a, b) in self.links:
            sender, relay_end = self._pair(relay_server)
            sender.setblocking(True)
            self.to_relay[a, b] = sender
            self._watch(Conn(relay_end, lambda body, link=(a, b): self._relay(link, body)))
            relay_out, node_end = self._pair(node_servers[b])
            self.to_node[a, b] = Conn(relay_out, None)
            self.sel.register(relay_out, selectors.EVENT_READ, self.to_node[a, b])
            self._watch(Conn(node_end, lambda body, node=b: self._arrive(node, body)))
        self.servers = list(node_servers.values()) + [relay_server]
        for node, server in node_servers.items():  # a node takes bytes from anyone on loopback
            server.setblocking(False)
            self.sel.register(server, selectors.EVENT_READ, Listener(node))

    def _watch(self, conn: Conn) -> None:
        self.sel.register(conn.sock, selectors.EVENT_READ, conn)

    def start(self) -> None:
        """Start the fault timeline and, in free mode, the network thread."""
        for fault in self.faults:
            self._after(fault["at_ms"] / 1000, lambda f=fault: self._timed_fault(f))
        if not self.controlled and (self.sel is not None or self.faults):
            self.thread = threading.Thread(target=self._loop, name="network", daemon=True)
            self.thread.start()

    def close(self) -> None:
        self.closed = True
        if self.sel is not None:
            for key in list(self.sel.get_map().values()):
                try:
                    key.fileobj.close()
                except OSError:
                    pass
            for server in self.servers:
                try:
                    server.close()
                except OSError:
                    pass
            for sock in self.to_relay.values():
                sock.close()

    def _after(self, delay_s: float, action) -> None:
        heapq.heappush(self.timers, (time.monotonic() + delay_s, next(self.timer_seq), action))

    def _loop(self) -> None:
        while not self.closed:
            timeout = 0.05
            if self.timers:
                timeout = max(0.0, min(timeout, self.timers[0][0] - time.monotonic()))
            events = self.sel.select(timeout) if self.sel is not None else (time.sleep(timeout) or [])
            for key, mask in events:
                conn = key.data
                try:
                    if isinstance(conn, Listener):
                        accepted, _ = key.fileobj.accept()
                        self._watch(Conn(accepted, lambda body, node=conn.node: self._arrive(node, body)))
                        continue
                    if mask & selectors.EVENT_READ:
                        self._read(conn)
                    if mask & selectors.EVENT_WRITE:
                        self._flush(conn)
                except OSError:
                    if self.closed:
                        return
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                _, _, action = heapq.heappop(self.timers)
                action()

    def _read(self, conn: Conn) -> None:
        data = conn.sock.recv(65536)
        if not data:
            self.sel.unregister(conn.sock)
            return
        if conn.on_frame is None:
            return
        conn.inbuf += data
        for body in conn.frames():
            conn.on_frame(body)

    def _write(self, conn: Conn, data: bytes) -> None:
        if conn.outbuf:
            conn.outbuf += data
            return
        try:
            sent = conn.sock.send(data)
        except BlockingIOError:
            sent = 0
        if sent < len(data):
            conn.outbuf += data[sent:]
            self.sel.modify(conn.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, conn)

    def _flush(self, conn: Conn) -> None:
        if conn.outbuf:
            sent = conn.sock.send(conn.outbuf)
            del conn.outbuf[:sent]
        if not conn.outbuf:
            self.sel.modify(conn.sock, selectors.EVENT_READ, conn)

    # -- sending ---------------------------------------------------------------
    def neighbors(self, node: str) -> list[str]:
        return sorted({b for (a, b) in self.links if a == node})

    def send(self, ctx, to: str, content: Any) -> str:
        """Called by a snippet thread (monitor not held)."""
        rt, sender = self.rt, ctx.node.id
        if (sender, to) not in self.links:
            known = ", ".join(self.neighbors(sender)) or "none"
            raise ValueError(f"{sender} has no link to {to!r} (its links go to: {known})")
        if _check_json(content, 0, MAX_PAYLOAD) < 0:  # before any JSON is built: no giant strings
            raise ValueError(_TOO_BIG)
        rt.point(ctx)
        body = dumps(content)
        if len(body) > MAX_PAYLOAD:
            raise ValueError(_TOO_BIG)
        content = loads(body)  # a copy: changing the object after send changes neither trace nor message
        shown = content if len(body) <= MAX_VALUE_BYTES else snapshot(content)
        with rt.mutex:
            mid = f"m{next(self.ids)}"
            rt.emit_at(ctx, "msg.send", id=mid, **{"from": sender, "to": to}, content=shown,
                       bytes=len(body))
            clock = ctx.node.clock
            message = Message(mid, sender, to, content, clock.lamport, dict(clock.vc))
            self.in_flight += 1
            if self.controlled:
                self._controlled_send(message)
                return mid
        frame = message.frame()
        with self.lock:
            self.to_relay[sender, to].sendall(frame)
        return mid

    # -- the relay (network thread) --------------------------------------------
    def _relay(self, link: tuple[str, str], body: bytes) -> None:
        try:
            message = Message.parse(body)
        except (ValueError, TypeError):
            return  # only the engine writes to a relay
        a, b = link
        with self.rt.mutex:
            fate = self._fate(link, message)
            if fate is None:
                return
        for delay, copy in fate:
            self._after(delay, lambda m=message, c=copy: self._deliver(link, m, c))

    def _fate(self, link: tuple[str, str], message: Message) -> list | None:
        """Monitor held: drop it, or the delays of its copies."""
        a, b = link
        if link in self.cut:
            return self._drop(message, "partition")
        if b in self.crashed:
            return self._drop(message, "crash")
        s, rng = self.links[link], self.rngs[link]
        if rng.random() < s["loss"]:
            return self._drop(message, "loss")
        copies = [0]
        if rng.random() < s["duplicate"]:
            copies.append(1)
            self.in_flight += 1
            self.rt.emit_run("msg.duplicate", id=message.id, copy=f"{message.id}'", **{"from": a, "to": b})
        fate = []
        for copy in copies:
            delay = s["latency_ms"] + (rng.uniform(-s["jitter_ms"], s["jitter_ms"]) if s["jitter_ms"] else 0)
            if s["reorder"] and rng.random() < s["reorder"]:
                # held back long enough for the next messages to overtake it
                delay += rng.uniform(1, 2) * max(s["latency_ms"], 5.0)
            fate.append((max(0.0, delay) / 1000, copy))
        return fate

    def _drop(self, message: Message, reason: str) -> None:
        self.in_flight -= 1
        self.rt.emit_run("msg.drop", id=message.id, reason=reason,
                         **{"from": message.sender, "to": message.recipient})
        self.rt.check_deadlock()
        return None

    def _deliver(self, link: tuple[str, str], message: Message, copy: int) -> None:
        with self.rt.mutex:
            if link in self.cut:  # partitioned while it was on its way
                self._drop(message, "partition")
                return
        # A duplicate is the same bytes again: on the wire it cannot be told apart.
        self._write(self.to_node[link], message.frame())

    # -- arrival ---------------------------------------------------------------
    def _arrive(self, node: str, body: bytes | None) -> None:
        rt = self.rt
        try:
            if body is None:
                raise ValueError("frame too large")
            message = Message.parse(body)
        except (ValueError, TypeError):
            with rt.mutex:
                rt.emit_run("msg.drop", id=None, reason="malformed", to=node)
            return
        with rt.mutex:
            if message.recipient != node or (message.sender, node) not in self.links:
                rt.emit_run("msg.drop", id=message.id, reason="malformed", to=node)
                return
            if node in self.crashed:
                self._drop(message, "crash")
                return
            self.in_flight -= 1
            self.put(node, message)

    def put(self, node: str, message: Message) -> None:
        """Monitor held: into the inbox, or straight to a thread waiting in recv()."""
        inbox = self.inboxes[node]
        if inbox.waiters:
            waiter = inbox.waiters.pop(0)
            waiter.mail = message
            waiter.granted = inbox
            self.rt.wake(waiter)
        else:
            inbox.messages.append(message)

    def recv(self, ctx, timeout: float | None) -> Message | None:
        """Called by a snippet thread: the next message, or None after `timeout` seconds."""
        rt, node = self.rt, ctx.node.id
        inbox = self.inboxes[node]
        rt.point(ctx)
        with rt.mutex:
            if inbox.messages:
                message = inbox.messages.popleft()
            else:
                inbox.waiters.append(ctx)
                ctx.mail = None
                got = rt.wait_until(ctx, lambda: ctx.mail is not None, inbox, timeout)
                ctx.granted = None
                if not got:
                    if ctx in inbox.waiters:
                        inbox.waiters.remove(ctx)
                    return None
                message, ctx.mail = ctx.mail, None
            ctx.node.clock.merge(message.lamport, message.vc)
            rt.emit_at(ctx, "msg.recv", id=message.id, **{"from": message.sender, "to": node})
        return message

    # -- faults ----------------------------------------------------------------
    def busy(self) -> bool:
        """Could something still arrive? Then threads waiting in recv are not stuck."""
        return self.in_flight > 0 or self.pending_faults > 0 or bool(self.held)

    def restart_pending(self) -> bool:
        """A node will come back: the run is not over even if every thread has ended."""
        return self.pending_restarts > 0 and not self.controlled

    def _timed_fault(self, fault: dict) -> None:
        self.fault(fault)
        with self.rt.mutex:
            self.pending_faults -= 1
            self.pending_restarts -= fault["action"] == "restart"
            self.rt.check_deadlock()
            self.rt.changed.notify_all()

    def fault(self, fault: dict) -> None:
        """A fault from the timeline or from the learner's click."""
        action = fault.get("action")
        if action == "crash":
            self.rt.crash_node(fault.get("node"))
        elif action == "restart":
            self.rt.restart_node(fault.get("node"))
        else:
            with self.rt.mutex:
                if action == "partition":
                    self._partition(fault)
                elif action == "heal":
                    self.cut.clear()
                    self.rt.emit_run("net.heal")
                elif action == "link":
                    self._change_link(fault)
                self.rt.check_deadlock()

    def _partition(self, fault: dict) -> None:
        groups = [list(g) for g in fault.get("groups") or []]
        pairs = [tuple(p) for p in fault.get("cut") or []]
        for i, g in enumerate(groups):
            for h in groups[i + 1:]:
                for x in g:
                    for y in h:
                        pairs += [(x, y), (y, x)]
        self.cut.update(p for p in pairs if p[0] in self.node_ids and p[1] in self.node_ids)
        self.rt.emit_run("net.partition", groups=groups, cut=sorted([list(p) for p in self.cut]))

    def _change_link(self, fault: dict) -> None:
        a, b = fault.get("a"), fault.get("b")
        settings = fault.get("settings") or {k: fault[k] for k in LINK_FIELDS if k in fault}
        if (a, b) not in self.links:
            return
        clean = {k: float(v) for k, v in settings.items() if k in LINK_FIELDS}
        for pair in ((a, b), (b, a)):
            self.links[pair].update(clean)
        self.rt.emit_run("net.link", a=a, b=b, settings=self.links[a, b])

    def crashed_node(self, node: str) -> None:
        """Monitor held: messages waiting for a crashed node are lost."""
        self.crashed.add(node)
        inbox = self.inboxes[node]
        inbox.waiters.clear()  # its threads are gone: nobody there waits any more
        while inbox.messages:
            message = inbox.messages.popleft()
            self.in_flight += 1
            self._drop(message, "crash")
        for d in [d for d in self.held if d.message.recipient == node]:
            self.held.remove(d)
            self._drop(d.message, "crash")

    # -- controlled modes --------------------------------------------------------
    def _controlled_send(self, message: Message) -> None:
        """Monitor held: loss and duplication are drawn now; the arrival waits to be chosen."""
        link = (message.sender, message.recipient)
        fate = self._fate(link, message)
        if fate is None:
            return
        for _, copy in fate:
            self.held.append(Delivery(message, copy))

    def deliver_held(self, delivery: Delivery) -> None:
        """Monitor held: the chosen delivery happens now."""
        self.held.remove(delivery)
        message = delivery.message
        node = message.recipient
        if self.rt.footprint is not None:
            self.rt.footprint.add(("inbox", node, "", "w"))
        if (message.sender, node) in self.cut:
            self._drop(message, "partition")
            return
        if node in self.crashed:
            self._drop(message, "crash")
            return
        self.in_flight -= 1
        self.rt.emit_run("msg.deliver", id=message.id, **{"from": message.sender, "to": node})
        self.put(node, message)


def _check_json(content: Any, depth: int, room: int) -> int:
    """Only JSON travels: refuse what would silently turn into text on the way. Returns
    `room` less about the size of the content's JSON, below 0 as soon as it is too big
    (the walk stops there)."""
    if depth > MAX_PAYLOAD_DEPTH:
        raise ValueError(f"a message may be nested at most {MAX_PAYLOAD_DEPTH} levels deep")
    if isinstance(content, str):
        return room - len(content) - 2
    if content is None or isinstance(content, (bool, int, float)):
        return room - 8
    if isinstance(content, (list, tuple)):
        room -= 2
        for item in content:
            room = _check_json(item, depth + 1, room - 1)
            if room < 0:
                return room
        return room
    if isinstance(content, dict):
        room -= 2
        for key, value in content.items():
            if not isinstance(key, str):
                raise TypeError(f"a message's dict keys must be text, not {type(key).__name__}")
            room = _check_json(value, depth + 1, room - len(key) - 4)
            if room < 0:
                return room
        return room
    raise TypeError(f"a message must be JSON (numbers, text, lists, dicts), not {type(content).__name__}")
