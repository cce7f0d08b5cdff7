"""Never a 500 on input: deep nesting, NUL, lone surrogates, over-long strings, wrong
types, wrong methods, huge bodies and unknown trace versions are each a 4xx JSON error
that says where the problem is. (PostgreSQL, the scale-out database, refuses NUL in
text and jsonb, and nobody can encode a lone surrogate: both are refused when the
request is read, before anything is stored.)"""

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from playground.exports.jsonl import export as to_jsonl
from playground.runs.models import Run, TraceEvent
from tests.integration.helpers import counter_spec

pytestmark = pytest.mark.django_db

V1 = "playground.event/1"
DEEP = "[" * 100_000 + "]" * 100_000


def post(client, path, body, content_type="application/json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data, content_type=content_type)


def refused(response, status=400, path=None):
    """The JSON error body of a refusal; its first problem is at `path` (if given)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] and body["errors"], body
    if path is not None:
        assert body["errors"][0]["path"] == path, body["errors"]
    return body


@pytest.fixture
def ada():
    client = Client()
    client.force_login(User.objects.create_user("ada", password="analytical-engine-1843"))
    return client


# --- deep nesting ------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ["/api/runs", "/api/scenarios/validate"])
def test_a_body_nested_100000_deep_is_a_400(client, endpoint):
    body = refused(post(client, endpoint, DEEP), path="")
    assert body["error"] == "malformed JSON: nested too deeply"


def test_a_value_nested_100000_deep_inside_a_field_is_a_400(client):
    refused(post(client, "/api/runs", '{"scenario": ' + DEEP + "}"))


def test_a_trace_line_nested_100000_deep_is_a_400_naming_the_line(client):
    body = refused(post(client, "/api/traces", f'{{"format": "{V1}"}}\n{DEEP}\n', "application/x-ndjson"),
                   path="line 2")
    assert "nested too deeply" in body["error"]
    assert not Run.objects.exists()


def test_a_trace_event_nested_past_the_limit_is_refused_at_its_path(client):
    tower = "[" * 200 + "]" * 200
    line = f'{{"format": "{V1}", "seq": 1, "kind": "output", "text": {tower}}}'
    body = refused(post(client, "/api/traces", line + "\n", "application/x-ndjson"))
    assert body["errors"][0]["path"].startswith("events[0].text")
    assert "nested more than 100 levels" in body["errors"][0]["message"]


# --- NUL and lone surrogates ---------------------------------------------------------------

BAD_TEXT = {"nul": "a\\u0000b", "surrogate": "a\\ud800b"}


def spec_with(field, text):
    """A spec as JSON text with `text` (a JSON string's escaped content) at `field`."""
    spec = counter_spec(5)
    marker = "MARKER-TEXT"
    if field == "title":
        spec["title"] = marker
    elif field == "slug":
        spec["slug"] = marker
    else:
        spec["nodes"][0]["shared"]["counter"] = {"label": marker}
    return json.dumps(spec).replace(marker, text)


@pytest.mark.parametrize("kind", sorted(BAD_TEXT))
@pytest.mark.parametrize("field, path", [("title", "title"), ("slug", "slug"),
                                         ("shared", "nodes[0].shared.counter.label")])
def test_nul_and_lone_surrogates_in_a_spec_are_refused_with_their_path(client, ada, kind, field, path):
    text = spec_with(field, BAD_TEXT[kind])

    refused(post(client, "/api/scenarios/validate", text), path=path)
    refused(post(client, "/api/runs", '{"scenario": ' + text + "}"), path=f"scenario.{path}")
    refused(post(ada, "/api/scenarios", text), path=path)
    assert not Run.objects.exists()


@pytest.mark.parametrize("kind", sorted(BAD_TEXT))
def test_nul_and_lone_surrogates_in_a_scenario_slug_are_refused(client, kind):
    refused(post(client, "/api/runs", f'{{"scenario": "{BAD_TEXT[kind]}"}}'), path="scenario")


@pytest.mark.parametrize("kind", sorted(BAD_TEXT))
def test_nul_and_lone_surrogates_in_a_field_name_are_refused(client, kind):
    text = json.dumps(counter_spec(5)).replace('"nodes": [', f'"{BAD_TEXT[kind]}": 1, "nodes": [', 1)
    body = refused(post(client, "/api/scenarios/validate", text))
    assert "the name holds" in body["errors"][0]["message"]


@pytest.mark.parametrize("kind", sorted(BAD_TEXT))
def test_nul_and_lone_surrogates_in_a_trace_are_refused_with_their_path(client, kind):
    line = f'{{"format": "{V1}", "seq": 1, "kind": "output", "text": "{BAD_TEXT[kind]}"}}'
    refused(post(client, "/api/traces", line + "\n", "application/x-ndjson"), path="events[0].text")
    assert not Run.objects.exists()


# --- over-long strings in trace uploads ------------------------------------------------------

def trace(started=None, **finished):
    return to_jsonl([{"seq": 1, "t": 0, "kind": "run.started", **(started or {})},
                     {"seq": 2, "t": 0.1, "kind": "run.finished", "status": "completed", **finished}])


@pytest.mark.parametrize("field, length, path", [
    ("kind", 41, "events[0].kind"), ("mode", 17, "events[0].mode"), ("scenario", 101, "events[0].scenario")])
def test_over_long_fields_of_a_trace_are_refused_before_anything_is_stored(client, field, length, path):
    started = {field: "x" * length}
    body = refused(post(client, "/api/traces", trace(started), "application/x-ndjson"), path=path)
    assert f"at most {length - 1} characters" in body["errors"][0]["message"]
    assert not Run.objects.exists() and not TraceEvent.objects.exists()


def test_fields_at_their_limits_are_accepted(client):
    started = {"mode": "x" * 16, "scenario": "x" * 100}
    response = post(client, "/api/traces", trace(started), "application/x-ndjson")
    assert response.status_code == 201, response.content


# --- wrong types ----------------------------------------------------------------------------

@pytest.mark.parametrize("body, path", [
    ({"scenario": 5}, "scenario"), ({"scenario": ["a"]}, "scenario"), ({"scenario": None}, "scenario"),
    ({"scenario": counter_spec(5), "seed": "soon"}, "run.seed"), ({"scenario": counter_spec(5), "mode": 3}, "run.mode"),
    ({}, "scenario"), ([1, 2], ""), ("7", ""), ('"a string"', ""),
])
def test_a_run_body_of_the_wrong_type_is_a_400_naming_the_field(client, body, path):
    data = body if isinstance(body, str) else json.dumps(body)
    errors = refused(post(client, "/api/runs", data))["errors"]
    assert any(e["path"].startswith(path) for e in errors), errors


@pytest.mark.parametrize("query, path", [("after=soon", "after"), ("after=-1", "after"), ("limit=0", "limit"),
                                         ("limit=10001", "limit"), ("after=1e400", "after")])
def test_a_query_parameter_of_the_wrong_type_is_a_400_naming_it(client, query, path):
    run = Run.objects.create(spec={}, status="completed")
    refused(client.get(f"/api/runs/{run.id}/events?{query}"), path=path)


@pytest.mark.parametrize("event, path", [
    ([1, 2], "line 1"),
    ({"seq": "1", "kind": "run.finished", "status": "completed"}, "events[0].seq"),
    ({"seq": True, "kind": "run.finished", "status": "completed"}, "events[0].seq"),
    ({"seq": 1, "kind": 7, "status": "completed"}, "events[0].kind"),
    ({"seq": 1, "kind": "run.started", "mode": {"a": 1}}, "events[0].mode"),
    ({"seq": 1, "kind": "run.finished", "status": "completed", "error": [1]}, "events[0].error"),
])
def test_a_trace_event_of_the_wrong_type_is_a_400_naming_it(client, event, path):
    line = json.dumps({"format": V1, **event} if isinstance(event, dict) else event)
    refused(post(client, "/api/traces", line + "\n", "application/x-ndjson"), path=path)


# --- wrong methods, huge bodies -------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("patch", "/api/runs"), ("put", "/api/scenarios/validate"), ("get", "/api/scenarios/validate"),
    ("delete", "/api/me"), ("post", "/api/runs/00000000-0000-4000-8000-000000000000/events"),
    ("put", "/api/traces"), ("patch", "/api/scenarios/lock-counter"),
])
def test_a_wrong_method_is_a_json_405_with_allow(client, method, path):
    response = getattr(client, method)(path)
    body = refused(response, status=405)
    assert method.upper() in body["error"] and response["Allow"]


