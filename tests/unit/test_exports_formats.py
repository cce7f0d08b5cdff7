"""ShiViz, Chrome/Perfetto, JSONL, the text helpers, the contract check and the registry."""

import json

from playground.exports import ALIASES, EXPORTERS, chrome, jsonl, shiviz
from playground.exports.checks import problem
from playground.exports.text import clip, visible, wrap
from tests.exports.consumers import check_perfetto, check_shiviz
from tests.unit.test_exports_sequence import RUN, ev


def test_visible_escapes_every_line_break_and_keeps_everything_else():
    assert visible("a\r\nb\tc\u2028d\x85e\\") == "a\\r\\nb\\tc\\u2028d\\u0085e\\\\"
    assert visible("<b>#35;😀") == "<b>#35;😀"
    assert clip("x" * 10, 4) == "xxxx… [6 more characters]"
    assert "".join(wrap("ab cd " * 30, 20)) == "ab cd " * 30


def test_shiviz_labels_say_what_happened_and_clocks_keep_its_rules():
    events = check_shiviz(shiviz.export(RUN))
    labels = [label for label, _, _ in events]
    assert 'msg.send · main: sends m1 "one" to b' in labels
    assert "msg.drop · m1 from a to b lost (loss)" in labels
    assert "node.crash · b crashes" in labels
    assert any(label.startswith("deadlock · ") and "a/x_lock" in label for label in labels)
    clocks = {label: clock for label, _, clock in events}
    assert clocks["main: receives m2 from a".join(["msg.recv · ", ""])]["a"] == 2


def test_chrome_flows_are_numeric_bound_and_never_broken():
    trace = json.loads(chrome.export(RUN))
    check_perfetto(trace, RUN)
    flow_ids = [e["id"] for e in trace["traceEvents"] if e["ph"] in ("s", "f")]
    assert all(isinstance(i, int) for i in flow_ids) and len(flow_ids) == 2 * 5  # m1 lost, m2, m3 twice, m4


def test_chrome_lock_holding_is_async_and_need_not_nest():
    lock = {"rtype": "lock", "state": {}}
    events = [ev(1, "sync.acquire", "n", "n/T", resource="A", **lock), ev(2, "sync.acquire", "n", "n/T", resource="B", **lock),
              ev(3, "sync.release", "n", "n/T", resource="A", **lock),
              ev(4, "sync.acquire", "n", "n/U", resource="S", rtype="semaphore", state={}),
              ev(5, "sync.release", "n", "n/V", resource="S", rtype="semaphore", state={})]
    trace = json.loads(chrome.export(events))
    check_perfetto(trace)
    holds = [(e["ph"], e["name"]) for e in trace["traceEvents"] if e.get("cat") == "holds"]
    assert holds == [("b", "n/T holds A"), ("b", "n/T holds B"), ("e", "n/T holds A"), ("b", "n/U holds S"),
                     ("e", "n/U holds S"), ("e", "n/T holds B")]


def test_jsonl_header_carries_the_spec_and_reads_back():
    text = jsonl.export(RUN, {"slug": "x"})
    trace = jsonl.read(text)
    assert trace.spec == {"slug": "x"} and trace.events == RUN and trace.lines == list(range(2, len(RUN) + 2))
    assert jsonl.read(jsonl.export([ev(1, "output", "n", "n/T", text="a\u2028b")])).events[0]["text"] == "a\u2028b"


def test_the_contract_check_names_the_field():
    good = ev(1, "output", "n", "n/T", text="hi", lamport=1, vc={"n": 1})
    assert problem(good) is None
    assert problem({**good, "kind": "nope"})[0] == "kind"
    assert problem({**good, "vc": {"n": "1"}})[0] == "vc"
    assert problem({**good, "node": 3})[0] == "node"
    assert problem({**good, "t": True})[0] == "t"


def test_every_registered_format_says_how_it_opens():
    assert ALIASES == {"perfetto": "chrome"}
    for name, exporter in EXPORTERS.items():
        assert exporter.title and exporter.extension and exporter.content_type and exporter.opens_with, name
        assert "".join(exporter.stream(RUN)) == exporter.export(RUN)
