"""Saved scenarios: a signed-in person saves, changes and deletes their own; anyone
with the share link opens one; the list shows built-ins and one's own.

The cast: Ada saves scenarios, Bob is another signed-in person, and a visitor is
not signed in."""

import json

import pytest

from playground.runs.models import Run
from playground.scenarios.loader import load_library
from playground.scenarios.models import Scenario

from .helpers import counter_spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def builtin(tmp_path):
    spec = counter_spec()
    spec["slug"], spec["title"] = "lock-counter", "Lock counter"
    (tmp_path / "lock-counter.json").write_text(json.dumps(spec))
    load_library(tmp_path)
    return Scenario.objects.get(slug="lock-counter")


def send(client, method, path, body=None):
    data = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
    return getattr(client, method)(path, data, content_type="application/json")


def my_spec(slug="my-race", title="My race"):
    spec = counter_spec(5)
    spec["slug"], spec["title"], spec["summary"], spec["tags"] = slug, title, "Mine.", ["mine"]
    return spec


@pytest.fixture
def saved(ada):
    response = send(ada, "post", "/api/scenarios", my_spec())
    assert response.status_code == 201, response.content
    return response.json()


# --- saving ----------------------------------------------------------------------------

def test_a_signed_in_person_saves_a_scenario_and_gets_its_slug_and_share_link(ada, saved):
    assert saved["slug"] == "my-race"
    assert saved["title"] == "My race"
    assert saved["owner"] is True and saved["builtin"] is False
    assert saved["share_id"].startswith("s_") and len(saved["share_id"]) > 20
    assert saved["share_url"] == f"/api/scenarios/{saved['share_id']}"
    stored = Scenario.objects.get(slug="my-race")
    assert stored.owner.username == "ada"
    assert stored.spec["slug"] == "my-race"


def test_a_visitor_cannot_save_a_scenario(visitor):
    response = send(visitor, "post", "/api/scenarios", my_spec())
    assert response.status_code == 401
    assert "sign in" in response.json()["error"]
    assert not Scenario.objects.exists()


def test_an_invalid_spec_is_refused_with_the_paths_of_its_errors(ada):
    spec = my_spec()
    spec["nodes"][0]["threads"][1]["code"] = "x = 1\nfor i in range(3)\n    pass\n"

    response = send(ada, "post", "/api/scenarios", spec)

    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["nodes[0].threads[1].code"]
    assert not Scenario.objects.exists()


def test_a_saved_slug_never_takes_a_builtin_or_someone_elses(ada, bob, builtin, saved):
    theirs = send(bob, "post", "/api/scenarios", my_spec()).json()
    copy = send(ada, "post", "/api/scenarios", my_spec(slug="lock-counter")).json()

    assert theirs["slug"] == "my-race-2"
    assert copy["slug"] == "lock-counter-2"
    assert Scenario.objects.get(slug="lock-counter").builtin
    assert send(ada, "post", "/api/scenarios", my_spec(slug="validate")).json()["slug"] == "validate-2"


def test_loading_the_library_moves_a_saved_scenario_out_of_a_new_lessons_way(ada, tmp_path):
    send(ada, "post", "/api/scenarios", my_spec(slug="lock-counter"))
    spec = counter_spec()
    spec["slug"] = "lock-counter"
    (tmp_path / "lock-counter.json").write_text(json.dumps(spec))

    load_library(tmp_path)

    assert Scenario.objects.get(slug="lock-counter").builtin
    mine = Scenario.objects.get(owner__username="ada")
    assert mine.slug == "lock-counter-saved" and mine.spec["slug"] == mine.slug


# --- listing and opening ---------------------------------------------------------------

def test_the_list_shows_builtins_and_only_ones_own_saved_scenarios(ada, bob, visitor, builtin, saved):
    send(bob, "post", "/api/scenarios", my_spec(slug="bobs", title="Bob's"))

    def listing(client):
        return {item["slug"]: item for item in client.get("/api/scenarios").json()}

    adas, bobs, visitors = listing(ada), listing(bob), listing(visitor)
    assert set(adas) == {"lock-counter", "my-race"}
    assert set(bobs) == {"lock-counter", "bobs"}
    assert set(visitors) == {"lock-counter"}
    assert set(adas["lock-counter"]) >= {"slug", "title", "summary", "tags", "builtin", "owner"}
    assert adas["lock-counter"]["builtin"] is True and adas["lock-counter"]["owner"] is False
    assert adas["my-race"]["owner"] is True and adas["my-race"]["share_id"] == saved["share_id"]
    assert "share_id" not in visitors["lock-counter"]