@pytest.mark.parametrize("endpoint", ["/api/runs", "/api/scenarios/validate"])
def test_a_huge_json_body_is_a_413(client, settings, endpoint):
    body = json.dumps({"scenario": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    assert refused(post(client, endpoint, body), status=413)["error"] == "the request body is too large"


def test_a_huge_trace_is_a_413_raw_or_as_a_file(client, settings):
    settings.TRACE_UPLOAD_MAX_BYTES = 4096
    text = to_jsonl({"seq": i, "kind": "output", "text": "x" * 100} for i in range(1, 100))
    refused(post(client, "/api/traces", text, "application/x-ndjson"), status=413)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("t.jsonl", text.encode(), content_type="application/x-ndjson")
    refused(client.post("/api/traces", {"trace": upload}), status=413)


# --- trace format versions -------------------------------------------------------------------

def events():
    return [{"seq": 1, "t": 0, "kind": "run.started", "mode": "free", "scenario": "x"},
            {"seq": 2, "t": 0.1, "kind": "output", "node": "n", "thread": "n/T", "text": "hi"},
            {"seq": 3, "t": 0.2, "kind": "run.finished", "status": "completed", "shared": {}}]


def lines(version_of_line):
    return "".join(json.dumps({**({"format": version_of_line(i)} if version_of_line(i) else {}), **e}) + "\n"
                   for i, e in enumerate(events(), start=1))


def test_every_exported_line_says_its_format_and_the_export_round_trips(client):
    exported = to_jsonl(events())
    assert all(json.loads(line)["format"] == V1 for line in exported.splitlines())

    response = post(client, "/api/traces", exported, "application/x-ndjson")

    assert response.status_code == 201, response.content
    run_id = response.json()["id"]
    stored = list(TraceEvent.objects.filter(run_id=run_id).order_by("seq").values_list("data", flat=True))
    assert stored == events()  # stored as the engine emits them
    download = client.get(f"/api/runs/{run_id}/trace?format=jsonl")
    assert b"".join(download.streaming_content).decode() == exported  # the download streams


def test_a_header_line_says_the_format_for_every_line_after_it(client):
    text = json.dumps({"format": V1}) + "\n" + "".join(json.dumps(e) + "\n" for e in events())
    response = post(client, "/api/traces", text, "application/x-ndjson")
    assert response.status_code == 201, response.content
    assert response.json()["events"] == 3


@pytest.mark.parametrize("version_of_line, path", [
    (lambda i: "playground.event/99", "line 1"),
    (lambda i: V1 if i != 2 else "playground.event/99", "line 2"),
    (lambda i: V1 if i != 3 else 1, "line 3"),
    (lambda i: V1 if i != 2 else None, "line 2"),
    (lambda i: None, "line 1"),
])
def test_an_unknown_or_missing_version_is_refused_naming_the_line(client, version_of_line, path):
    body = refused(post(client, "/api/traces", lines(version_of_line), "application/x-ndjson"), path=path)
    assert V1 in body["error"]
    assert not Run.objects.exists()


def test_a_header_with_an_unknown_version_is_refused(client):
    text = json.dumps({"format": "playground.event/2"}) + "\n" + "".join(json.dumps(e) + "\n" for e in events())
    body = refused(post(client, "/api/traces", text, "application/x-ndjson"), path="line 1")
    assert "playground.event/2" in body["error"]


def test_a_header_does_not_excuse_a_line_that_says_another_version(client):
    text = json.dumps({"format": V1}) + "\n" + lines(lambda i: V1 if i != 3 else "playground.event/0")
    refused(post(client, "/api/traces", text, "application/x-ndjson"), path="line 4")
