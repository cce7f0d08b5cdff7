"""Output and storage limits: what one run, one visitor and one account may store, and
what happens past each cap. Real runs through the API and a real Celery worker."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from playground.engine.events import MAX_DEPTH, MAX_VALUE_BYTES, dumps, snapshot
from playground.engine.network import MAX_PAYLOAD
from playground.runs.execute import TraceLimit
from playground.runs.models import Run, TraceEvent
from tests.integration.conftest import _session_worker, worker  # noqa: F401  (the real Celery worker)
from tests.integration.helpers import FINAL, counter_spec, post_run, spec, wait_for
from tests.unit.helpers import finished, kinds, network, run, scenario


def run_to_end(client, body):
    run_id = post_run(client, body)["id"]
    wait_for(lambda: client.get(f"/api/runs/{run_id}").json()["status"] in FINAL, what="the run to end")
    return run_id, client.get(f"/api/runs/{run_id}").json()


def all_events(client, run_id):
    events, after = [], 0
    while True:
        page = client.get(f"/api/runs/{run_id}/events?after={after}&limit=10000").json()
        events += page["events"]
        after = page["last"]
        if not page["more"]:
            return events


def one_thread(code, shared=None, timeout_ms=60_000):
    return {"scenario": spec("hostile", [("T", code)], shared=shared or {"x": 0}, timeout_ms=timeout_ms)}


# -- one run ---------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_a_run_past_its_trace_cap_is_stopped_and_what_it_stored_stays_readable(client, settings):
    settings.RUN_MAX_TRACE_BYTES = 300_000
    code = "print('first')\nfor i in range(100000):\n    print('x' * 3000)\n"

    run_id, detail = run_to_end(client, one_thread(code))

    assert detail["status"] == "failed"
    assert detail["error"] == "the run produced more than 0.3 MB of trace; it was stopped"
    events = all_events(client, run_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))  # gapless, nothing lost before the cap
    assert events[-1]["kind"] == "run.finished" and events[-1]["error"] == detail["error"]
    outputs = [e["text"] for e in events if e["kind"] == "output"]
    assert outputs[0] == "first" and len(outputs) > 50 and all(t == "x" * 3000 for t in outputs[1:])
    stored = Run.objects.get(id=run_id).trace_bytes
    assert 250_000 < stored <= 300_000 + 300_000  # the cap, plus the final event's state and outputs
    assert detail["trace_bytes"] == stored


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_huge_values_are_cut_in_events_with_a_marker_and_the_run_goes_on(client):
    code = ("x = 'y' * 50_000_000\n"
            "x = list(range(2_000_000))\n"
            "x = 2 ** 200\n"
            "t = []\nfor i in range(900):\n    t = [t]\nx = t\n"
            "print('z' * 10_000_000)\n"
            "print('still here')\n")

    run_id, detail = run_to_end(client, one_thread(code))

    assert detail["status"] == "completed", detail["error"]
    writes = [e for e in all_events(client, run_id) if e["kind"] == "var.write"]
    text, numbers, big, tower = (w["value"] for w in writes)
    assert text.startswith("y" * 4000) and text.endswith("… (49995904 more characters)")
    assert numbers[:3] == [0, 1, 2] and numbers[-1].endswith("more items)") and len(json.dumps(numbers)) < 5000
    assert big == str(2 ** 200)
    depth, level = 0, tower
    while isinstance(level, list):
        depth, level = depth + 1, level[0]
    assert depth == MAX_DEPTH and level == "… (nested too deeply)"
    outputs = detail["result"]["outputs"]["box/T"]
    assert outputs[0].startswith("z" * 4000) and "more characters" in outputs[0] and outputs[1] == "still here"
    assert json.dumps(detail["result"])  # the final state encodes, nested and all


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_a_500_mb_value_ends_the_run_with_a_clear_reason_not_a_crash(client):
    code = "print('before')\nbig = 'a' * 500_000_000\nx = big\nx = [big, big]\nprint('after')\n"

    run_id, detail = run_to_end(client, one_thread(code))

    events = all_events(client, run_id)
    assert events[-1]["kind"] == "run.finished" and [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert [e["text"] for e in events if e["kind"] == "output"][0] == "before"
    if detail["status"] != "completed":  # the memory limit may stop it: then it says so
        assert "MemoryError" in json.dumps(events[-3:]) or "memory" in detail["error"], detail
    assert all(len(json.dumps(e)) < 50_000 for e in events)


# -- a visitor, an account -------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_a_visitor_past_their_cap_is_refused_until_they_delete_a_run(settings):
    settings.RUNS_VISITOR_MAX_TRACE_BYTES = 50_000
    visitor, other = Client(), Client()
    first, detail = run_to_end(visitor, {"scenario": counter_spec()})
    assert detail["status"] == "completed" and detail["trace_bytes"] > 50_000

    refused = visitor.post("/api/runs", json.dumps({"scenario": counter_spec()}), content_type="application/json")

    assert refused.status_code == 429
    message = refused.json()["error"]
    assert "a visitor may keep at most 0.05 MB of traces" in message and "DELETE /api/runs/<id>" in message
    assert all_events(visitor, first)[-1]["kind"] == "run.finished"  # nothing of theirs was lost
    assert other.post("/api/runs", json.dumps({"scenario": counter_spec(5)}),
                      content_type="application/json").status_code == 201  # another visitor is not held up
    assert other.delete(f"/api/runs/{first}").status_code == 403  # nor may they delete it
    assert [r["id"] for r in visitor.get("/api/runs").json()] == [first]  # each sees only their own

    assert visitor.delete(f"/api/runs/{first}").status_code == 204
    assert not TraceEvent.objects.filter(run_id=first).exists()
    assert post_run(visitor, {"scenario": counter_spec(5)})["status"] == "queued"
    wait_for(lambda: not Run.objects.exclude(status__in=FINAL).exists(), what="the runs to end")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_an_account_past_its_cap_is_refused_with_a_message(settings):
    settings.RUNS_ACCOUNT_MAX_TRACE_BYTES = 50_000
    client = Client()
    client.force_login(get_user_model().objects.create_user("grace", password="a long pass phrase"))
    run_id, detail = run_to_end(client, {"scenario": counter_spec()})
    assert Run.objects.get(id=run_id).owner.username == "grace"

    refused = client.post("/api/runs", json.dumps({"scenario": counter_spec()}), content_type="application/json")

    assert refused.status_code == 429
    assert "your account may keep at most 0.05 MB of traces" in refused.json()["error"]
    upload = client.post("/api/traces", "\n".join(json.dumps(e) for e in all_events(client, run_id)),
                         content_type="application/x-ndjson")
    assert upload.status_code == 429


def test_a_running_run_cannot_be_deleted(db, client):
    client.get("/api/me")
    created = post_run_row(client)
    Run.objects.filter(id=created.id).update(status=Run.Status.RUNNING)
    assert client.delete(f"/api/runs/{created.id}").status_code == 409


def post_run_row(client):
    """A run row owned by this client's session, without running it."""
    session = client.session
    session["visitor"] = True
    session.save()
    client.cookies["sessionid"] = session.session_key
    return Run.objects.create(spec={}, status=Run.Status.COMPLETED, visitor=session.session_key)


