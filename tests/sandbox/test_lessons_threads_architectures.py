"""Lessons of issue 13's "Threads and shared state" and "Architectures and communication",
each making its point read off its events (orders, counts, contents; times only as ratios
within one run, with generous bounds), and the fix checks judged through the sandbox as
the API judges them (reference solutions in tests/unit/test_lessons_threads_architectures.py)."""

import copy
import time
from functools import cache

import pytest

from playground.engine.challenges import check
from playground.engine.sandbox import run_sandboxed
from playground.engine.spec import same_value, validate
from tests.unit.helpers import builtin, finished, kinds, run
from tests.unit.test_lessons_threads_architectures import (
    BREAK_FAULTS,
    DROPPING_THE_WORK,
    REFERENCES,
    challenge,
)


@cache
def _events(slug: str) -> tuple:
    return tuple(run(builtin(slug)))


def lesson_events(slug: str) -> list[dict]:
    return list(_events(slug))


def with_faults(slug: str, faults: list[dict]) -> list[dict]:
    return run(validate({**copy.deepcopy(builtin(slug)), "faults": faults}))


def outputs(events: list[dict], thread: str) -> list[str]:
    return finished(events)["outputs"].get(thread, [])


def sends(events, **match) -> list[dict]:
    return [e for e in kinds(events, "msg.send") if all(e.get(k) == v for k, v in match.items())]


# -- the fix checks through the sandbox --------------------------------------------------

@pytest.mark.timeout(180)
@pytest.mark.parametrize("slug,cid", sorted(REFERENCES))
def test_a_fix_check_in_the_sandbox_fails_the_lesson_and_passes_the_reference(slug, cid):
    spec = builtin(slug)
    ch = challenge(spec, cid)
    started = time.monotonic()
    failed = check(spec, ch, edited_spec=spec)
    assert not failed["passed"] and failed["exhaustive"], failed["message"]
    witness = failed["witness"]
    assert witness["replays"] is True and witness["verdict"]["ok"] is False
    replay = run_sandboxed({**witness["scenario"], "run": {**witness["scenario"]["run"], "mode": "replay",
                                                           "schedule": witness["schedule"]}})
    assert replay[-1]["status"] == witness["outcome"]["status"] == "violated"
    assert same_value(replay[-1]["shared"], witness["outcome"]["shared"])
    passed = check(spec, ch, edited_spec=REFERENCES[slug, cid](spec))
    assert passed["passed"], passed["message"]
    assert passed["exhaustive"] and passed["covered"].startswith("exhaustive: all")
    assert not check(spec, ch, edited_spec=DROPPING_THE_WORK[slug, cid](spec))["passed"]
    print(f"{slug}/{cid}: {time.monotonic() - started:.1f} s for three checks")


# -- multithreaded-client ------------------------------------------------------------------

def test_multithreaded_client_overlaps_its_requests_and_is_several_times_faster():
    events = lesson_events("multithreaded-client")
    requests = sends(events, **{"from": "client"})
    assert len(requests) == 8
    first, second = requests[:4], requests[4:]
    replies = {e["id"]: e for e in kinds(events, "msg.recv") if e["to"] == "client"}
    replies_by_request = {}
    for e in kinds(events, "msg.send"):
        if e["to"] == "client":
            replies_by_request[e["content"]["path"], e["t"] > second[0]["t"]] = replies[e["id"]]
    # One after another: each request leaves after the previous reply came back.
    for before, after in zip(first, first[1:], strict=False):
        assert replies_by_request[before["content"]["get"], False]["t"] <= after["t"]
    # One thread per request: all four are out before the first of their replies arrives.
    first_reply = min(replies_by_request[r["content"]["get"], True]["t"] for r in second)
    assert all(r["t"] < first_reply for r in second)
    one_by_one = max(replies_by_request[r["content"]["get"], False]["t"] for r in first) - first[0]["t"]
    threaded = max(replies_by_request[r["content"]["get"], True]["t"] for r in second) - second[0]["t"]
    assert one_by_one / threaded >= 2.0                     # ideally 4: a lower bound only
    assert outputs(events, "client/main")[-1].startswith("speed-up:")
    assert len(finished(events)["shared"]["client"]["pages"]) == 4


# -- three-tier-web ------------------------------------------------------------------------

