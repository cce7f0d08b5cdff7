"""The coordination lessons (issue 13) make their points, read off their events:
mutual exclusion by a coordinator, by Ricart and Agrawala, by a token ring; the bully
and ring elections; gossip, flooding and a Chord lookup.

Orders are read off the vector clocks the engine puts on every event (happens-before),
never off times; counts of messages and printed lines are exact where the protocol
fixes them."""

import copy
import json
import math
import re
from functools import cache

import pytest

from playground.engine.challenges import check
from playground.engine.runner import collect
from playground.engine.spec import validate
from tests.unit.helpers import LIBRARY, builtin, finished, kinds

IN_PROCESS = {"explore": collect, "replay": collect}


def lesson(slug: str) -> dict:
    return builtin(slug)


@cache
def _events(slug: str) -> tuple:
    return tuple(collect(builtin(slug)))


def events_of(slug: str) -> list[dict]:
    return list(_events(slug))


def with_faults(slug: str, faults: list[dict]) -> dict:
    data = copy.deepcopy(builtin(slug))
    data["faults"] = list(data["faults"]) + faults
    return validate(data)


def challenge(slug: str, cid: str) -> dict:
    return next(ch for ch in lesson(slug)["challenges"] if ch["id"] == cid)


def judge_break(slug: str, cid: str, spec: dict) -> dict:
    return check(lesson(slug), challenge(slug, cid), events=collect(spec), edited_spec=spec, **IN_PROCESS)


def happens_before(a: dict, b: dict) -> bool:
    """a → b by the engine's vector clocks (dicts by node): every entry <=, one <."""
    keys = set(a["vc"]) | set(b["vc"])
    pairs = [(a["vc"].get(k, 0), b["vc"].get(k, 0)) for k in keys]
    return all(x <= y for x, y in pairs) and any(x < y for x, y in pairs)


def sections(events: list[dict]) -> list[tuple[dict, dict]]:
    """Each stay in the critical section: (its section.enter, its section.exit), in seq order."""
    stays, open_ = [], {}
    for e in events:
        if e["kind"] == "section.enter" and e["section"] == "critical":
            open_[e["node"]] = e
        elif e["kind"] == "section.exit" and e["section"] == "critical":
            stays.append((open_.pop(e["node"]), e))
    assert not open_
    return sorted(stays, key=lambda s: s[0]["seq"])


def assert_mutually_exclusive(stays: list[tuple[dict, dict]]) -> None:
    """Of any two stays, one ended before (happens-before) the other began: never two inside."""
    for i, (_, exit_) in enumerate(stays):
        for enter, _ in stays[i + 1:]:
            assert happens_before(exit_, enter), (exit_, enter)


def printed(events: list[dict], node: str) -> list[str]:
    return finished(events)["outputs"].get(f"{node}/main", [])


# -- mutex-coordinator -------------------------------------------------------------

def test_the_coordinator_grants_one_at_a_time_and_queues_the_others_in_order():
    events = events_of("mutex-coordinator")
    stays = sections(events)
    assert [enter["node"] for enter, _ in stays] == ["p1", "p2", "p3"]
    assert_mutually_exclusive(stays)
    lines = printed(events, "coordinator")
    assert lines[0] == "grant to p1"
    assert "p2 must wait: queue ['p2']" in lines and "p3 must wait: queue ['p2', 'p3']" in lines
    assert [line for line in lines if line.startswith("grant")] == ["grant to p1", "grant to p2", "grant to p3"]
    # three messages per entry: request, OK, release
    assert len(kinds(events, "msg.send")) == 9


def test_a_crashed_coordinator_leaves_the_queued_clients_waiting_without_knowing_why():
    spec = with_faults("mutex-coordinator", [{"at_ms": 150, "action": "crash", "node": "coordinator"}])
    events = collect(spec)
    assert finished(events)["status"] == "completed"
    assert any(e["reason"] == "crash" for e in kinds(events, "msg.drop"))  # a release is lost
    entered = {e["node"] for e in kinds(events, "section.enter")}
    gave_up = {c for c in ("p1", "p2", "p3") if any("gave up" in line for line in printed(events, c))}
    assert gave_up and entered.isdisjoint(gave_up) and entered | gave_up == {"p1", "p2", "p3"}
    assert judge_break("mutex-coordinator", "crash-coordinator", spec)["passed"]
    assert not judge_break("mutex-coordinator", "crash-coordinator", lesson("mutex-coordinator"))["passed"]


