"""Traces go out in several formats and come back in as stored runs."""

import json

import pytest

from playground.exports.jsonl import export as to_jsonl
from playground.runs.models import Run, TraceEvent

from .helpers import counter_spec, post_run, watch_to_end

pytestmark = pytest.mark.django_db(transaction=True)


def body(response):
    """A download's bytes: traces stream (StreamingHttpResponse)."""
    return b"".join(response.streaming_content)


def finished_run(client):
    created = post_run(client, {"scenario": counter_spec(20)})

    events, _ = watch_to_end(created["id"])
    return created["id"], events


def test_an_uploaded_jsonl_trace_becomes_a_run_with_the_status_of_its_run_finished(client, worker):
    run_id, events = finished_run(client)
    trace = body(client.get(f"/api/runs/{run_id}/trace?format=jsonl"))

    response = client.post("/api/traces", trace, content_type="application/x-ndjson")

    assert response.status_code == 201
    uploaded = response.json()
    assert uploaded["status"] == "completed"
    assert uploaded["events"] == len(events)
    run = Run.objects.get(id=uploaded["id"])
    assert run.source == "upload"
    stored = list(TraceEvent.objects.filter(run=run).order_by("seq").values_list("data", flat=True))
    assert stored == events
    assert run.spec == json.loads(trace.splitlines()[0])["spec"]  # the header carries the spec
    assert body(client.get(f"/api/runs/{run.id}/trace")) == trace


def test_a_trace_can_be_uploaded_as_a_file(client, transactional_db):
    events = [{"seq": 1, "t": 0, "kind": "run.started"},
              {"seq": 2, "t": 0.1, "kind": "run.finished", "status": "deadlock", "shared": {}}]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("t.jsonl", to_jsonl(events).encode(), content_type="application/x-ndjson")
    response = client.post("/api/traces", {"trace": upload})
    assert response.status_code == 201
    assert response.json()["status"] == "deadlock"


def versioned(body):
    """Each line of a JSONL trace saying its format, as every line must."""
    return body.replace('{"seq"', '{"format": "playground.event/1", "seq"')


@pytest.mark.parametrize("body, path", [
    ('{"seq": 1, "t": 0, "kind": "run.started"}\nnot json\n', "line 2"),
    ('{"seq": 1, "t": 0, "kind": "run.started"}\n{"seq": 3, "t": 1, "kind": "run.finished", "status": "completed"}\n',
     "events[1].seq"),
    ('{"seq": 1, "t": 0, "kind": "run.started"}\n', "events[0]"),
    ('{"seq": 1, "t": 0, "kind": "run.finished", "status": "great"}\n', "events[0].status"),
    ('{"seq": 1, "t": 0, "kind": "run.begun"}\n', "events[0].kind"),
    ("", ""),
])
def test_a_broken_trace_is_refused_with_where_it_breaks(client, transactional_db, body, path):
    response = client.post("/api/traces", versioned(body), content_type="application/x-ndjson")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == path
    assert not Run.objects.exists()


def test_a_trace_over_the_upload_limit_is_a_413(client, transactional_db, settings):
    settings.TRACE_UPLOAD_MAX_BYTES = 2048
    body = to_jsonl({"seq": i, "kind": "output", "text": "x" * 50} for i in range(1, 100))
    response = client.post("/api/traces", body, content_type="application/x-ndjson")
    assert response.status_code == 413


@pytest.mark.parametrize("fmt, marker", [
    ("chrome", '"traceEvents"'), ("perfetto", '"traceEvents"'), ("shiviz", "(?<host>"),
    ("mermaid", "sequenceDiagram"), ("plantuml", "@startuml"),
])
def test_a_run_downloads_in_each_export_format(client, worker, fmt, marker):
    from playground.exports import exporter
    from tests.exports.consumers import check_perfetto, check_shiviz

    run_id, events = finished_run(client)
    response = client.get(f"/api/runs/{run_id}/trace?format={fmt}")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == exporter(fmt).content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith(f'.{exporter(fmt).extension}"')
    text = body(response).decode()
    assert marker in text
    if fmt in ("chrome", "perfetto"):
        trace = json.loads(text)
        check_perfetto(trace, events)
        holds = [e for e in trace["traceEvents"] if e.get("cat") == "holds" and e["ph"] == "b"]
        assert len(holds) == sum(1 for e in events if e["kind"] == "sync.acquire")
    if fmt == "shiviz":
        assert len(check_shiviz(text)) == sum(1 for e in events if e.get("node") and e.get("thread"))


def test_stored_events_are_served_in_pages_exactly_as_they_were_emitted(client, worker):
    run_id, events = finished_run(client)

    page = client.get(f"/api/runs/{run_id}/events?after=2&limit=3").json()

    assert page["events"] == events[2:5]
    assert (page["after"], page["last"], page["more"], page["status"]) == (2, 5, True, "completed")
    rest = client.get(f"/api/runs/{run_id}/events?after=5&limit=10000").json()
    assert rest["events"] == events[5:] and rest["more"] is False
