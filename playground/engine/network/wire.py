"""The wire format: what a message is, and how it travels as bytes.

A frame is a 4-byte big-endian length and a JSON object:
`{"id", "sender", "recipient", "content", "lamport", "vc", "size"}` (`size`: the bytes of
the content's JSON, what a link's bandwidth is charged). A frame longer than
`MAX_FRAME` cannot be framed at all; a message's content is refused in the
sending thread above `MAX_PAYLOAD` bytes of JSON or `MAX_PAYLOAD_DEPTH` levels.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

from ..events import dumps, loads

HEADER = struct.Struct("!I")
MAX_FRAME = 1 << 20
# A message's content: at most this much JSON, refused in the sending thread (never cut:
# a protocol that received half a message would be wrong in ways hard to see). The
# msg.send event shows at most MAX_VALUE_BYTES of it, cut with a marker.
MAX_PAYLOAD = MAX_FRAME // 2
MAX_PAYLOAD_DEPTH = 50
_TOO_BIG = (f"a message may hold at most {MAX_PAYLOAD // 1024} KB of JSON; this one is bigger "
            "(send a smaller part, or several messages)")


class Message:
    """What `recv()` returns to a snippet."""

    __slots__ = ("id", "sender", "recipient", "content", "lamport", "vc", "size", "vtime")

    def __init__(self, id: str, sender: str, recipient: str, content: Any, lamport: int, vc: dict,
                 size: int = 0):
        self.id, self.sender, self.recipient, self.content = id, sender, recipient, content
        self.lamport, self.vc = lamport, vc
        self.size = size  # bytes of the content's JSON
        self.vtime = 0.0  # controlled runs: the sender's virtual time when it sent it (never framed)

    def __repr__(self) -> str:
        return f"Message({self.id} {self.sender}→{self.recipient}: {self.content!r})"

    def frame(self) -> bytes:
        body = dumps({"id": self.id, "sender": self.sender, "recipient": self.recipient,
                      "content": self.content, "lamport": self.lamport, "vc": self.vc, "size": self.size})
        return HEADER.pack(len(body)) + body

    @classmethod
    def parse(cls, body: bytes) -> Message:
        """A frame's body back into a message; ValueError or TypeError if it is not one."""
        data = loads(body)
        if not isinstance(data, dict):
            raise ValueError("a frame is a JSON object")
        for key in ("id", "sender", "recipient"):
            if not isinstance(data.get(key), str):
                raise ValueError(f"frame without {key}")
        vc = data.get("vc") or {}
        lamport = data.get("lamport") or 0
        size = data.get("size") or 0
        if not isinstance(vc, dict) or not isinstance(lamport, int):
            raise ValueError("frame with bad clocks")
        if not isinstance(size, int) or size < 0:
            raise ValueError("frame with a bad size")
        return cls(data["id"], data["sender"], data["recipient"], data.get("content"), lamport,
                   {str(k): int(v) for k, v in vc.items()}, size)


def split_frames(buffer: bytearray) -> Iterator[bytes | None]:
    """The complete frames' bodies at the start of `buffer`, taken out of it; a partial
    frame stays for the next bytes. A length above MAX_FRAME yields None and empties the
    buffer: the rest of it cannot be framed."""
    while len(buffer) >= HEADER.size:
        (size,) = HEADER.unpack_from(buffer)
        if size > MAX_FRAME:
            buffer.clear()
            yield None
            return
        if len(buffer) < HEADER.size + size:
            return
        body = bytes(buffer[HEADER.size:HEADER.size + size])
        del buffer[:HEADER.size + size]
        yield body


def check_content(content: Any) -> None:
    """Refuse what is not JSON, or nested too deeply, or clearly too big, before any JSON
    is built (no giant strings): ValueError or TypeError, with the learner's message."""
    if _check_json(content, 0, MAX_PAYLOAD) < 0:
        raise ValueError(_TOO_BIG)


def encode_content(content: Any) -> tuple[bytes, Any]:
    """The content's JSON, and a copy of the content read back from it (changing the object
    after `send` changes neither the trace nor the message). ValueError above MAX_PAYLOAD."""
    body = dumps(content)
    if len(body) > MAX_PAYLOAD:
        raise ValueError(_TOO_BIG)
    return body, loads(body)


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
