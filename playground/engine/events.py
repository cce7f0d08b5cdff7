"""Numbered events in the `playground.event/1` format.

The runtime calls `EventLog.emit` while holding its monitor, so `seq` order is
the order in which things really happened, and every `state` in an event is
consistent with the events before it.

Values a snippet makes (shared variables, message contents, the final state)
enter events through `snapshot`, which bounds them: at most `MAX_VALUE_BYTES`
of JSON and `MAX_DEPTH` levels of nesting, whatever the value, and without
ever building the whole value's JSON or `repr` first. What is left out is
replaced by a visible marker (`"… (12345 more characters)"`, `"… (99 more
items)"`, `"… (nested too deeply)"`), as long prints already are.
"""

from __future__ import annotations

import reprlib
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
MAX_VALUE_BYTES = 4096  # one value in an event (var.read/var.write, msg content, a variable in `shared`)
MAX_DEPTH = 50  # levels of lists and dicts in a value; deeper ones are cut
MAX_FINISHED_BYTES = 256 * 1024  # `shared` and `outputs` of run.finished, each
# JSON (orjson) holds integers of 64 bits; bigger ones are shown as text.
_INT_MIN, _INT_MAX = -(1 << 63), (1 << 64) - 1
_DEEP = "… (nested too deeply)"


def snapshot(value: Any, budget: int = MAX_VALUE_BYTES) -> Any:
    """A JSON copy of a value as it is now (later mutation must not change an event),
    at most about `budget` bytes of JSON and `MAX_DEPTH` levels deep."""
    kind = type(value)
    if kind is int:
        return value if _INT_MIN <= value <= _INT_MAX else _big_int(value)
    if kind is str:
        return value if len(value) <= budget else _cut_text(value, budget)
    if kind is float or kind is bool or value is None:
        return value
    left = [budget]
    return _copy(value, MAX_DEPTH, left)


def _cut_text(text: str, keep: int) -> str:
    keep = max(keep, 0)
    return text[:keep] + f"… ({len(text) - keep} more characters)"


def _big_int(value: int) -> str:
    bits = value.bit_length()
    if bits > 10_000:  # str() refuses (and would take long) past a few thousand digits
        return f"<an integer of about {int(bits * 0.30103) + 1} digits>"
    return str(value)


def _copy(value: Any, depth: int, left: list[int]) -> Any:
    """The bounded copy; `left[0]` is the number of bytes still allowed."""
    if isinstance(value, str):
        n = len(value)
        if n + 2 > left[0]:
            keep = left[0] - 2
            left[0] = 0
            return _cut_text(str(value), keep)
        left[0] -= n + 2
        return str(value)
    if isinstance(value, bool) or value is None:
        left[0] -= 5
        return value
    if isinstance(value, int):
        left[0] -= 8
        return int(value) if _INT_MIN <= value <= _INT_MAX else _big_int(value)
    if isinstance(value, float):
        left[0] -= 8
        return float(value)
    if isinstance(value, (list, tuple)):
        if depth <= 0:
            left[0] -= len(_DEEP)
            return _DEEP
        room = left[0] - 2
        out = []
        append = out.append
        for item in value:
            if room <= 0:
                append(f"… ({len(value) - len(out)} more items)")
                break
            kind = type(item)
            if kind is int and _INT_MIN <= item <= _INT_MAX or kind is float or kind is bool or item is None:
                room -= 9  # the common case, without a call
                append(item)
            elif kind is str and len(item) + 3 <= room:
                room -= len(item) + 3
                append(item)
            else:
                left[0] = room
                append(_copy(item, depth - 1, left))
                room = left[0] - 1
        left[0] = room
        return out
    if isinstance(value, dict):
        if depth <= 0:
            left[0] -= len(_DEEP)
            return _DEEP
        left[0] -= 2
        result: dict[str, Any] = {}
        for key, item in value.items():
            if left[0] <= 0:
                result["…"] = f"{len(value) - len(result)} more items"
                break
            name = key if type(key) is str else _key(key, left[0])
            kind = type(item)
            if kind is int and _INT_MIN <= item <= _INT_MAX or kind is float or kind is bool or item is None:
                left[0] -= len(name) + 12
                result[name] = item
            else:
                left[0] -= len(name) + 4
                result[name] = _copy(item, depth - 1, left)
        return result
    if hasattr(type(value), "__dataclass_fields__") and not isinstance(value, type):
        # orjson writes a dataclass as the dict of its fields; so does this, bounded
        return _copy({name: getattr(value, name, None) for name in type(value).__dataclass_fields__},
                     depth, left)
    return _bounded_repr(value, left)


def _key(key: Any, room: int) -> str:
    if isinstance(key, bool) or key is None:
        return "true" if key is True else "false" if key is False else "null"
    if isinstance(key, (int, float)):
        text = str(key) if not isinstance(key, int) or key.bit_length() <= 10_000 else _big_int(key)
    else:
        text = _bounded_repr(key, [max(room, 40)])
    return text if len(text) <= MAX_VALUE_BYTES else _cut_text(text, MAX_VALUE_BYTES)


class _Repr(reprlib.Repr):
    """reprlib, which stops after a few items of a container instead of building its
    whole text; bytes are cut before they are shown."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxdict, self.maxlist, self.maxtuple = 4, 20, 40, 40
        self.maxset, self.maxfrozenset, self.maxdeque, self.maxarray = 40, 40, 40, 40
        self.maxstring, self.maxlong, self.maxother = 400, 400, MAX_VALUE_BYTES

    def repr_bytes(self, value: bytes, level: int) -> str:
        text = repr(value[:self.maxstring])
        return text if len(value) <= self.maxstring else f"{text}… ({len(value) - self.maxstring} more bytes)"

    repr_bytearray = repr_bytes


_REPR = _Repr()


def _bounded_repr(value: Any, left: list[int]) -> str:
    """What a value that is not JSON looks like (a set, a deque, an object): its repr, bounded."""
    try:
        text = _REPR.repr(value)
    except Exception as exc:  # a broken __repr__ must not break the run
        text = f"<{type(value).__name__} (no repr: {type(exc).__name__})>"
    if len(text) + 2 > left[0]:
        keep = left[0] - 2
        left[0] = 0
        return _cut_text(text, keep)
    left[0] -= len(text) + 2
    return text


def bounded_finish(fields: dict[str, Any]) -> dict[str, Any]:
    """run.finished's `shared` and `outputs`, each at most MAX_FINISHED_BYTES: a run
    that printed a million lines still ends with an event of a readable size."""
    for name in ("shared", "outputs"):
        if name in fields and fields[name] is not None:
            fields[name] = snapshot(fields[name], MAX_FINISHED_BYTES)
    return fields


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
        if kind == "run.finished":
            bounded_finish(fields)
        event.update(fields)
        self.sink(event)
        return event
