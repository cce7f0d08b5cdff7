"""Free runs: real TCP sockets on loopback, and a relay per directed link.

    sender thread ──TCP──► relay (a→b) ──TCP──► node b's socket ──► b's inbox ──► recv()

Every node listens on its own socket on 127.0.0.1. Every directed link a→b has a
relay: the sender writes the framed message to the relay's connection; the relay
asks the link's `LinkRelay` for the message's fate and writes each copy on to the
recipient's socket when it is due. One network thread serves every socket with
`selectors` and keeps the timers (deliveries and the scenario's fault timeline).

Links added during the run (`link-add`) cannot open sockets (the sandbox forbids it by
then): each node has one spare connection to the relays and one from them, opened at
the start, which carry every added link's messages (the frame names its link).
"""

from __future__ import annotations

import heapq
import itertools
import selectors
import socket
import threading
import time

from .wire import Message, split_frames


class Conn:
    """A non-blocking socket with its read and write buffers."""

    def __init__(self, sock: socket.socket, on_frame):
        self.sock = sock
        self.on_frame = on_frame
        self.inbuf = bytearray()
        self.outbuf = bytearray()
        sock.setblocking(False)


class Listener:
    """A node's listening socket in the selector."""

    def __init__(self, node: str):
        self.node = node


def _listen() -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    return server


def _pair(server: socket.socket) -> tuple[socket.socket, socket.socket]:
    client = socket.create_connection(server.getsockname())
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    accepted, _ = server.accept()
    return client, accepted