def test_the_owner_opens_a_saved_scenario_by_its_slug_and_others_do_not(ada, bob, visitor, saved):
    assert ada.get("/api/scenarios/my-race").json()["title"] == "My race"
    assert bob.get("/api/scenarios/my-race").status_code == 404
    assert visitor.get("/api/scenarios/my-race").status_code == 404


def test_anyone_with_the_share_link_opens_a_saved_scenario(ada, bob, visitor, saved):
    for client in (ada, bob, visitor):
        response = client.get(saved["share_url"])
        assert response.status_code == 200
        assert response.json()["slug"] == "my-race"
    assert visitor.get("/api/scenarios/s_not-a-real-share-id").status_code == 404


def test_anyone_with_the_share_id_can_run_it_but_not_by_its_slug(bob, saved):
    by_share = send(bob, "post", "/api/runs", {"scenario": saved["share_id"]})
    by_slug = send(bob, "post", "/api/runs", {"scenario": "my-race"})

    assert by_share.status_code == 201
    assert Run.objects.get(id=by_share.json()["id"]).scenario == "my-race"
    assert by_slug.status_code == 400


# --- changing and deleting -------------------------------------------------------------

def test_the_owner_replaces_a_saved_scenario_and_keeps_its_slug_and_share_id(ada, saved):
    response = send(ada, "put", "/api/scenarios/my-race", my_spec(slug="renamed", title="Better race"))

    assert response.status_code == 200
    assert response.json()["slug"] == "my-race"
    assert response.json()["share_id"] == saved["share_id"]
    stored = Scenario.objects.get(slug="my-race")
    assert stored.title == "Better race" and stored.spec["title"] == "Better race"
    assert stored.spec["slug"] == "my-race"


def test_another_person_may_not_replace_or_delete_a_saved_scenario(bob, saved):
    share = saved["share_url"]
    assert send(bob, "put", share, my_spec(title="Mine now")).status_code == 403
    assert send(bob, "delete", share).status_code == 403
    assert Scenario.objects.get(slug="my-race").title == "My race"


def test_a_visitor_may_not_replace_or_delete_a_saved_scenario(visitor, saved):
    share = saved["share_url"]
    assert send(visitor, "put", share, my_spec(title="Mine now")).status_code == 401
    assert send(visitor, "delete", share).status_code == 401
    assert Scenario.objects.filter(slug="my-race").exists()


def test_nobody_may_replace_or_delete_a_builtin(ada, builtin):
    assert send(ada, "put", "/api/scenarios/lock-counter", my_spec()).status_code == 403
    assert send(ada, "delete", "/api/scenarios/lock-counter").status_code == 403
    assert Scenario.objects.filter(slug="lock-counter", builtin=True).exists()


def test_an_invalid_replacement_is_refused_and_changes_nothing(ada, saved):
    spec = my_spec()
    spec["nodes"][0]["resources"][0]["type"] = "padlock"

    response = send(ada, "put", "/api/scenarios/my-race", spec)

    assert response.status_code == 400
    assert response.json()["errors"][0]["path"].startswith("nodes[0].resources[0]")
    assert Scenario.objects.get(slug="my-race").spec["nodes"][0]["resources"][0]["type"] == "lock"


def test_the_owner_deletes_a_saved_scenario(ada, saved):
    response = send(ada, "delete", "/api/scenarios/my-race")

    assert response.status_code == 204
    assert not Scenario.objects.filter(slug="my-race").exists()
    assert ada.get(saved["share_url"]).status_code == 404


# --- validating for the editor ---------------------------------------------------------

def test_a_valid_spec_validates(visitor):
    response = send(visitor, "post", "/api/scenarios/validate", my_spec())
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_an_invalid_spec_is_answered_with_each_error_at_its_path_and_line(visitor):
    spec = my_spec()
    spec["nodes"][0]["threads"][0]["code"] = "for i in range(3):\n    x = (\n"
    spec["run"]["mode"] = "sideways"

    response = send(visitor, "post", "/api/scenarios/validate", spec)

    assert response.status_code == 400
    paths = {e["path"] for e in response.json()["errors"]}
    assert "run.mode" in paths or "nodes[0].threads[0].code" in paths
    assert all(e["message"] for e in response.json()["errors"])


def test_a_spec_that_is_not_json_does_not_validate(visitor):
    response = send(visitor, "post", "/api/scenarios/validate", "{nodes")
    assert response.status_code == 400
    assert response.json()["error"].startswith("malformed JSON")


# --- who am I --------------------------------------------------------------------------

def test_me_says_who_is_signed_in(ada, visitor):
    assert ada.get("/api/me").json()["authenticated"] is True
    assert ada.get("/api/me").json()["username"] == "ada"
    me = visitor.get("/api/me").json()
    assert (me["authenticated"], me["username"]) == (False, None)