def test_three_tier_request_goes_down_the_layers_and_back_up():
    events = lesson_events("three-tier-web")
    hops = [(e["from"], e["to"]) for e in kinds(events, "msg.send")]
    assert hops[:6] == [("browser", "web"), ("web", "app"), ("app", "db"), ("db", "app"), ("app", "web"),
                        ("web", "browser")]
    assert {to for frm, to in hops if frm == "browser"} == {"web"}     # the browser sees only the web tier
    assert {to for frm, to in hops if frm == "db"} == {"app"}          # the data level answers only the app
    lines = outputs(events, "browser/main")
    assert lines[0] == "HTTP/1.1 200 OK" and lines[1].strip() == "Distributed systems (Wikipedia)"
    assert lines.count("HTTP/1.1 200 OK") == 2


def test_three_tier_without_the_database_the_browser_gets_503():
    events = with_faults("three-tier-web", BREAK_FAULTS["three-tier-web", "no-data"])
    assert finished(events)["status"] == "completed"
    assert "HTTP/1.1 503 Service Unavailable" in outputs(events, "browser/main")
    spec = builtin("three-tier-web")
    crashed = validate({**copy.deepcopy(spec), "faults": BREAK_FAULTS["three-tier-web", "no-data"]})
    assert check(spec, challenge(spec, "no-data"), events=events, edited_spec=crashed)["passed"]
    assert not check(spec, challenge(spec, "no-data"), events=lesson_events("three-tier-web"), edited_spec=spec)["passed"]


# -- rest-resources ------------------------------------------------------------------------

def test_rest_put_is_idempotent_post_is_not_and_any_stateless_server_answers():
    events = lesson_events("rest-resources")
    lines = outputs(events, "client/main")
    statuses = [line.split(" -> ")[1].split(" ")[0] for line in lines]
    assert statuses == ["201", "201", "200", "201", "201", "200", "200", "204", "404", "404"]
    assert "object-2" in lines[3] and "object-3" in lines[4]                 # two POSTs, two objects
    assert finished(events)["shared"]["store"]["buckets"] == {"photos": {"object-2": "woof", "object-3": "woof"}}
    served = {e["from"] for e in kinds(events, "msg.send") if e["to"] == "client"}
    assert served == {"api1", "api2"}
    assert finished(events)["shared"]["api1"] == {} == finished(events)["shared"]["api2"]   # no state kept


# -- mailbox -------------------------------------------------------------------------------

def test_mailbox_keeps_the_letters_while_direct_messages_to_the_offline_receiver_are_dropped():
    events = lesson_events("mailbox")
    direct = sends(events, **{"from": "sender", "to": "receiver"})
    dropped = {e["id"] for e in kinds(events, "msg.drop") if e["reason"] == "crash"}
    assert len(direct) == 3 and {e["id"] for e in direct} <= dropped
    restart = next(e for e in kinds(events, "node.restart") if e["node"] == "receiver")
    letters = sends(events, **{"from": "sender", "to": "mailbox"})
    assert len(letters) == 3 and all(e["seq"] < restart["seq"] for e in letters)   # sent while it was offline
    lines = outputs(events, "receiver/main")
    assert [line for line in lines if line.startswith("read from the mailbox")] == [
        f"read from the mailbox: letter {i}" for i in (1, 2, 3)]
    assert not any(line.startswith("received directly") for line in lines)


def test_mailbox_crashed_after_keeping_the_letters_loses_them():
    spec = builtin("mailbox")
    faults = BREAK_FAULTS["mailbox", "lose-the-letters"]
    events = with_faults("mailbox", faults)
    assert "receiver read 0 letters" in outputs(events, "receiver/main")
    crashed = validate({**copy.deepcopy(spec), "faults": faults})
    assert check(spec, challenge(spec, "lose-the-letters"), events=events, edited_spec=crashed)["passed"]


# -- tuple-space ---------------------------------------------------------------------------

def test_tuple_space_each_task_is_taken_once_rd_leaves_the_setting_and_results_come_back():
    events = lesson_events("tuple-space")
    taken = [int(line.rsplit(" ", 1)[1]) for w in ("worker1", "worker2") for line in outputs(events, f"{w}/main")]
    assert sorted(taken) == [1, 2, 3, 4]                                  # each exactly once
    assert finished(events)["shared"]["space"]["tuples"] == [["power", 2]]
    reads = [e for e in kinds(events, "msg.send") if e["to"] == "space" and e["content"]["op"] == "rd"]
    assert {e["from"] for e in reads} == {"worker1", "worker2"}
    master = outputs(events, "master/main")
    assert master[-1] == "total 30" and sorted(master[:4]) == [f"result {n} -> {n * n}" for n in (1, 2, 3, 4)]
