"""Each built-in distributed lesson makes its point, read off its events.

Every lesson runs once in-process (cached) and several tests read that one
trace. Nothing here depends on absolute durations: orders, counts, contents,
and ratios of times measured inside the same run.
"""

import json
import re
from functools import cache

import pytest

from playground.engine.sandbox import run_sandboxed
from tests.unit.helpers import LIBRARY, builtin, finished, kinds, run

# Every lesson of several nodes in the library: a new lesson file is picked up as it is.
LESSONS = sorted(path.stem for path in LIBRARY.glob("*.json") if len(json.loads(path.read_text())["nodes"]) > 1)


def events_of(slug: str, seed: int = 1) -> tuple:
    return _events(slug, seed)


@cache
def _events(slug: str, seed: int) -> tuple:
    return tuple(run(builtin(slug, seed=seed)))


def outputs(slug: str, thread: str) -> list[str]:
    return finished(list(events_of(slug)))["outputs"][thread]


def sends(events, **match) -> list[dict]:
    return [e for e in kinds(events, "msg.send") if all(e[k] == v for k, v in match.items())]


def first_index(events, predicate) -> int:
    return next(i for i, e in enumerate(events) if predicate(e))


def strictly_before(a, b) -> bool:
    """Vector clocks (dicts or lists): every entry <=, at least one <."""
    if isinstance(a, dict):
        keys = sorted(set(a) | set(b))
        a, b = [a.get(k, 0) for k in keys], [b.get(k, 0) for k in keys]
    pairs = list(zip(a, b, strict=True))
    return all(x <= y for x, y in pairs) and any(x < y for x, y in pairs)


# -- every lesson ------------------------------------------------------------

@pytest.mark.parametrize("slug", LESSONS)
def test_every_distributed_lesson_is_a_valid_spec_with_an_explanation_and_a_layout(slug):
    data = json.loads((LIBRARY / f"{slug}.json").read_text())
    spec = builtin(slug)
    assert spec["slug"] == data["slug"] == slug
    assert len(data["summary"]) > 300 and data["title"] and data["tags"]
    assert all(isinstance(n.get("x"), (int, float)) and isinstance(n.get("y"), (int, float)) for n in data["nodes"])
    assert all(n.get("role") for n in data["nodes"])
    assert spec["run"]["mode"] == "free"


@pytest.mark.parametrize("slug", LESSONS)
def test_every_distributed_lesson_runs_to_completion_without_a_failed_thread(slug):
    events = list(events_of(slug))
    assert finished(events)["status"] == "completed"
    failures = [e for e in kinds(events, "thread.failed") if e["error"] != "stopped: its node crashed"]
    assert failures == []


@pytest.mark.timeout(120)
@pytest.mark.parametrize("slug", LESSONS)
def test_every_distributed_lesson_runs_to_completion_in_the_sandbox(slug):
    end = finished(run_sandboxed(builtin(slug)))
    assert end["status"] == "completed", end.get("error")


# -- client-server-http ------------------------------------------------------

def test_client_server_http_asks_dns_before_anything_goes_to_the_web_server():
    events = list(events_of("client-server-http"))
    first_send = sends(events, **{"from": "browser"})[0]
    assert first_send["to"] == "dns" and first_send["content"] == {"query": "en.wikipedia.org"}
    dns_answer = first_index(events, lambda e: e["kind"] == "msg.recv" and e["to"] == "browser"
                             and e["from"] == "dns")
    to_server = first_index(events, lambda e: e["kind"] == "msg.send" and e["to"] == "server")
    assert dns_answer < to_server
    assert "208.80.154.224" in outputs("client-server-http", "browser/main")[0]


def test_client_server_http_every_request_gets_one_response_in_order():
    events = list(events_of("client-server-http"))
    browser = [(e["kind"], e["to"] if e["kind"] == "msg.send" else e["from"])
               for e in events if e["kind"] in ("msg.send", "msg.recv") and e["node"] == "browser"]
    assert browser == [("msg.send", "dns"), ("msg.recv", "dns"), ("msg.send", "server"), ("msg.recv", "server"),
                       ("msg.send", "server"), ("msg.recv", "server")]