# -- retention --------------------------------------------------------------------------

def make_run(days_old, owner=None, visitor="v1", status=Run.Status.COMPLETED, events=3):
    run = Run.objects.create(spec={}, status=status, owner=owner, visitor="" if owner else visitor,
                             created=timezone.now() - timedelta(days=days_old))
    TraceEvent.objects.bulk_create([TraceEvent(run=run, seq=i, kind="output", data={"seq": i})
                                    for i in range(1, events + 1)])
    return run


def test_prune_runs_deletes_old_visitor_runs_but_not_accounts_runs(db, settings):
    settings.RUNS_VISITOR_RETENTION_DAYS = 7
    ada = get_user_model().objects.create_user("ada", password="a long pass phrase")
    old_visitor, new_visitor = make_run(10), make_run(1)
    old_account = make_run(400, owner=ada)
    old_but_running = make_run(10, status=Run.Status.RUNNING)
    old_upload_without_session = make_run(30, visitor="")

    call_command("prune_runs")

    left = set(Run.objects.values_list("id", flat=True))
    assert left == {new_visitor.id, old_account.id, old_but_running.id}
    assert old_visitor.id not in left and old_upload_without_session.id not in left
    assert not TraceEvent.objects.filter(run_id__in=[old_visitor.id, old_upload_without_session.id]).exists()
    assert TraceEvent.objects.filter(run_id=old_account.id).count() == 3


