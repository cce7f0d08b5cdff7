"""The course (GET /api/curriculum) and an account's progress (GET, PUT /api/progress)."""

import json

import pytest

from playground.scenarios.curriculum import read_curriculum
from playground.scenarios.loader import LIBRARY_DIR, load_library

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def library():
    load_library()


def put(client, body):
    return client.put("/api/progress", json.dumps(body), content_type="application/json")


def test_every_library_lesson_is_in_the_curriculum_exactly_once_and_every_slug_exists():
    order = read_curriculum()["order"]
    assert sorted(order) == sorted(path.stem for path in LIBRARY_DIR.glob("*.json"))
    assert len(order) == len(set(order))


def test_the_curriculum_lists_chapters_in_the_courses_order_numbered_with_next(visitor):
    course = visitor.get("/api/curriculum").json()
    titles = [c["title"] for c in course["chapters"]]
    # The course's order: shared memory first, then messages, then what goes wrong at scale.
    assert titles == ["Shared state", "Locks", "Semaphores", "Condition variables", "Deadlock",
                      "Messages and protocols", "Client/server", "Architectures and communication",
                      "Peer-to-peer", "Time and clocks", "Coordination", "Fault tolerance",
                      "Consistency and replication", "The fallacies of distributed computing"]
    lessons = [lesson for chapter in course["chapters"] for lesson in chapter["lessons"]]
    assert lessons[0]["number"] == "1.1" and lessons[0]["slug"] == "shared-x-race"
    assert [a["next"] for a in lessons[:-1]] == [b["slug"] for b in lessons[1:]] and lessons[-1]["next"] is None
    assert all(lesson["challenges"] for lesson in lessons)


def test_the_curriculum_never_gives_away_an_answer_a_goal_or_a_fix(visitor):
    text = visitor.get("/api/curriculum").content.decode()
    course = json.loads(text)
    for chapter in course["chapters"]:
        for lesson in chapter["lessons"]:
            for challenge in lesson["challenges"]:
                assert set(challenge) <= {"id", "kind", "text", "hints", "choices", "edit", "starts_from_other_code"}


def test_progress_is_for_signed_in_people_and_merges_without_undoing_a_pass(ada, bob, visitor):
    assert visitor.get("/api/progress").status_code == 401
    assert put(visitor, {"items": []}).status_code == 401
    body = {"items": [{"scenario": "shared-x-race", "challenge": "predict-x", "state": "passed"},
                      {"scenario": "bank-withdraw-race", "challenge": "overdraft", "state": "tried"}]}
    assert put(ada, body).status_code == 200
    later = put(ada, {"items": [{"scenario": "shared-x-race", "challenge": "predict-x", "state": "tried"}]}).json()
    states = {(i["scenario"], i["challenge"]): i["state"] for i in later["items"]}
    assert states == {("shared-x-race", "predict-x"): "passed", ("bank-withdraw-race", "overdraft"): "tried"}
    assert bob.get("/api/progress").json() == {"items": []}


def test_progress_for_an_unknown_lesson_or_challenge_is_refused_at_its_path(ada):
    response = put(ada, {"items": [{"scenario": "shared-x-race", "challenge": "nope", "state": "passed"},
                                   {"scenario": "nope", "challenge": "x", "state": "passed"}]})
    assert response.status_code == 400
    assert {e["path"] for e in response.json()["errors"]} == {"items[0].challenge", "items[1].scenario"}
    bad_state = put(ada, {"items": [{"scenario": "shared-x-race", "challenge": "predict-x", "state": "done"}]})
    assert bad_state.status_code == 400