def test_client_server_http_the_browser_gets_200_with_headers_and_a_page_then_404_for_a_missing_page():
    events = list(events_of("client-server-http"))
    first, second = [e["content"] for e in sends(events, **{"from": "browser", "to": "server"})]
    assert first.startswith("GET /wiki/UC_Berkeley HTTP/1.1\r\n") and "\r\nHost: en.wikipedia.org\r\n" in first
    assert first.endswith("\r\n\r\n") and second.startswith("GET /wiki/No_Such_Page HTTP/1.1\r\n")
    ok, missing = [e["content"] for e in sends(events, **{"from": "server"})]
    head, body = ok.split("\r\n\r\n", 1)
    assert head.split("\r\n")[0] == "HTTP/1.1 200 OK"
    assert "Content-Type: text/html; charset=UTF-8" in head.split("\r\n")
    assert f"Content-Length: {len(body.encode())}" in head.split("\r\n")
    assert body.startswith("<html>") and "Berkeley" in body
    assert missing.startswith("HTTP/1.1 404 Not Found\r\n")
    statuses = [line for line in outputs("client-server-http", "browser/main") if line.startswith("HTTP/1.1")]
    assert statuses == ["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found"]


# -- server-single-point-of-failure ------------------------------------------

def test_spof_after_the_server_crashes_every_client_times_out_and_reports_it_unreachable():
    events = list(events_of("server-single-point-of-failure"))
    crash = first_index(events, lambda e: e["kind"] == "node.crash")
    assert events[crash]["node"] == "server"
    for client in ("client1", "client2", "client3"):
        lines = [(i, e["text"]) for i, e in enumerate(events) if e["kind"] == "output" and e["node"] == client]
        answered = [text for i, text in lines if ": done (" in text]
        assert answered, f"{client} was served before the crash"
        last_index, last = lines[-1]
        assert "server unreachable" in last and last_index > crash
    assert not [e for e in events[crash:] if e["kind"] == "msg.recv" and e["to"] == "server"]
    assert {e["reason"] for e in kinds(events, "msg.drop")} <= {"crash"}


# -- server-overload ----------------------------------------------------------

AVERAGE = re.compile(r"^(iterative|threaded) server: average response time ([0-9.]+) s$")


def test_server_overload_thread_per_request_answers_much_faster_on_average_than_the_iterative_server():
    averages: dict[str, list[float]] = {"iterative": [], "threaded": []}
    for client in ("client1", "client2", "client3"):
        lines = outputs("server-overload", f"{client}/main")
        assert sum("answered after" in line for line in lines) == 4
        for line in lines:
            match = AVERAGE.match(line)
            if match:
                averages[match[1]].append(float(match[2]))
    iterative = sum(averages["iterative"]) / 3
    threaded = sum(averages["threaded"]) / 3
    assert len(averages["iterative"]) == len(averages["threaded"]) == 3
    assert iterative > 1.5 * threaded  # six queued 0.1 s jobs: about 3.5 times in theory


def test_server_overload_the_threaded_server_spawns_a_thread_per_request_and_the_iterative_one_does_not():
    events = list(events_of("server-overload"))
    started = kinds(events, "thread.started")
    assert len([e for e in started if e["node"] == "threaded"]) == 1 + 6
    assert len([e for e in started if e["node"] == "iterative"]) == 1


# -- p2p-overlay-routing --------------------------------------------------------

def test_p2p_overlay_the_supernode_logs_the_newcomer_in_and_tells_it_its_neighbour():
    events = list(events_of("p2p-overlay-routing"))
    (welcome,) = [e for e in sends(events, **{"from": "supernode", "to": "p5"})]
    assert welcome["content"] == {"type": "welcome", "neighbours": ["p4"]}
    (joined,) = [e for e in sends(events, **{"from": "supernode", "to": "p4"}) if e["content"]["type"] ==
                 "neighbour-joined"]
    assert joined["content"]["peer"] == "p5"
    assert "logged in; the supernode says my neighbours are ['p4']" in outputs("p2p-overlay-routing", "p5/main")


