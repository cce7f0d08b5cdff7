"""The real consumers of the exports, or faithful re-implementations of their rules.

- ShiViz: its default expression, matched with JavaScript's semantics (`.` stops at
  \\n, \\r, U+2028 and U+2029; `\\S` is not JavaScript whitespace), and the clock
  rules of its ModelGraph (js/model/modelGraph.js): each host's own entry counts 1, 2,
  3 …; an entry for another host names one of that host's events; and (the vector
  clock algorithm ShiViz draws from) an event's clock is its host's previous clock
  joined with the clocks of the events it names, plus one of its own.
- Perfetto's JSON importer (perfetto.dev/docs, "Chrome JSON format" and the Trace Event
  Format): numeric flow ids; `B`/`E` and `X` slices strictly nested per (pid, tid);
  async `b`/`e` paired by (cat, id); each flow's `s` and `f` bound to a slice on their
  track (inside it with `bp: "e"`); each flow one `s` and one `f`.
- PlantUML (Debian's `plantuml`) and Mermaid (npm `mermaid` in Chromium): run for real,
  by test_consumers.py.
"""

import json
import re
import struct
from collections import defaultdict

# JavaScript: `.` is anything but a line terminator; `\s` is this set.
JS_LINE_TERMINATORS = "\n\r\u2028\u2029"
JS_SPACE = " \t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
SHIVIZ_DEFAULT = re.compile(rf"(?P<event>[^{JS_LINE_TERMINATORS}]*)\n(?P<host>[^{JS_SPACE}]*) "
                            rf"(?P<clock>{{[^{JS_LINE_TERMINATORS}]*}})")


def shiviz_events(text):
    """[(label, host, clock)] as ShiViz reads an uploaded file: its first line the
    expression, the second the (empty) delimiter, then the log, trimmed."""
    first, delimiter, log = text.split("\n", 2)
    assert first == r"(?<event>.*)\n(?<host>\S*) (?<clock>{.*})", first
    assert delimiter == ""
    log = log.strip()
    found = []
    for match in SHIVIZ_DEFAULT.finditer(log):
        clock = json.loads(match["clock"])
        found.append((match["event"], match["host"], clock))
    return found, log


def check_shiviz(text):
    """The events ShiViz reads; AssertionError when a line or a clock breaks its rules."""
    events, log = shiviz_events(text)
    lines = log.split("\n")
    assert len(lines) == 2 * len(events), "every event must be two lines that the expression reads"
    by_host = defaultdict(list)
    for _label, host, clock in events:
        assert host in clock, f"host {host!r} missing from its clock {clock}"
        assert all(isinstance(v, int) and not isinstance(v, bool) for v in clock.values()), clock
        by_host[host].append(clock)
    for host, clocks in by_host.items():
        own = [c[host] for c in clocks]
        assert own == list(range(1, len(own) + 1)), f"{host}: own clock {own[:10]} … must count 1, 2, 3"
    for host, clocks in by_host.items():
        previous = {}
        for clock in clocks:
            joined = dict(previous)
            for other, time in clock.items():
                if other == host:
                    continue
                assert other in by_host, f"{host}'s clock names an unknown host {other!r}"
                assert 1 <= time <= len(by_host[other]), f"{host}'s clock names {other}:{time}, which is no event"
                if time > previous.get(other, 0):
                    for k, v in by_host[other][time - 1].items():
                        joined[k] = max(joined.get(k, 0), v)
            joined[host] = previous.get(host, 0) + 1
            assert {k: v for k, v in joined.items() if v} == {k: v for k, v in clock.items() if v}, (
                f"{host}: clock {clock} is not the join of its past ({joined})")
            previous = clock
    return events


def check_perfetto(trace, events=None):
    """AssertionError unless the Chrome JSON keeps the importer's rules; with the run's
    events, also that every delivered message is exactly one flow."""
    assert isinstance(trace, dict) and isinstance(trace.get("traceEvents"), list)
    slices = defaultdict(list)  # (pid, tid) -> [(start, end, seq)]
    stacks = defaultdict(list)
    flows = defaultdict(dict)
    asyncs = {}
    for e in trace["traceEvents"]:
        ph = e["ph"]
        assert isinstance(e.get("pid"), int), e
        if ph == "M":
            continue
        assert isinstance(e.get("ts"), int | float), e
        track = (e["pid"], e.get("tid"))
        if ph == "X":
            assert e["dur"] >= 0
            slices[track].append((e["ts"], e["ts"] + e["dur"], e.get("args", {}).get("seq")))
        elif ph == "B":
            stacks[track].append(e["ts"])
        elif ph == "E":
            assert stacks[track], f"E with no open B on {track}"
            start = stacks[track].pop()
            slices[track].append((start, e["ts"], None))
        elif ph in ("s", "t", "f"):
            assert isinstance(e["id"], int) and not isinstance(e["id"], bool), f"flow id must be a number: {e}"
            assert ph not in flows[e["id"]], f"flow {e['id']} has two {ph!r} events"
            flows[e["id"]][ph] = e
        elif ph in ("b", "e"):
            assert isinstance(e["id"], int), e
            key = (e.get("cat"), e["id"])
            if ph == "b":
                assert key not in asyncs, f"async slice {key} begun twice"
                asyncs[key] = e
            else:
                assert key in asyncs, f"async end {key} with no begin"
                assert e["ts"] >= asyncs.pop(key)["ts"]
        elif ph in ("i", "I", "C"):
            pass
        else:
            raise AssertionError(f"unexpected phase {ph!r}")
    assert not any(stacks.values()), "B without E"
    assert not asyncs, f"async slices never ended: {list(asyncs)[:5]}"
    for track, spans in slices.items():  # strictly nested: a later slice inside or after each open one
        open_ends = []
        for start, end, _ in sorted(spans, key=lambda s: (s[0], -s[1])):
            while open_ends and open_ends[-1] <= start:
                open_ends.pop()
            assert not open_ends or end <= open_ends[-1], f"slices overlap without nesting on {track}"
            open_ends.append(end)
    bound = {}
    for number, ends in flows.items():
        assert set(ends) >= {"s", "f"}, f"flow {number} has no {'f' if 's' in ends else 's'}: a broken flow"
        for e in ends.values():
            track = (e["pid"], e["tid"])
            assert e.get("bp") == "e", e
            inside = [s for s in slices[track] if s[0] <= e["ts"] <= s[1]]
            assert inside, f"flow {number} {e['ph']} is bound to no slice on {track}"
            bound[number, e["ph"]] = inside[-1][2]
    if events is not None:
        recv_seqs = {e["seq"] for e in events if e["kind"] == "msg.recv"}
        sent = {e["id"] for e in events if e["kind"] == "msg.send"}  # a duplicate copy keeps its id
        delivered = {e["seq"] for e in events if e["kind"] == "msg.recv" and e["id"] in sent}
        ends = [bound[n, "f"] for n in flows if bound.get((n, "f")) in recv_seqs]
        assert sorted(ends) == sorted(delivered), "every delivered message must be exactly one flow"
    return flows


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])
