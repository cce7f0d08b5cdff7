"""The fault-tolerance lessons (issue 13: two-phase commit, failure detection, circuit
breaker, idempotent retries, primary-backup; partitions and CAP, MapReduce and the
fallacies are in test_lessons_resilience.py) make their points, read off their events.

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


PRIMARY_ASYNC = """\
        reply(m, {'ok': True})                       # acknowledge the client at once…
        send('backup', {'op': 'update', 'key': request['key'], 'value': request['value']})
"""
PRIMARY_BLOCKING = """\
        send('backup', {'op': 'update', 'key': request['key'], 'value': request['value']})
        recv(timeout=5.0)                            # the backup's acknowledgement
        reply(m, {'ok': True})                       # only then the client's
"""


def wait_for_the_backup(spec: dict) -> dict:
    """The textbook's blocking primary-backup protocol: acknowledge after the backup has."""
    return with_code(spec, {"primary/main": replace(code_of(spec, "primary/main"), PRIMARY_ASYNC, PRIMARY_BLOCKING)})


def write_nothing(spec: dict) -> dict:
    """A "fix" that drops the work: no write, so no read can be stale."""
    return with_code(spec, {"writer/main": "send('reader', {'written': 'x', 'value': 0})\n"})


REFERENCES = {("idempotent-retries", "idempotency-key"): idempotency_key,
              ("primary-backup", "wait-for-the-backup"): wait_for_the_backup}
DROPPING_THE_WORK = {("idempotent-retries", "idempotency-key"): dont_retry_transfers,
                     ("primary-backup", "wait-for-the-backup"): write_nothing}


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
    assert "idempotency key" in spec["explanation"] and "idempotent" in spec["explanation"]


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


# -- primary-backup: a linearizability check over the clients' history ----------------------

def linearizable(history: list[dict], initial=0) -> bool:
    """Whether a history of one register's operations could come from a single copy
    (Wing and Gong's search): some order of all the operations that respects real time
    (an operation that ended before another began comes first) in which every read
    returns the last value written before it. Each operation is
    `{"op": "read"|"write", "value", "start", "end"}`; `end` None: no reply came (the
    operation may or may not have taken effect; a pending read is left out)."""
    ops = [dict(o, end=float("inf") if o["end"] is None else o["end"])
           for o in history if not (o["op"] == "read" and o["end"] is None)]

    def search(remaining: frozenset, value) -> bool:
        if not remaining:
            return True
        for i in remaining:
            op = ops[i]
            if any(ops[j]["end"] < op["start"] for j in remaining if j != i):
                continue  # another remaining operation finished before this one began: it goes first
            if op["op"] == "read" and op["value"] != value:
                continue
            if search(remaining - {i}, op["value"]):
                return True
        # a pending write may also never take effect
        pending = [i for i in remaining if ops[i]["end"] == float("inf") and ops[i]["op"] == "write"]
        return any(search(remaining - {i}, value) for i in pending)

    return search(frozenset(range(len(ops))), initial)


def register_history(events: list[dict], key: str = "x") -> list[dict]:
    """The clients' operations on `key`, read off the trace: a call is the client's
    msg.send of the request, its reply the msg.recv of the answer (the trace's order is
    real time); a read's value is the answer's content."""
    history, by_id = [], {e["id"]: e for e in kinds(events, "msg.send")}
    replies = {e["id"]: e for e in kinds(events, "msg.send") if isinstance(e["content"], dict)}
    received = {e["id"]: e["seq"] for e in kinds(events, "msg.recv")}
    clients = {"writer", "reader"}
    for e in kinds(events, "msg.send"):
        request = e["content"]
        if e["from"] not in clients or not isinstance(request, dict) or request.get("key") != key:
            continue
        # the answer: the first message back from that replica to that client after the request
        answer = next((r for r in replies.values() if r["from"] == e["to"] and r["to"] == e["from"]
                       and r["seq"] > e["seq"] and r["id"] in received), None)
        end = received[answer["id"]] if answer else None
        value = request.get("value") if request["op"] == "write" else (answer or {}).get("content", {}).get("value")
        history.append({"op": request["op"], "value": value, "start": e["seq"], "end": end, "at": e["to"]})
    assert by_id
    return history


def test_the_linearizability_check_on_small_histories():
    w = lambda v, s, e: {"op": "write", "value": v, "start": s, "end": e}  # noqa: E731
    r = lambda v, s, e: {"op": "read", "value": v, "start": s, "end": e}  # noqa: E731
    assert linearizable([])
    assert linearizable([w(1, 1, 2), r(1, 3, 4)])
    assert not linearizable([w(1, 1, 2), r(0, 3, 4)])          # stale: the read began after the write ended
    assert linearizable([w(1, 1, 4), r(0, 2, 3)])              # overlapping: the read may come first
    assert linearizable([w(1, 1, 4), r(1, 2, 3)])              # … or after
    assert not linearizable([w(1, 1, 5), r(1, 2, 3), r(0, 4, 6)])  # once 1 was seen, 0 cannot come back
    assert linearizable([w(1, 1, None), r(0, 2, 3), r(1, 4, 5)])   # a pending write takes effect late
    assert linearizable([w(1, 1, None), r(0, 2, 3)])               # … or never
    assert not linearizable([w(1, 1, 2), w(2, 3, 4), r(1, 5, 6)])
    assert linearizable([w(1, 1, 3), w(2, 2, 4), r(1, 5, 6)])      # concurrent writes: either order


def test_primary_backup_the_read_from_the_lagging_backup_is_stale_and_the_history_not_linearizable():
    events = events_of("primary-backup")
    history = register_history(events)
    write = next(o for o in history if o["op"] == "write")
    backup_read = next(o for o in history if o["op"] == "read" and o["at"] == "backup")
    primary_read = next(o for o in history if o["op"] == "read" and o["at"] == "primary")
    assert write["end"] < backup_read["start"]      # the read began after the write was acknowledged…
    assert backup_read["value"] == 0                 # … and returned the old value
    assert primary_read["value"] == 1
    # the backup applied the update only after it had answered the read
    applied = printed(events, "backup/main", "applied the update x = 1")
    assert applied and applied[0] > backup_read["end"]
    assert not linearizable(history)
    assert not linearizable([write, backup_read]) and linearizable([write, primary_read])
    assert finished(events)["shared"]["reader"]["stale_reads"] == 1


def test_primary_backup_waiting_for_the_backup_makes_the_history_linearizable():
    events = run(wait_for_the_backup(builtin("primary-backup")))
    assert finished(events)["status"] == "completed"
    history = register_history(events)
    assert [o["value"] for o in history if o["op"] == "read"] == [1, 1]
    assert linearizable(history)
    acked = index(events, lambda e: e["kind"] == "msg.recv" and e["to"] == "writer")
    applied = printed(events, "backup/main", "applied the update x = 1")
    assert applied[0] < acked  # the client's acknowledgement came after the backup had the value