def test_p2p_overlay_a_packet_travels_hop_by_hop_between_neighbours_there_and_back():
    events = list(events_of("p2p-overlay-routing"))
    packets = [e for e in kinds(events, "msg.send") if e["content"].get("type") == "packet"]
    hello = [(e["from"], e["to"]) for e in packets if e["content"]["data"] == "hello"]
    welcome = [(e["from"], e["to"]) for e in packets if e["content"]["data"] == "welcome"]
    assert hello == [("p5", "p4"), ("p4", "p3"), ("p3", "p2"), ("p2", "p1")]
    assert welcome == [(b, a) for a, b in reversed(hello)]
    for sender, to in hello + welcome:
        assert f"forwarding to {to} (packet for {'p1' if (sender, to) in hello else 'p5'})" in outputs(
            "p2p-overlay-routing", f"{sender}/main")
    assert "packet from p5 arrived after 4 hops: 'hello'" in outputs("p2p-overlay-routing", "p1/main")
    assert "packet from p1 arrived after 4 hops: 'welcome'" in outputs("p2p-overlay-routing", "p5/main")


def test_p2p_overlay_after_the_log_out_the_supernode_and_the_neighbour_forget_the_peer():
    end = finished(list(events_of("p2p-overlay-routing")))
    assert end["shared"]["supernode"]["online"] == ["p1", "p2", "p3", "p4"]
    assert end["shared"]["p4"]["neighbours"] == ["p3"]
    assert "p5 left; neighbours: ['p3']" in end["outputs"]["p4/main"]


# -- p2p-replicated-storage ------------------------------------------------------

def test_p2p_storage_a_crashed_peer_loses_its_copies_but_every_item_survives_on_another_peer():
    events = list(events_of("p2p-replicated-storage"))
    owner = outputs("p2p-replicated-storage", "owner/main")
    first = owner.index("p2: no answer - its copies are lost")
    assert owner[first + 2] == "6 of 6 items reachable, 2 with both copies"
    crash = first_index(events, lambda e: e["kind"] == "node.crash")
    lost = first_index(events, lambda e: e.get("text") == "p2: no answer - its copies are lost")
    assert events[crash]["node"] == "p2" and crash < lost
    assert any(e["reason"] == "crash" and e["to"] == "p2" for e in kinds(events, "msg.drop"))


def test_p2p_storage_the_replacement_restores_its_items_from_the_copies_of_its_neighbours():
    events = list(events_of("p2p-replicated-storage"))
    restart = first_index(events, lambda e: e["kind"] == "node.restart")
    restored = [e for e in events[restart:] if e["kind"] == "output" and e["node"] == "p2"
                and e["text"].startswith("restored")]
    assert sorted(e["text"] for e in restored) == ["restored ['song-1', 'song-4'] from p1",
                                                   "restored ['song-2', 'song-5'] from p3"]
    owner = outputs("p2p-replicated-storage", "owner/main")
    assert owner[-1] == "6 of 6 items reachable, 6 with both copies"
    assert "p2 holds song-1 song-2 song-4 song-5" in owner
    stores = finished(events)["shared"]
    for n in range(1, 7):
        assert sum(f"song-{n}" in stores[p]["store"] for p in ("p1", "p2", "p3")) == 2


# -- tcp-over-ip ---------------------------------------------------------------

def message_of(spec: dict) -> str:
    (setup,) = {n["setup"] for n in spec["nodes"] if n["id"] in ("ip_sender", "tcp_sender")}
    return re.search(r"MESSAGE = '(.*)'", setup)[1]


