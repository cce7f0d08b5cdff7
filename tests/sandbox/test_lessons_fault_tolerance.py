"""The fault-tolerance lessons (issue 13: two-phase commit, failure detection, circuit
breaker, idempotent retries, primary-backup, partitions and CAP, MapReduce, the fallacies)
make their points, read off their events.

Each lesson runs once in-process (cached) and the tests read that trace: orders, counts,
contents and final agreements, never tight timing windows. Every fix challenge is judged
as the API judges it (the learner's code explored in the sandbox child): the lesson's own
code fails with a witness that replays to the bad outcome, the reference solution kept
here passes exhaustively, and a "fix" that drops the lesson's work is refused.
"""

from __future__ import annotations

import copy
from functools import cache

import pytest

from playground.engine.challenges import check
from playground.engine.runner import collect
from playground.engine.sandbox import run_sandboxed
from playground.engine.spec import same_value, validate
from tests.unit.helpers import builtin, finished, kinds, run


@cache
def _events(slug: str, seed: int | None) -> tuple:
    return tuple(run(builtin(slug) if seed is None else builtin(slug, seed=seed)))


def events_of(slug: str, seed: int | None = None) -> list[dict]:
    """The lesson's free run (its own seed unless one is given), run once."""
    return list(_events(slug, seed))


def outputs(events: list[dict], thread: str) -> list[str]:
    return finished(events)["outputs"].get(thread, [])


def sent(events: list[dict], **match) -> list[dict]:
    return [e for e in kinds(events, "msg.send") if all(e.get(k) == v for k, v in match.items())]


def index(events: list[dict], predicate) -> int:
    return next(i for i, e in enumerate(events) if predicate(e))


def challenge(spec: dict, cid: str) -> dict:
    return next(ch for ch in spec["challenges"] if ch["id"] == cid)


def with_code(spec: dict, code: dict[str, str], setup: dict[str, str] | None = None) -> dict:
    """The spec with some threads' code replaced (`node/thread` → code) and some setups."""
    data = copy.deepcopy(spec)
    for node in data["nodes"]:
        for thread in node["threads"]:
            thread["code"] = code.get(f"{node['id']}/{thread['name']}", thread["code"])
        node["setup"] = (setup or {}).get(node["id"], node["setup"])
    return validate(data)


def replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def code_of(spec: dict, thread: str) -> str:
    node, name = thread.split("/")
    return next(t["code"] for n in spec["nodes"] if n["id"] == node for t in n["threads"] if t["name"] == name)


# -- reference solutions of the fix challenges (never in the lesson files) ------------------

def idempotency_key(spec: dict) -> dict:
    """The client names its transfer; the bank answers a key it has done without charging."""
    client = replace(code_of(spec, "client/main"), "call({'op': 'transfer', 'amount': 30})",
                     "call({'op': 'transfer', 'amount': 30, 'key': 't1'})")
    bank = replace(code_of(spec, "bank/main"), "    elif request['op'] == 'transfer':\n",
                   "    elif request['op'] == 'transfer' and request['key'] in done:\n"
                   "        reply(m, done[request['key']])          # done before: the same answer\n"
                   "    elif request['op'] == 'transfer':\n")
    bank = replace(bank, "        reply(m, {'done': True, 'balance': balance})\n",
                   "        done[request['key']] = {'done': True, 'balance': balance}\n"
                   "        reply(m, done[request['key']])\n")
    return with_code(spec, {"client/main": client, "bank/main": "done = {}\n" + bank})


def dont_retry_transfers(spec: dict) -> dict:
    """A "fix" that drops the work: the transfer is sent once and given up when its reply is lost."""
    client = replace(code_of(spec, "client/main"), "call({'op': 'transfer', 'amount': 30})",
                     "call({'op': 'transfer', 'amount': 30}, tries=1)")
    return with_code(spec, {"client/main": client})


