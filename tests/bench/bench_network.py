"""Network benchmark: messages per second and delivery delay through the engine's
link relay (no faults), against a plain socket pair doing the same exchange in the
same run. Run with `make bench`; figures are printed, not asserted.
"""

from __future__ import annotations

import json
import socket
import statistics
import struct
import threading
import time

from playground.engine.runner import collect
from tests.unit.helpers import network

N = 5000
HEADER = struct.Struct("!I")


def through_relay() -> tuple[float, list[float]]:
    spec = network({"a": f"for i in range({N}):\n    send('b', i)\n",
                    "b": f"for i in range({N}):\n    recv()\n"},
                   [{"a": "a", "b": "b"}], timeout_ms=120_000)
    events = collect(spec)
    sends = {e["id"]: e["t"] for e in events if e["kind"] == "msg.send"}
    recvs = [e for e in events if e["kind"] == "msg.recv"]
    assert len(recvs) == N
    elapsed = recvs[-1]["t"] - min(sends.values())
    return N / elapsed, [e["t"] - sends[e["id"]] for e in recvs]


def plain_socket_pair() -> tuple[float, list[float]]:
    """The same exchange, framed the same way, over one plain TCP connection."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname())
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn, _ = server.accept()
    delays: list[float] = []

    def receive() -> None:
        buf = bytearray()
        got = 0
        while got < N:
            buf += conn.recv(65536)
            while len(buf) >= HEADER.size:
                (size,) = HEADER.unpack_from(buf)
                if len(buf) < HEADER.size + size:
                    break
                body = json.loads(bytes(buf[HEADER.size:HEADER.size + size]))
                del buf[:HEADER.size + size]
                delays.append(time.perf_counter() - body["sent"])
                got += 1

    reader = threading.Thread(target=receive)
    reader.start()
    start = time.perf_counter()
    for i in range(N):
        body = json.dumps({"id": f"m{i}", "sender": "a", "recipient": "b", "content": i,
                           "sent": time.perf_counter()}).encode()
        client.sendall(HEADER.pack(len(body)) + body)
    reader.join()
    elapsed = time.perf_counter() - start
    for s in (client, conn, server):
        s.close()
    return N / elapsed, delays


PINGS = 1000


def relay_round_trips() -> list[float]:
    """One message at a time (a ping answered by a pong): delay without queueing."""
    spec = network({"a": f"for i in range({PINGS}):\n    send('b', i)\n    recv()\n",
                    "b": f"for i in range({PINGS}):\n    reply(recv(), i)\n"},
                   [{"a": "a", "b": "b"}], timeout_ms=120_000)
    events = collect(spec)
    sends = {e["id"]: e["t"] for e in events if e["kind"] == "msg.send"}
    return [e["t"] - sends[e["id"]] for e in events if e["kind"] == "msg.recv"]


def plain_round_trips() -> list[float]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname())
    conn, _ = server.accept()
    for s in (client, conn):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def read_frame(sock) -> dict:
        head = sock.recv(HEADER.size, socket.MSG_WAITALL)
        (size,) = HEADER.unpack(head)
        return json.loads(sock.recv(size, socket.MSG_WAITALL))

    def echo() -> None:
        for _ in range(PINGS):
            body = json.dumps(read_frame(conn)).encode()
            conn.sendall(HEADER.pack(len(body)) + body)

    server_thread = threading.Thread(target=echo)
    server_thread.start()
    delays = []
    for i in range(PINGS):
        sent = time.perf_counter()
        body = json.dumps({"id": f"m{i}", "sender": "a", "recipient": "b", "content": i}).encode()
        client.sendall(HEADER.pack(len(body)) + body)
        read_frame(client)
        delays.append((time.perf_counter() - sent) / 2)  # one way: half the round trip
    server_thread.join()
    for s in (client, conn, server):
        s.close()
    return delays


def p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99) - 1]


def test_relay_against_a_plain_socket_pair():
    print()
    for _ in range(2):
        relay_rate, _ = through_relay()
        plain_rate, _ = plain_socket_pair()
        print(f"[network] throughput, {N} messages sent back to back: relay {relay_rate:,.0f} msg/s, "
              f"plain socket pair {plain_rate:,.0f} msg/s, ratio {plain_rate / relay_rate:.1f}x")
        relay, plain = relay_round_trips(), plain_round_trips()
        print(f"[network] one-way delay, {PINGS} ping-pongs: relay median {statistics.median(relay) * 1000:.3f} ms, "
              f"p99 {p99(relay) * 1000:.3f} ms; plain median {statistics.median(plain) * 1000:.3f} ms, "
              f"p99 {p99(plain) * 1000:.3f} ms; ratio {statistics.median(relay) / statistics.median(plain):.1f}x")
