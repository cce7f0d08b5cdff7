"""The exports tier: every built-in lesson's trace (run in-process, once per session), a
run whose messages and prints hold everything hard to draw, and a long run; each
export checked by its real consumer (tests/exports/consumers.py says how)."""

import json

import pytest

from tests.unit.helpers import LIBRARY, builtin, network, run

LESSONS = sorted(p.stem for p in LIBRARY.glob("*.json"))

LONG_TEXT = "".join(chr(0x41 + i % 26) for i in range(5000))
# What a run can hold that a format could misread: line ends, tabs, markup, entity
# codes, statement ends, quotes, comment starts, emoji, non-Latin text, long text.
NASTY = ["GET / HTTP/1.1\r\nHost: x\r\n\r\n", "tab\there", "<b>bold</b> **strong** //it// --del-- __u__",
         "#35; numbered", "a;b; c", "\"double\" 'single' `back`", "# hash %% comment ~ tilde \\ back $ dollar",
         "emoji 😀🎉", "Привет, 世界, مرحبا", "line\u2028sep\u2029para\x0bvt\x85nel", "end", LONG_TEXT]

SENDER = """\
texts = json.loads(TEXTS)
for text in texts:
    send('bob', text)
    print(text)
x = texts[2]
"""
RECEIVER = """\
for _ in range(COUNT):
    m = recv(timeout=5.0)
    print(m.content)
"""


def hostile_spec():
    setup = f"import json\nTEXTS = {json.dumps(json.dumps(NASTY))}\nCOUNT = {len(NASTY)}\n"
    return network({"alice": SENDER, "bob": RECEIVER}, [{"a": "alice", "b": "bob", "latency_ms": 1}],
                   setup={"alice": setup, "bob": setup}, shared={"alice": {"x": ""}})


@pytest.fixture(scope="session")
def lesson_events():
    return {slug: run(builtin(slug)) for slug in LESSONS}


@pytest.fixture(scope="session")
def hostile_events():
    events = run(hostile_spec())
    assert events[-1]["status"] == "completed", events[-1]
    return events


def long_events(n=3000):
    from tests.bench.bench_frontend import generate_trace

    return generate_trace(n)


@pytest.fixture(scope="session")
def every_trace(lesson_events, hostile_events):
    return {**lesson_events, "hostile": hostile_events, "long": long_events()}