# -- the engine's own caps (in-process, no server) -------------------------------------------

def test_a_message_past_the_payload_cap_is_refused_in_the_sending_thread():
    spec = network({"a": "send('b', 'x' * 100_000_000)\n", "b": ""}, [{"a": "a", "b": "b"}])
    events = run(spec)
    [failed] = kinds(events, "thread.failed")
    assert f"at most {MAX_PAYLOAD // 1024} KB" in failed["error"] and failed["line"] == 1
    assert not kinds(events, "msg.send")


def test_a_big_message_is_delivered_whole_but_shown_cut_in_its_event():
    spec = network({"a": "send('b', ['y' * 100_000])\n", "b": "m = recv(timeout=5)\nprint(len(m.content[0]))\n"},
                   [{"a": "a", "b": "b"}])
    events = run(spec)
    [sent] = kinds(events, "msg.send")
    assert sent["bytes"] > 100_000 and len(dumps(sent["content"])) < MAX_VALUE_BYTES + 200
    assert "more characters" in sent["content"][0]
    assert finished(events)["outputs"]["b/main"] == ["100000"]


def test_a_message_nested_too_deeply_is_refused():
    code = "t = 1\nfor i in range(200):\n    t = [t]\nsend('b', t)\n"
    events = run(network({"a": code, "b": ""}, [{"a": "a", "b": "b"}]))
    assert "levels deep" in kinds(events, "thread.failed")[0]["error"]


def test_a_million_prints_end_with_a_final_event_of_bounded_size():
    events = run(scenario({"P": "for i in range(30000):\n    print('line', i, 'x' * 100)\n"}, timeout_ms=60_000))
    end = finished(events)
    assert end["status"] == "completed"
    assert len(dumps(end)) < 600_000 and end["outputs"]["n/P"][-1].endswith("more items)")


def test_snapshots_never_build_the_whole_value():
    huge = [["q" * 1000] * 1000] * 1000  # a billion characters, if it were written out
    shown = snapshot(huge)
    assert len(dumps(shown)) < MAX_VALUE_BYTES + 200
    assert snapshot({(1, 2): {1, 2}, 3: b"x" * 10**7})["3"].endswith("more bytes)")


class FakeSandbox:
    def __init__(self):
        self.killed = None
        self._shared, self._outputs = {"n": {"x": 1}}, {"n/P": ["hi"]}

    def kill(self, reason):
        self.killed = reason


def pairs(sizes, start=1):
    out = []
    for seq, size in enumerate(sizes, start=start):
        event = {"seq": seq, "t": 0.1, "kind": "output", "node": "n", "thread": "n/P", "text": "x" * size}
        out.append((event, dumps(event)))
    return out


def test_the_worker_stores_an_oversized_event_as_a_stub_and_stops_at_the_cap(settings):
    settings.RUN_MAX_EVENT_BYTES = 40_000
    settings.RUN_MAX_TRACE_BYTES = 60_000
    sandbox = FakeSandbox()
    limit = TraceLimit(sandbox)

    first = limit.admit(pairs([100, 50_000, 100]))
    second = limit.admit(pairs([30_000, 30_000, 100], start=4))

    assert [e["seq"] for e, _ in first] == [1, 2, 3]
    assert "was 50" in first[1][0]["cut"] and len(first[1][1]) < 1000
    assert [e["seq"] for e, _ in second] == [4, 5]
    stop = second[-1][0]
    assert stop["kind"] == "run.finished" and stop["status"] == "failed"
    assert stop["error"] == "the run produced more than 0.06 MB of trace; it was stopped"
    assert stop["shared"] == {"n": {"x": 1}} and sandbox.killed and limit.stopped
