"""The built-in library loads into Scenario rows and the API lists and serves them."""

import json

import pytest
from django.core.management import CommandError, call_command

from playground.scenarios.loader import LIBRARY_DIR
from playground.scenarios.models import Scenario

from .helpers import counter_spec, slow_spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(tmp_path):
    for spec in (counter_spec(), slow_spec()):
        spec["summary"] = f"About {spec['slug']}."
        spec["tags"] = ["test"]
        (tmp_path / f"{spec['slug']}.json").write_text(json.dumps(spec))
    return tmp_path


def test_load_library_creates_a_builtin_scenario_per_file_and_is_idempotent(library, capsys):
    call_command("load_library", dir=str(library))
    first = {s.slug: s.spec for s in Scenario.objects.all()}
    call_command("load_library", dir=str(library))

    assert set(first) == {"lock-counter", "slow-clock"}
    assert Scenario.objects.count() == 2
    assert all(s.builtin for s in Scenario.objects.all())
    assert {s.slug: s.spec for s in Scenario.objects.all()} == first
    assert capsys.readouterr().out.splitlines()[-1] == "library: 0 created, 0 updated"


def test_load_library_refuses_an_invalid_file_and_names_it(library):
    (library / "broken.json").write_text(json.dumps({"format": "playground.scenario/1", "nodes": "none"}))
    with pytest.raises(CommandError, match="broken.json"):
        call_command("load_library", dir=str(library))
    assert Scenario.objects.count() == 0  # all or nothing


def test_the_shipped_library_is_valid(capsys):
    files = sorted(LIBRARY_DIR.glob("*.json"))
    call_command("load_library")
    assert Scenario.objects.filter(builtin=True).count() == len(files)


def test_the_api_lists_scenarios_and_serves_a_spec(client, library):
    call_command("load_library", dir=str(library))

    listing = client.get("/api/scenarios").json()
    assert {item["slug"] for item in listing} == {"lock-counter", "slow-clock"}
    assert set(listing[0]) >= {"slug", "title", "summary", "tags"}

    spec = client.get("/api/scenarios/lock-counter").json()
    assert spec["format"] == "playground.scenario/1"
    assert spec["nodes"][0]["threads"][0]["name"] == "A"


def test_a_run_can_be_started_from_a_library_slug_with_overrides(client, library):
    call_command("load_library", dir=str(library))
    response = client.post("/api/runs", json.dumps({"scenario": "lock-counter", "seed": 7, "mode": "free"}),
                           content_type="application/json")
    assert response.status_code == 201
    from playground.runs.models import Run

    run = Run.objects.get(id=response.json()["id"])
    assert run.scenario == "lock-counter"
    assert run.spec["run"]["seed"] == 7