def test_tcp_over_ip_raw_datagrams_are_lost_duplicated_or_reordered_and_the_text_arrives_garbled():
    events = list(events_of("tcp-over-ip"))
    raw = [e for e in kinds(events, "msg.drop") + kinds(events, "msg.duplicate") if e["from"] == "ip_sender"]
    assert raw, "loss 0.2 and duplicate 0.1 over 14 datagrams"
    label = {e["id"]: e["content"]["n"] for e in sends(events, **{"from": "ip_sender"})}
    arrived = [label[e["id"]] for e in kinds(events, "msg.recv") if e["to"] == "ip_receiver"]
    assert arrived != list(range(len(label)))  # not each datagram once, in order
    reads = next(line for line in outputs("tcp-over-ip", "ip_receiver/main") if line.startswith("the application"))
    assert reads != "the application reads: " + message_of(builtin("tcp-over-ip"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tcp_over_ip_delivers_every_byte_in_order_despite_loss_duplication_and_reordering(seed):
    events = list(events_of("tcp-over-ip", seed))
    text = message_of(builtin("tcp-over-ip"))
    end = finished(events)
    assert end["status"] == "completed"
    assert end["shared"]["tcp_receiver"] == {"state": "CLOSED", "delivered": text}
    writes = [e["value"] for e in kinds(events, "var.write") if e["name"] == "delivered"]
    assert all(text.startswith(w) for w in writes) and writes == sorted(writes, key=len)
    assert "the application reads: " + text in end["outputs"]["tcp_receiver/main"]
    faults = [e for e in kinds(events, "msg.drop") + kinds(events, "msg.duplicate")
              if e["from"] in ("tcp_sender", "tcp_receiver")]
    assert faults, "the stream's link was as faulty as the raw one"


def test_tcp_over_ip_opens_with_a_three_way_handshake_and_pays_in_retransmissions():
    events = list(events_of("tcp-over-ip"))
    flags = [(e["from"], e["content"]["flags"]) for e in kinds(events, "msg.send")
             if e["from"] in ("tcp_sender", "tcp_receiver")]
    syn, synack, ack = (flags.index(f) for f in [("tcp_sender", "SYN"), ("tcp_receiver", "SYN-ACK"),
                                                 ("tcp_sender", "ACK")])
    assert syn < synack < ack < flags.index(("tcp_sender", "DATA"))
    summary = outputs("tcp-over-ip", "tcp_sender/main")[-1]
    match = re.match(r"(\d+) bytes in (\d+) segments, (\d+) retransmissions, ([0-9.]+) s", summary)
    assert match and int(match[3]) > 0
    assert sum(line.startswith("timeout: retransmitting") for line in outputs("tcp-over-ip", "tcp_sender/main")) \
        == int(match[3])


# -- replicated-calls ------------------------------------------------------------

def test_replicated_calls_first_last_and_all_answer_from_one_three_and_three_replicas():
    events = list(events_of("replicated-calls"))
    contents = {e["id"]: e["content"] for e in kinds(events, "msg.send")}
    replies = sends(events, **{"from": "proxy", "to": "client"})
    assert len(replies) == 3
    for call, (policy, heard) in enumerate(zip(("first", "last", "all"), (1, 3, 3), strict=True), start=1):
        reply_at = events.index(replies[call - 1])
        answers = [e for e in events[:reply_at] if e["kind"] == "msg.recv" and e["to"] == "proxy"
                   and e["from"].startswith("replica") and contents[e["id"]]["call"] == call]
        assert len(answers) == heard, policy
        if policy == "first":
            assert [a["from"] for a in answers] == ["replica1"]  # 10 ms away against 40 and 80


def test_replicated_calls_first_comes_from_the_nearest_replica_last_from_the_stale_one_and_all_outvote_it():
    lines = outputs("replicated-calls", "client/main")
    assert lines[0].startswith("first: balance = 100 from replica1 after")
    assert lines[1].startswith("last: balance = 90 from replica3 after")
    assert lines[2].startswith("all: balance = 100 by majority (")
    assert all(f"{r} {v}" in lines[2] for r, v in (("replica1", 100), ("replica2", 100), ("replica3", 90)))


# -- publish-subscribe ---------------------------------------------------------------

def test_publish_subscribe_each_subscriber_gets_exactly_its_topics_in_publication_order():
    sports = ["[sports] Cal beats Stanford 27-20", "[sports] Warriors win in overtime"]
    weather = ["[weather] Sunny in Berkeley, 22 C", "[weather] Fog rolling in tonight"]
    assert outputs("publish-subscribe", "alice/main") == sports
    assert outputs("publish-subscribe", "bob/main") == weather
    carol = outputs("publish-subscribe", "carol/main")
    assert sorted(carol) == sorted(sports + weather)
    assert [line for line in carol if "[sports]" in line] == sports
    assert [line for line in carol if "[weather]" in line] == weather


def test_publish_subscribe_publishers_and_subscribers_never_talk_directly_and_unread_news_reaches_nobody():
    spec = builtin("publish-subscribe")
    assert all("broker" in (link["a"], link["b"]) for link in spec["links"])
    events = list(events_of("publish-subscribe"))
    assert all("broker" in (e["from"], e["to"]) for e in kinds(events, "msg.send"))
    assert "finance from newsroom: 'Markets close higher' -> nobody" in outputs("publish-subscribe", "broker/main")
    assert not any("Markets" in line for s in ("alice", "bob", "carol")
                   for line in outputs("publish-subscribe", f"{s}/main"))


# -- rpc-stub ----------------------------------------------------------------------

def test_rpc_stub_marshals_each_call_into_a_json_message_and_the_caller_reads_it_like_a_local_call():
    events = list(events_of("rpc-stub"))
    requests = [json.loads(e["content"]) for e in sends(events, **{"from": "client"})]
    assert requests == [{"procedure": "add", "args": [2, 3]}, {"procedure": "upper", "args": ["hi"]},
                        {"procedure": "divide", "args": [1, 0]}]
    responses = [json.loads(e["content"]) for e in sends(events, **{"from": "server"})]
    assert responses[:2] == [{"result": 5}, {"result": "HI"}] and "ZeroDivisionError" in responses[2]["error"]
    client = outputs("rpc-stub", "client/main")
    assert client[:2] == ["add(2, 3) = 5", "upper('hi') = HI"]
    assert client[2].startswith("divide failed on the server: ZeroDivisionError")
    assert outputs("rpc-stub", "server/main")[0] == "add(2, 3) -> {'result': 5}"


# -- lamport-vector-clocks -------------------------------------------------------------

CLOCK_LINE = re.compile(r"^(\w): .*L=(\d+)  V=\[(\d+), (\d+), (\d+)\]$")


def program_clocks() -> dict[str, tuple[int, list[int]]]:
    clocks = {}
    for p in ("p1", "p2", "p3"):
        for line in outputs("lamport-vector-clocks", f"{p}/main"):
            match = CLOCK_LINE.match(line)
            clocks[match[1]] = (int(match[2]), [int(match[3]), int(match[4]), int(match[5])])
    return clocks


def test_lamport_for_every_message_the_senders_clock_at_send_is_below_the_receivers_at_receipt():
    events = list(events_of("lamport-vector-clocks"))
    sent = {e["id"]: e for e in kinds(events, "msg.send")}
    received = kinds(events, "msg.recv")
    assert len(received) == len(sent) == 3
    for e in received:
        assert strictly_before(sent[e["id"]]["vc"], e["vc"])
        assert sent[e["id"]]["lamport"] < e["lamport"]


def test_lamport_the_processes_compute_the_textbook_clocks():
    assert program_clocks() == {
        "a": (1, [1, 0, 0]), "b": (2, [2, 0, 0]), "c": (3, [3, 0, 2]),
        "d": (3, [2, 1, 0]), "e": (4, [2, 2, 0]), "f": (5, [2, 3, 0]),
        "g": (1, [0, 0, 1]), "h": (2, [0, 0, 2]), "i": (5, [2, 2, 3]),
    }


def test_lamport_vector_clocks_reveal_concurrency_that_lamport_clocks_hide():
    clocks = program_clocks()
    (lc, vc), (le, ve) = clocks["c"], clocks["e"]
    assert lc < le and not strictly_before(vc, ve) and not strictly_before(ve, vc)  # c ∥ e
    for earlier, later in (("a", "i"), ("b", "d"), ("h", "c"), ("e", "i"), ("g", "c")):  # happens-before
        assert strictly_before(clocks[earlier][1], clocks[later][1])
        assert clocks[earlier][0] < clocks[later][0]
    for x, y in (("a", "g"), ("f", "i"), ("b", "h")):  # concurrent pairs
        assert not strictly_before(clocks[x][1], clocks[y][1]) and not strictly_before(clocks[y][1], clocks[x][1])