# -- mutex-ricart-agrawala -----------------------------------------------------------

def test_ricart_agrawala_lets_the_oldest_request_in_first_and_the_others_defer():
    events = events_of("mutex-ricart-agrawala")
    stays = sections(events)
    assert [enter["node"] for enter, _ in stays] == ["p1", "p2", "p3"]  # (1, p1) < (1, p2) < (1, p3)
    assert_mutually_exclusive(stays)
    assert any(line.startswith("defer p2") for line in printed(events, "p1"))
    assert any(line.startswith("defer p3") for line in printed(events, "p2"))
    shared = finished(events)["shared"]["printer"]
    assert shared["printed"] == ["page of p1", "page of p2", "page of p3"] and shared["using"] == 0
    using = [e["value"] for e in kinds(events, "var.write") if e["node"] == "printer" and e["name"] == "using"]
    assert max(using) == 1
    # 2(n - 1) = 4 protocol messages per entry, plus a call and an answer for each of BEGIN and END
    protocol = [e for e in kinds(events, "msg.send") if e["content"]["kind"] in ("REQUEST", "OK")]
    assert len(protocol) == 3 * 4


RA_BUDGET = 800  # schedules: the space is far larger; the DFS covers this many


def explored(spec: dict, max_schedules: int = RA_BUDGET) -> dict:
    data = copy.deepcopy(spec)
    data["run"] = {**data["run"], "mode": "explore", "max_schedules": max_schedules, "timeout_ms": 60_000}
    return next(e for e in collect(validate(data)) if e["kind"] == "explore.result")


@pytest.mark.timeout(180)
def test_ricart_agrawala_never_lets_two_processes_use_the_printer_on_any_explored_schedule():
    result = explored(lesson("mutex-ricart-agrawala"))
    assert result["explored"] >= min(RA_BUDGET, 50)
    assert result["outcomes"] and all(o["status"] == "completed" for o in result["outcomes"])
    for o in result["outcomes"]:
        assert o["shared"]["printer"]["using"] == 0 and len(o["shared"]["printer"]["printed"]) == 3


@pytest.mark.timeout(180)
def test_without_deferring_the_invariant_catches_two_processes_inside():
    """The check is not vacuous: a process that always answers OK at once lets two in."""
    data = copy.deepcopy(lesson("mutex-ricart-agrawala"))
    for n in data["nodes"]:
        n["setup"] = n["setup"].replace("if state == 'HELD' or (state == 'WANTED' and my_request < (ts, sender)):",
                                        "if False:")
    result = explored(validate(data), max_schedules=100)
    bad = [o for o in result["outcomes"] if o["status"] == "violated"]
    assert bad and bad[0]["violation"]["invariant"] == "using <= 1"


# -- mutex-token-ring ------------------------------------------------------------------

def test_the_token_goes_round_the_ring_and_only_its_holder_enters():
    events = events_of("mutex-token-ring")
    sends = kinds(events, "msg.send")
    assert len(sends) == 12 == challenge("mutex-token-ring", "messages-for-nothing")["answer"]
    ring = ["n1", "n2", "n3", "n4"]
    assert all(ring[(ring.index(e["from"]) + 1) % 4] == e["to"] for e in sends)
    assert [e["content"]["hops"] for e in sends] == list(range(12))
    stays = sections(events)
    assert len(stays) == 6  # every other process each round, three rounds
    assert_mutually_exclusive(stays)


def test_a_crashed_process_loses_the_token_and_nobody_enters_again():
    spec = with_faults("mutex-token-ring", [{"at_ms": 0, "action": "crash", "node": "n3"}])
    events = collect(spec)
    drops = [e for e in kinds(events, "msg.drop") if e["reason"] == "crash"]
    assert drops
    lost = [e for e in kinds(events, "output") if "the token is lost" in e["text"]]
    assert {e["node"] for e in lost} == {"n1", "n2", "n4"}
    assert all(e["seq"] < drops[0]["seq"] for e in kinds(events, "section.enter"))
    assert judge_break("mutex-token-ring", "lose-the-token", spec)["passed"]
    assert not judge_break("mutex-token-ring", "lose-the-token", lesson("mutex-token-ring"))["passed"]


