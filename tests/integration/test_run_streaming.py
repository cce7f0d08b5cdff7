"""A run's events reach a WebSocket client complete, in order, and as stored."""

import pytest

from playground.exports.jsonl import parse
from playground.runs.models import Run, TraceEvent

from .helpers import collect_until_final, connect, counter_spec, post_run, run_async, seqs, watch_to_end

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_runs_events_arrive_complete_and_in_order(client, worker):
    created = post_run(client, {"scenario": counter_spec(300)})
    assert created["status"] == "queued"
    assert created["ws"] == f"/ws/runs/{created['id']}/"

    events, status = watch_to_end(created["id"])

    assert status == "completed"
    assert seqs(events) == list(range(1, len(events) + 1))
    assert events[0]["kind"] == "run.started"
    assert events[-1]["kind"] == "run.finished"
    assert events[-1]["shared"]["box"]["counter"] == 600
    stored = list(TraceEvent.objects.filter(run_id=created["id"]).order_by("seq").values_list("data", flat=True))
    assert stored == events


def test_the_finished_run_reports_its_result_and_its_trace_downloads(client, worker):
    created = post_run(client, {"scenario": counter_spec(50)})

    events, _ = watch_to_end(created["id"])
    detail = client.get(f"/api/runs/{created['id']}").json()
    assert detail["status"] == "completed"
    assert detail["events"] == len(events)
    assert detail["result"]["kind"] == "run.finished"
    assert Run.objects.get(id=created["id"]).finished is not None

    download = client.get(created["trace"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="lock-counter-')
    assert parse(b"".join(download.streaming_content).decode()) == events  # the download streams


def test_a_client_joining_after_the_end_gets_the_stored_events_and_the_status(client, worker):
    created = post_run(client, {"scenario": counter_spec(20)})

    async def watch(after):
        comm = await connect(created["id"], after=after)
        try:
            return await collect_until_final(comm)
        finally:
            await comm.disconnect()

    events, _ = run_async(watch(0))
    late, status = run_async(watch(10))
    assert status == "completed"
    assert late == events[10:]