REFERENCES = {("idempotent-retries", "idempotency-key"): idempotency_key}
DROPPING_THE_WORK = {("idempotent-retries", "idempotency-key"): dont_retry_transfers}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("slug,cid", sorted(REFERENCES))
def test_a_fix_check_fails_the_lesson_with_a_replaying_witness_and_passes_the_reference(slug, cid):
    spec = builtin(slug)
    ch = challenge(spec, cid)
    failed = check(spec, ch, edited_spec=spec)
    assert not failed["passed"] and failed["exhaustive"], failed["message"]
    witness = failed["witness"]
    assert witness["replays"] is True and witness["verdict"]["ok"] is False
    replay = run_sandboxed({**witness["scenario"], "run": {**witness["scenario"]["run"], "mode": "replay",
                                                           "schedule": witness["schedule"]}})
    assert replay[-1]["status"] == witness["outcome"]["status"]
    assert same_value(replay[-1]["shared"], witness["outcome"]["shared"])

    passed = check(spec, ch, edited_spec=REFERENCES[slug, cid](spec))
    assert passed["passed"], passed["message"]
    assert passed["exhaustive"] and passed["covered"].startswith("exhaustive: all")


@pytest.mark.parametrize("slug,cid", sorted(DROPPING_THE_WORK))
def test_a_fix_that_drops_the_lessons_work_is_refused(slug, cid):
    spec = builtin(slug)
    result = check(spec, challenge(spec, cid), edited_spec=DROPPING_THE_WORK[slug, cid](spec),
                   explore=collect, replay=collect)
    assert not result["passed"] and result.get("refused"), result["message"]


# -- idempotent-retries ------------------------------------------------------------------

def charges(events: list[dict]) -> list[dict]:
    return [e for e in kinds(events, "var.write") if e["node"] == "bank" and e["name"] == "balance"]


def test_idempotent_retries_a_lost_reply_makes_the_naive_client_pay_twice():
    events = events_of("idempotent-retries")
    transfers = sent(events, **{"from": "client"})
    transfers = [e for e in transfers if e["content"].get("op") == "transfer"]
    assert len(transfers) >= 2  # the same transfer sent again after its reply was lost
    lost = [e for e in kinds(events, "msg.drop") if e["from"] == "bank"]
    assert any(e["id"] in {r["id"] for r in sent(events, **{"from": "bank"}) if "done" in r["content"]}
               for e in lost)
    assert [e["value"] for e in charges(events)][:2] == [70, 40]  # charged twice
    assert finished(events)["shared"]["bank"]["balance"] <= 40
    # consulting the balance was retried too, harmlessly: it changed nothing
    consults = [e for e in sent(events, **{"from": "client"}) if e["content"].get("op") == "balance"]
    assert len(consults) >= 3 and charges(events)[0]["seq"] > consults[1]["seq"]


def test_idempotent_retries_the_key_makes_the_bank_charge_once_whatever_is_lost():
    spec = builtin("idempotent-retries")
    for seed in (4, 1, 2, 3, 5):
        events = run(idempotency_key(builtin("idempotent-retries", seed=seed)))
        assert finished(events)["status"] == "completed"
        assert [e["value"] for e in charges(events)] in ([70], []), seed  # once, or never if all was lost
        if "transfer 30: done" in outputs(events, "client/main"):
            assert [e["value"] for e in charges(events)] == [70], seed
    assert "idempotency key" in spec["summary"] and "idempotent" in spec["summary"]


# -- two-phase-commit ----------------------------------------------------------------------

PARTICIPANTS = ("p1", "p2", "p3")


def states_written(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["node"], e["value"]) for e in kinds(events, "var.write")
            if e["node"] in PARTICIPANTS and e["name"] == "state"]


