"""Numbered events in the `playground.event/1` format.

The runtime calls `EventLog.emit` while holding its monitor, so `seq` order is
the order in which things really happened, and every `state` in an event is
consistent with the events before it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

try:  # orjson is several times faster; the engine works without it
    import orjson

    def dumps(obj: Any) -> bytes:
        return orjson.dumps(obj, default=repr)

    loads = orjson.loads
except ImportError:  # pragma: no cover
    import json

    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, default=repr, separators=(",", ":")).encode()

    loads = json.loads

FORMAT = "playground.event/1"
_PLAIN = (int, float, str, bool, type(None))
MAX_VALUE_BYTES = 4096


def snapshot(value: Any) -> Any:
    """A JSON copy of a value as it is now (later mutation must not change an event)."""
    if isinstance(value, _PLAIN):
        if isinstance(value, str) and len(value) > MAX_VALUE_BYTES:
            return value[:MAX_VALUE_BYTES] + "…"
        return value
    try:
        data = dumps(value)
    except (TypeError, ValueError, OverflowError):
        return repr(value)[:MAX_VALUE_BYTES]
    if len(data) > MAX_VALUE_BYTES:
        return repr(value)[:MAX_VALUE_BYTES] + "…"
    return loads(data)


class NodeClock:
    """A node's Lamport clock and vector clock."""

    __slots__ = ("node", "lamport", "vc")

    def __init__(self, node: str):
        self.node = node
        self.lamport = 0
        self.vc: dict[str, int] = {node: 0}

    def tick(self) -> None:
        self.lamport += 1
        self.vc[self.node] += 1

    def merge(self, lamport: int, vc: dict[str, int]) -> None:
        """On receipt of a message: take the maximum of both clocks (then tick)."""
        self.lamport = max(self.lamport, lamport)
        for node, count in vc.items():
            if count > self.vc.get(node, 0):
                self.vc[node] = count


class EventLog:
    """Gives each event its `seq` and `t` and hands it to the sink."""

    def __init__(self, sink: Callable[[dict], Any]):
        self.sink = sink
        self.seq = 0
        self.t0 = time.perf_counter()

    def emit(self, kind: str, node: str | None = None, thread: str | None = None,
             clock: NodeClock | None = None, **fields: Any) -> dict:
        self.seq += 1
        event = {"seq": self.seq, "t": round(time.perf_counter() - self.t0, 6), "kind": kind,
                 "node": node, "thread": thread}
        if clock is not None:
            clock.tick()
            event["lamport"] = clock.lamport
            event["vc"] = dict(clock.vc)
        event.update(fields)
        self.sink(event)
        return event
