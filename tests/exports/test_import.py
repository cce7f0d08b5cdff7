"""Traces in and out through the API: every built-in lesson's run downloads as JSONL
(with its spec), uploads back as a run with the same events, names and spec, and
downloads again the same; a bad trace is refused with a 400 naming the line and the
field, and nothing is stored."""

import json

import orjson
import pytest

from playground.exports.jsonl import FORMAT
from playground.exports.jsonl import export as to_jsonl
from playground.runs.execute import Batch, store
from playground.runs.models import Run, TraceEvent

from .conftest import LESSONS, hostile_spec

pytestmark = pytest.mark.django_db


def stored_run(spec, events):
    finished = events[-1]
    run = Run.objects.create(spec=spec, scenario=spec.get("slug", ""), status=finished["status"], result=finished)
    store(run.id, Batch([(e, orjson.dumps(e)) for e in events]))  # as the worker stores a run's events
    return run


def download(client, run_id, fmt="jsonl"):
    response = client.get(f"/api/runs/{run_id}/trace?format={fmt}")
    assert response.status_code == 200, response
    return b"".join(response.streaming_content).decode()


def events_of(text):
    return [{k: v for k, v in json.loads(line).items() if k != "format"}
            for line in text.splitlines() if '"seq"' in line]


def upload(client, text):
    return client.post("/api/traces", text, content_type="application/x-ndjson")


@pytest.mark.parametrize("slug", LESSONS)
def test_a_lessons_trace_round_trips_with_its_names_and_its_spec(client, lesson_events, slug):
    from tests.unit.helpers import builtin

    spec = builtin(slug)
    run = stored_run(spec, lesson_events[slug])
    exported = download(client, run.id)
    header = json.loads(exported.splitlines()[0])
    assert header == {"format": FORMAT, "spec": json.loads(json.dumps(spec))}

    response = upload(client, exported)

    assert response.status_code == 201, response.content
    copy = Run.objects.get(id=response.json()["id"])
    assert copy.source == "upload" and copy.spec == header["spec"] and copy.scenario == slug
    stored = list(TraceEvent.objects.filter(run=copy).order_by("seq").values_list("data", flat=True))
    assert stored == json.loads(json.dumps(lesson_events[slug]))  # node and thread names as they were
    again = download(client, copy.id)
    assert events_of(again) == events_of(exported) and again == exported


def test_the_hostile_run_round_trips_character_for_character(client, hostile_events):
    run = stored_run(hostile_spec(), hostile_events)
    exported = download(client, run.id)
    response = upload(client, exported)
    assert response.status_code == 201, response.content
    assert download(client, response.json()["id"]) == exported


GOOD = [{"seq": 1, "t": 0.0, "kind": "run.started", "node": None, "thread": None, "mode": "free",
         "scenario": "x", "nodes": [{"id": "n", "role": "peer"}], "threads": ["n/main"]},
        {"seq": 2, "t": 0.1, "kind": "msg.send", "node": "n", "thread": "n/main", "lamport": 1, "vc": {"n": 1},
         "id": "m1", "from": "n", "to": "n", "content": "hi", "bytes": 2},
        {"seq": 3, "t": 0.2, "kind": "run.finished", "node": None, "thread": None, "status": "completed",
         "shared": {}, "outputs": {}, "schedule": []}]


def with_change(index, **fields):
    events = json.loads(json.dumps(GOOD))
    events[index].update(fields)
    for key, value in fields.items():
        if value is ...:
            del events[index][key]
    return to_jsonl(events)


@pytest.mark.parametrize("text, path, words", [
    (to_jsonl(GOOD)[:-20], "line 3", "not JSON"),  # truncated
    ("this is not json\n", "line 1", "not JSON"),
    (with_change(1, seq=5), "events[1].seq", "expected seq 2"),  # a gap
    (to_jsonl(GOOD).replace(FORMAT, "playground.event/99", 1), "line 1", "unknown format"),
    (with_change(1, kind="msg.teleport"), "events[1].kind", "unknown kind"),
    (with_change(1, vc="garbage"), "events[1].vc", "vector clock"),
    (with_change(1, vc={"n": "one"}), "events[1].vc", "vector clock"),
    (with_change(1, node=7), "events[1].node", "must be text"),
    (with_change(1, thread=None), "events[1].thread", "must be text"),
    (with_change(1, t="soon"), "events[1].t", "must be a number"),
    (with_change(1, t=...), "events[1].t", "needs t"),
    (with_change(1, lamport=1.5), "events[1].lamport", "an integer"),
    (with_change(1, id=1), "events[1].id", "must be text"),
    (with_change(1, to=...), "events[1].to", "needs to"),
    (with_change(2, outputs=[]), "events[2].outputs", "an object"),
    (with_change(0, threads=[1]), "events[0].threads", "a list of text"),
    ('{"format": "playground.event/1", "spec": {"nodes": 5}}\n' + to_jsonl(GOOD), "spec.nodes", "line 1"),
    ('{"format": "playground.event/1", "spec": "x"}\n' + to_jsonl(GOOD), "line 1", "spec"),
])
def test_a_bad_trace_is_refused_naming_the_line_and_the_field(client, text, path, words):
    response = upload(client, text)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["errors"][0]["path"] == path, body
    assert words in body["error"] + body["errors"][0]["message"], body
    if path.startswith("events["):
        index = int(path[7:path.index("]")])
        assert f"line {index + 1}" in body["error"], body  # the line it is on
    assert not Run.objects.exists() and not TraceEvent.objects.exists()


def test_a_trace_over_the_size_limit_is_refused_and_nothing_is_stored(client, settings):
    settings.TRACE_UPLOAD_MAX_BYTES = 1024
    response = upload(client, to_jsonl(GOOD * 10))
    assert response.status_code == 413 and response.json()["error"]
    assert not Run.objects.exists()


def test_the_formats_are_listed_from_the_registry(client):
    from playground.exports import EXPORTERS

    listed = client.get("/api/exports").json()
    assert [f["format"] for f in listed] == list(EXPORTERS)
    for item in listed:
        assert set(item) == {"format", "title", "extension", "content_type", "opens_with"}
        assert item["opens_with"] and "\n" not in item["opens_with"]
    assert "/api/exports" in client.get("/api/openapi.json").json()["paths"]
