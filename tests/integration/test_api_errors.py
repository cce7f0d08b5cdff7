"""Every API error is a 4xx with a JSON body that says what is wrong."""

import json

import pytest

from .helpers import counter_spec

pytestmark = pytest.mark.django_db

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def post_json(client, path, body):
    return client.post(path, body if isinstance(body, str | bytes) else json.dumps(body),
                       content_type="application/json")


def test_a_snippet_with_a_syntax_error_is_refused_with_its_path_and_line(client):
    spec = counter_spec()
    spec["nodes"][0]["threads"][1]["code"] = "x = 1\nfor i in range(3)\n    pass\n"

    response = post_json(client, "/api/runs", {"scenario": spec})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["path"] for e in errors] == ["nodes[0].threads[1].code"]
    assert "line 2" in errors[0]["message"]


def test_a_spec_with_a_bad_field_is_refused_with_the_path_of_the_field(client):
    spec = counter_spec()
    spec["nodes"][0]["resources"][0]["type"] = "padlock"

    response = post_json(client, "/api/runs", {"scenario": spec})

    assert response.status_code == 400
    assert any(e["path"].startswith("nodes[0].resources[0]") and e["message"] for e in response.json()["errors"])


def test_an_invalid_run_override_is_refused_with_its_path(client):
    response = post_json(client, "/api/runs", {"scenario": counter_spec(), "mode": "sideways"})
    assert response.status_code == 400
    assert any(error["path"].startswith("run.mode") for error in response.json()["errors"])


def test_an_unknown_scenario_slug_is_refused(client):
    response = post_json(client, "/api/runs", {"scenario": "no-such-lesson"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "scenario"


def test_a_body_without_a_scenario_is_refused(client):
    response = post_json(client, "/api/runs", {"mode": "free"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "scenario"


def test_malformed_json_is_a_400(client):
    response = post_json(client, "/api/runs", '{"scenario": ')
    assert response.status_code == 400
    assert response.json()["error"].startswith("malformed JSON")


def test_a_json_body_that_is_not_an_object_is_a_400(client):
    response = post_json(client, "/api/runs", "[1, 2]")
    assert response.status_code == 400


def test_an_oversized_body_is_a_413(client, settings):
    body = json.dumps({"scenario": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = post_json(client, "/api/runs", body)
    assert response.status_code == 413
    assert response.json()["error"] == "the request body is too large"


@pytest.mark.parametrize("path", [
    f"/api/runs/{UNKNOWN}", f"/api/runs/{UNKNOWN}/events", f"/api/runs/{UNKNOWN}/trace",
    "/api/scenarios/no-such-lesson", "/api/no-such-thing", "/api/runs/not-a-uuid",
])
def test_an_unknown_thing_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]


def test_cancelling_an_unknown_run_is_a_404(client):
    assert client.post(f"/api/runs/{UNKNOWN}/cancel").status_code == 404


@pytest.mark.parametrize("method, path", [
    ("delete", "/api/scenarios"), ("post", "/api/scenarios/x"), ("put", "/api/runs"),
    ("get", f"/api/runs/{UNKNOWN}/cancel"), ("get", "/api/traces"),
])
def test_a_wrong_method_is_a_405_naming_the_right_ones(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response["Allow"]
    assert response.json()["error"]


def test_a_bad_query_parameter_is_a_400(client, transactional_db):
    from playground.runs.models import Run

    run = Run.objects.create(spec={}, status="completed")
    assert client.get(f"/api/runs/{run.id}/events?after=soon").status_code == 400
    assert client.get(f"/api/runs/{run.id}/trace?format=docx").status_code == 400