def test_two_phase_commit_with_the_coordinator_crashed_after_the_votes_nobody_commits_or_aborts():
    events = events_of("two-phase-commit")
    crash = index(events, lambda e: e["kind"] == "node.crash" and e["node"] == "coordinator")
    votes = [i for i, e in enumerate(events) if e["kind"] == "msg.recv" and e["to"] == "coordinator"]
    assert len(votes) == 3 and max(votes) < crash  # every participant had voted (and promised)
    assert not sent(events, **{"from": "coordinator", "content": "GLOBAL_COMMIT"})
    assert sorted(states_written(events)) == [(p, "READY") for p in PARTICIPANTS]  # never COMMIT, never ABORT
    end = finished(events)
    assert end["status"] == "completed"
    for p in PARTICIPANTS:
        assert end["shared"][p]["state"] == "READY" and end["shared"][p]["log"] == ["INIT", "VOTE_COMMIT"]
        assert any(line.startswith("BLOCKED in READY") for line in outputs(events, f"{p}/main"))
        # it asked the others, and every answer it got was READY: nobody could tell it more
        assert any("DECISION_REQUEST" in e["content"] for e in sent(events, **{"from": p}))
        answers = [e["content"] for e in kinds(events, "msg.send") if e["to"] == p and "state" in e["content"]]
        assert answers and all(a == {"state": "READY"} for a in answers)


def test_two_phase_commit_without_the_crash_every_participant_commits():
    spec = builtin("two-phase-commit")
    events = run(validate({**copy.deepcopy(spec), "faults": []}))
    assert finished(events)["status"] == "completed"
    assert sorted(states_written(events)) == sorted([(p, "READY") for p in PARTICIPANTS]
                                                    + [(p, "COMMIT") for p in PARTICIPANTS])
    for p in PARTICIPANTS:
        assert finished(events)["shared"][p]["log"] == ["INIT", "VOTE_COMMIT", "GLOBAL_COMMIT"]


# -- heartbeat-failure-detector ------------------------------------------------------------

def printed(events: list[dict], thread: str, words: str) -> list[int]:
    """Indexes of the output events of `thread` that contain `words`."""
    return [i for i, e in enumerate(events) if e["kind"] == "output" and e["thread"] == thread and words in e["text"]]


def test_heartbeat_a_slow_link_makes_the_live_worker_look_dead_then_the_crash_is_detected():
    events = events_of("heartbeat-failure-detector")
    crash = index(events, lambda e: e["kind"] == "node.crash" and e["node"] == "worker")
    suspicions = printed(events, "monitor/main", "SUSPECTED")
    false_ones = printed(events, "monitor/main", "FALSE suspicion")
    assert suspicions[0] < crash and false_ones and suspicions[0] < false_ones[0] < crash
    # while suspected, the worker was alive and beating: it sent heartbeats between the two lines
    beats = [i for i, e in enumerate(events) if e["kind"] == "msg.send" and e["from"] == "worker"]
    assert any(suspicions[0] < i < false_ones[0] for i in beats)
    # the congestion came first: a link fault raised the latency before the suspicion
    slow = index(events, lambda e: e["kind"] == "net.link")  # the first change: 600 ms
    assert slow < suspicions[0]
    # the real crash: suspected again afterwards, never heard from again, declared dead
    assert any(i > crash for i in suspicions)
    assert not [i for i in beats if i > crash]
    assert "declared dead" in outputs(events, "monitor/main")[-1]


def test_heartbeat_a_timeout_longer_than_the_delay_suspects_only_the_crashed_worker():
    spec = builtin("heartbeat-failure-detector")
    patient = with_code(spec, {"monitor/main": replace(code_of(spec, "monitor/main"), "TIMEOUT = 0.35", "TIMEOUT = 1.0")})
    events = run(patient)
    crash = index(events, lambda e: e["kind"] == "node.crash" and e["node"] == "worker")
    suspicions = printed(events, "monitor/main", "SUSPECTED")
    assert suspicions and all(i > crash for i in suspicions)
    assert not printed(events, "monitor/main", "FALSE suspicion")