class SocketTransport:
    """The transport of free runs (same interface as `HeldDeliveries`)."""

    wall_clock = True  # the scenario's fault timeline runs on the network thread's timers

    def __init__(self, network):
        self.network = network
        self.rt = network.rt
        self.held: list = []  # nothing is held: messages travel on their own
        self.timers: list = []
        self.timer_seq = itertools.count()
        self.closed = False
        self.sel: selectors.BaseSelector | None = None
        self.ports: dict[str, int] = {}
        if len(network.node_ids) > 1:  # links may be added during the run
            self._open_sockets()

    def _open_sockets(self) -> None:
        """Every socket is opened here, at the start, before a sandbox forbids it."""
        self.sel = selectors.DefaultSelector()
        self.lock = threading.Lock()  # guards the sender connections' write buffers
        node_servers = {n: _listen() for n in self.network.node_ids}
        relay_server = _listen()
        self.ports = {n: s.getsockname()[1] for n, s in node_servers.items()}
        self.ports["relay"] = relay_server.getsockname()[1]
        self.to_relay: dict[tuple[str, str], socket.socket] = {}
        self.to_node: dict[tuple[str, str], Conn] = {}
        for (a, b) in self.network.relays:
            sender, relay_end = _pair(relay_server)
            sender.setblocking(True)
            self.to_relay[a, b] = sender
            self._watch(Conn(relay_end, lambda body, link=(a, b): self._relay(link, body)))
            relay_out, node_end = _pair(node_servers[b])
            self.to_node[a, b] = Conn(relay_out, None)
            self.sel.register(relay_out, selectors.EVENT_READ, self.to_node[a, b])
            self._watch(Conn(node_end, lambda body, node=b: self._arrive(node, body)))
        self.spare_to_relay: dict[str, socket.socket] = {}  # for links added later
        self.spare_to_node: dict[str, Conn] = {}
        for n, server in node_servers.items():
            sender, relay_end = _pair(relay_server)
            sender.setblocking(True)
            self.spare_to_relay[n] = sender
            self._watch(Conn(relay_end, lambda body, a=n: self._relay_added(a, body)))
            relay_out, node_end = _pair(server)
            self.spare_to_node[n] = Conn(relay_out, None)
            self.sel.register(relay_out, selectors.EVENT_READ, self.spare_to_node[n])
            self._watch(Conn(node_end, lambda body, node=n: self._arrive(node, body)))
        self.servers = list(node_servers.values()) + [relay_server]
        for node, server in node_servers.items():  # a node takes bytes from anyone on loopback
            server.setblocking(False)
            self.sel.register(server, selectors.EVENT_READ, Listener(node))

    def _watch(self, conn: Conn) -> None:
        self.sel.register(conn.sock, selectors.EVENT_READ, conn)

    def start(self, timeline) -> None:
        """Start the fault timeline and the network thread (if there is anything to serve)."""
        timeline.start(self.after)
        if self.sel is not None or timeline.faults:
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
            for sock in [*self.to_relay.values(), *self.spare_to_relay.values()]:
                sock.close()

    def after(self, delay_s: float, action) -> None:
        heapq.heappush(self.timers, (time.monotonic() + delay_s, next(self.timer_seq), action))

    # -- sending (snippet threads) ---------------------------------------------------
    def accept(self, message: Message) -> None:
        pass  # monitor held: the fate is drawn by the relay, when the frame reaches it

    def push(self, message: Message) -> None:
        """Monitor released: the frame goes to the link's relay."""
        frame = message.frame()
        link = (message.sender, message.recipient)
        with self.lock:
            (self.to_relay.get(link) or self.spare_to_relay[message.sender]).sendall(frame)

    def ready(self) -> list:
        return []  # free runs hold no deliveries

    def deliver(self, delivery) -> None:
        raise RuntimeError("free runs hold no deliveries")

    def lost_node(self, node: str) -> None:
        pass  # frames on their way to a crashed node are dropped when they arrive

    def lost_link(self, pairs: set) -> None:
        pass  # frames on their way over a removed link are dropped at their next hop

    # -- the network thread ------------------------------------------------------------
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
            while self.timers and self.timers[0][0] <= now and not self.closed:
                _, _, action = heapq.heappop(self.timers)
                try:
                    action()
                except OSError:
                    if self.closed:  # the run ended while a message was due: its sockets are gone
                        return
                    raise

    def _read(self, conn: Conn) -> None:
        data = conn.sock.recv(65536)
        if not data:
            self.sel.unregister(conn.sock)
            return
        if conn.on_frame is None:
            return
        conn.inbuf += data
        for body in split_frames(conn.inbuf):
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

    # -- the relay and the arrival (network thread) ------------------------------------
    def _relay(self, link: tuple[str, str], body: bytes, message: Message | None = None) -> None:
        try:
            message = message or Message.parse(body)
        except (ValueError, TypeError):
            return  # only the engine writes to a relay
        with self.rt.mutex:
            relay = self.network.relays.get(link)
            fate = self.network.route(link, message, time.monotonic())
            if fate is None:
                return
        for delay, copy in fate:
            self.after(delay, lambda m=message, c=copy: self._deliver(link, relay, m, c))

    def _relay_added(self, sender: str, body: bytes) -> None:
        """A frame on a node's spare connection: a message over a link added during the run."""
        try:
            message = Message.parse(body)
        except (ValueError, TypeError):
            return
        if message.sender == sender:
            self._relay((sender, message.recipient), body, message)

    def _deliver(self, link: tuple[str, str], relay, message: Message, copy: int) -> None:
        with self.rt.mutex:
            if self.network.relays.get(link) is not relay:  # removed (and maybe added again) meanwhile
                self.network.drop(message, "link-removed")
                return
            if link in self.network.partition:  # partitioned while it was on its way
                self.network.drop(message, "partition")
                return
        # A duplicate is the same bytes again: on the wire it cannot be told apart.
        self._write(self.to_node.get(link) or self.spare_to_node[link[1]], message.frame())

    def _arrive(self, node: str, body: bytes | None) -> None:
        rt, net = self.rt, self.network
        try:
            if body is None:
                raise ValueError("frame too large")
            message = Message.parse(body)
        except (ValueError, TypeError):
            with rt.mutex:
                rt.emit_run("msg.drop", id=None, reason="malformed", to=node)
            return
        with rt.mutex:
            if message.recipient != node or (message.sender, node) not in net.known:
                rt.emit_run("msg.drop", id=message.id, reason="malformed", to=node)
                return
            if (message.sender, node) not in net.relays:  # removed after its last hop
                net.drop(message, "link-removed")
                return
            if node in net.crashed:
                net.drop(message, "crash")
                return
            net.arrive(node, message)