# -- election-bully ----------------------------------------------------------------------

def last_leader(events: list[dict], node: str) -> str:
    return next(line for line in reversed(printed(events, node)) if line.startswith("leader: "))


def test_after_the_leader_crashes_every_live_process_names_the_same_new_leader():
    events = events_of("election-bully")
    assert [e["node"] for e in kinds(events, "node.crash")] == ["p5"]
    assert {last_leader(events, p) for p in ("p1", "p2", "p3", "p4")} == {"leader: p4"}
    # p2 noticed first and started it; p3 and p4 were bullied into elections of their own
    assert "p5 does not answer" in printed(events, "p2")
    assert any(line.startswith("election!") for line in printed(events, "p3"))
    announce = [e for e in kinds(events, "msg.send") if e["content"]["kind"] == "COORDINATOR"]
    assert {e["from"] for e in announce} == {"p4"}
    crash = kinds(events, "node.crash")[0]
    assert all(crash["seq"] < e["seq"] for e in announce)


def test_crashing_the_next_leader_too_makes_them_settle_on_p3():
    spec = with_faults("election-bully", [{"at_ms": 1000, "action": "crash", "node": "p4"}])
    events = collect(spec)
    assert finished(events)["status"] == "completed"
    assert {last_leader(events, p) for p in ("p1", "p2", "p3")} == {"leader: p3"}
    assert judge_break("election-bully", "crash-the-winner", spec)["passed"]
    assert not judge_break("election-bully", "crash-the-winner", lesson("election-bully"))["passed"]


# -- election-ring --------------------------------------------------------------------------

def test_two_ring_elections_at_once_both_find_n9_and_everyone_learns_it():
    events = events_of("election-ring")
    nodes = [n["id"] for n in lesson("election-ring")["nodes"]]
    assert {printed(events, n)[-1] for n in nodes} == {"leader: n9"}
    sends = kinds(events, "msg.send")
    elections = [e for e in sends if e["content"]["kind"] == "ELECTION"]
    coordinators = [e for e in sends if e["content"]["kind"] == "COORDINATOR"]
    assert len(elections) == len(coordinators) == 2 * len(nodes)  # n + n per election, two elections
    for starter in ("n2", "n5"):
        went_round = [line for line in printed(events, starter) if line.startswith("my election went round")]
        assert len(went_round) == 1 and went_round[0].endswith("the leader is n9")
        ids = json.loads(re.search(r"\[.*\]", went_round[0]).group(0))
        assert sorted(ids) == [1, 2, 3, 5, 7, 9]


# -- gossip-epidemic ---------------------------------------------------------------------------

def learned_rounds(events: list[dict]) -> dict[str, int]:
    rounds = {}
    for n in lesson("gossip-epidemic")["nodes"]:
        last = printed(events, n["id"])[-1]
        rounds[n["id"]] = int(re.match(r"knew it from round (\d+)", last).group(1))
    return rounds


def test_push_gossip_reaches_every_peer_in_a_few_rounds_and_then_wastes_messages():
    events = events_of("gossip-epidemic")
    rounds = learned_rounds(events)
    assert len(rounds) == 10 and rounds["p0"] == 0
    # the informed can at most double each round: ten peers need at least four rounds
    assert math.ceil(math.log2(10)) <= max(rounds.values()) < 10
    sends = kinds(events, "msg.send")
    # everyone pushes once a round until round 10, however early it learned
    assert len(sends) == sum(10 - r for r in rounds.values())
    useless = sum(int(re.search(r"got (\d+) useless", printed(events, p)[-1]).group(1)) for p in rounds)
    assert useless == len(sends) - 9  # every push but the nine that informed someone
    # flooding on the full mesh: 2 x 45 - 9 = 81 messages
    assert len(lesson("gossip-epidemic")["links"]) == 45


# -- flooding-broadcast ------------------------------------------------------------------------

