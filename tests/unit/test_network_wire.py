"""The wire format: a frame is a 4-byte length and a JSON object; what is not one is
refused, and a message's content is capped before it is sent."""

import struct

import pytest

from playground.engine.network import HEADER, MAX_FRAME, MAX_PAYLOAD, MAX_PAYLOAD_DEPTH, Message
from playground.engine.network.wire import check_content, encode_content, split_frames


def message(content="hi", **kw) -> Message:
    fields = {"id": "m1", "sender": "a", "recipient": "b", "content": content, "lamport": 3,
              "vc": {"a": 2, "b": 1}}
    return Message(**{**fields, **kw})


def fields(m: Message) -> tuple:
    return (m.id, m.sender, m.recipient, m.content, m.lamport, m.vc)


def test_a_message_survives_its_frame_unchanged():
    sent = message({"text": "héllo ✓", "n": [1, 2.5, None, True], "deep": {"x": {"y": []}}})
    buffer = bytearray(sent.frame())
    (body,) = split_frames(buffer)
    assert not buffer
    assert fields(Message.parse(body)) == fields(sent)


def test_frames_split_at_any_byte_come_out_whole_and_in_order():
    stream = b"".join(message(i, id=f"m{i}").frame() for i in range(5))
    buffer, got = bytearray(), []
    for i in range(0, len(stream), 3):  # three bytes at a time
        buffer += stream[i:i + 3]
        got += [Message.parse(body).content for body in split_frames(buffer)]
    assert got == [0, 1, 2, 3, 4] and not buffer


def test_a_length_beyond_the_largest_frame_throws_the_rest_of_the_buffer_away():
    buffer = bytearray(message().frame() + HEADER.pack(MAX_FRAME + 1) + b"{}" + message().frame())
    bodies = list(split_frames(buffer))
    assert bodies[1] is None and len(bodies) == 2 and not buffer
    assert Message.parse(bodies[0]).id == "m1"


@pytest.mark.parametrize("body", [
    b"not json", b"\xff\xfe", b"[1, 2]", b'"text"',
    b'{"sender": "a", "recipient": "b"}',
    b'{"id": 7, "sender": "a", "recipient": "b"}',
    b'{"id": "m1", "sender": "a"}',
    b'{"id": "m1", "sender": "a", "recipient": "b", "lamport": "3"}',
    b'{"id": "m1", "sender": "a", "recipient": "b", "vc": [1]}',
    b'{"id": "m1", "sender": "a", "recipient": "b", "vc": {"a": "x"}}',
])
def test_a_body_that_is_not_a_message_is_refused(body):
    with pytest.raises((ValueError, TypeError)):
        Message.parse(body)


def test_missing_clocks_and_content_read_as_empty():
    m = Message.parse(b'{"id": "m1", "sender": "a", "recipient": "b"}')
    assert (m.content, m.lamport, m.vc) == (None, 0, {})


def test_the_header_is_a_four_byte_big_endian_length():
    frame = message().frame()
    assert struct.unpack("!I", frame[:4])[0] == len(frame) - 4


def test_content_up_to_the_cap_is_sent_and_beyond_it_refused_before_any_json_is_built():
    body, copy = encode_content("x" * (MAX_PAYLOAD - 2))
    assert len(body) == MAX_PAYLOAD and copy == "x" * (MAX_PAYLOAD - 2)
    for too_big in ("x" * MAX_PAYLOAD, ["y" * 1000] * (MAX_PAYLOAD // 1000), {"k": "z" * MAX_PAYLOAD}):
        with pytest.raises(ValueError, match="at most 512 KB"):
            check_content(too_big)


def test_content_whose_json_grows_past_the_cap_is_refused_when_encoded():
    quotes = '"' * (MAX_PAYLOAD // 2)  # each one escaped: twice as long in JSON
    check_content(quotes)
    with pytest.raises(ValueError, match="at most 512 KB"):
        encode_content(quotes)


def test_content_nested_deeper_than_the_limit_is_refused():
    def nested(depth):
        value = 0
        for _ in range(depth):
            value = [value]
        return value
    check_content(nested(MAX_PAYLOAD_DEPTH))
    with pytest.raises(ValueError, match="nested at most"):
        check_content(nested(MAX_PAYLOAD_DEPTH + 2))


@pytest.mark.parametrize("content, error", [({1, 2}, "must be JSON"), ({1: "a"}, "keys must be text"),
                                            ([object()], "must be JSON")])
def test_only_json_travels(content, error):
    with pytest.raises(TypeError, match=error):
        check_content(content)


def test_the_content_sent_is_a_copy():
    original = {"v": [0], "t": (1, 2)}
    _, copy = encode_content(original)
    original["v"].append(99)
    assert copy == {"v": [0], "t": [1, 2]}