def test_flooding_with_duplicate_suppression_sends_2e_minus_n_plus_1_and_without_it_many_more():
    events = events_of("flooding-broadcast")
    spec = lesson("flooding-broadcast")
    n, e = len(spec["nodes"]), len(spec["links"])
    sends = kinds(events, "msg.send")
    q1 = [s for s in sends if s["content"]["id"] == "q1"]
    q2 = [s for s in sends if s["content"]["id"] == "q2"]
    assert len(q1) == 2 * e - (n - 1) == 15 == challenge("flooding-broadcast", "how-many-sends")["answer"]
    assert len(q2) > 3 * len(q1)
    reached = {s["to"] for s in q1}
    assert reached | {"a"} == {node["id"] for node in spec["nodes"]}
    for node in spec["nodes"]:
        q1_copies, q2_copies = map(int, re.findall(r"(\d+) times", printed(events, node["id"])[0]))
        assert q2_copies >= q1_copies


# -- dht-lookup ------------------------------------------------------------------------------------

def test_chord_lookups_follow_the_textbooks_finger_paths_in_about_log_n_hops():
    events = events_of("dht-lookup")
    assert printed(events, "n1")[0] == "finger table: [4, 4, 9, 9, 18]"
    assert "key 26 is mine: 1 -> 18 -> 20 -> 21 -> 28 (4 hops)" in printed(events, "n28")
    assert "key 12 is mine: 28 -> 4 -> 9 -> 11 -> 14 (4 hops)" in printed(events, "n14")
    assert "key 26 is at node 28, 4 hops away" in printed(events, "n1")
    assert "key 12 is at node 14, 4 hops away" in printed(events, "n28")
    lookups = [e for e in kinds(events, "msg.send") if e["content"]["kind"] == "LOOKUP"]
    assert len(lookups) == 8 <= 2 * math.log2(32)
    # by successors only, key 26 from node 1 would take 8 hops
    ids = sorted(int(node["id"][1:]) for node in lesson("dht-lookup")["nodes"])
    assert ids.index(28) - ids.index(1) == 8


# -- every lesson of this chapter ------------------------------------------------------------------

COORDINATION = ["mutex-coordinator", "mutex-ricart-agrawala", "mutex-token-ring", "election-bully",
                "election-ring", "gossip-epidemic", "flooding-broadcast", "dht-lookup", "clock-skew"]


@pytest.mark.parametrize("slug", COORDINATION)
def test_each_lesson_is_in_the_curriculum_and_its_predictions_are_checked(slug):
    curriculum = json.loads((LIBRARY.parent / "curriculum.json").read_text())
    assert any(slug in chapter["lessons"] for chapter in curriculum["chapters"])
    for ch in lesson(slug)["challenges"]:
        if ch["kind"] == "predict":
            assert check(lesson(slug), ch, answer=ch["answer"], **IN_PROCESS)["passed"]
            wrong = next(c for c in ch["choices"] if c != ch["answer"])
            assert not check(lesson(slug), ch, answer=wrong, **IN_PROCESS)["passed"]


# -- clock-skew ------------------------------------------------------------------------------------

def test_a_clock_behind_makes_make_skip_an_edit_and_cristians_algorithm_repairs_it():
    events = events_of("clock-skew")
    touches = [e for e in kinds(events, "msg.send") if isinstance(e["content"], dict) and "touch" in e["content"]]
    built, edited, edited_again = touches[0], touches[1], touches[3]
    assert (built["content"]["touch"], edited["content"]["touch"]) == ("output.o", "output.c")
    # the edit happened after the build (a chain of messages) and yet is stamped earlier
    assert happens_before(built, edited)
    assert edited["content"]["stamp"] < built["content"]["stamp"] - 1.0
    lines = printed(events, "compiler")
    assert "up to date, nothing to do" in lines[1] and "recompiling" in lines[2]
    assert happens_before(edited, edited_again)
    # after Cristian's algorithm the editor's stamp is within a round trip of the truth: after the build
    assert edited_again["content"]["stamp"] > built["content"]["stamp"]
    sync = next(line for line in printed(events, "editor") if line.startswith("Cristian"))
    offset = float(re.search(r"clock is ([-+][\d.]+) s off", sync).group(1))
    assert -1.6 < offset < -1.4
    assert challenge("clock-skew", "does-make-recompile")["answer"] == "no"
