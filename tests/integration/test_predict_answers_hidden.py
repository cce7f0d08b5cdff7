"""A predict challenge's answer never reaches a learner before they answer: not in a
lesson's spec, not in a run's stored spec, not in a classroom activity. The checker
judges against the stored lesson, so hiding the answer changes no verdict; a
person's own saved scenario still comes back whole, for editing."""

import json

import pytest

from playground.runs.models import Run
from playground.scenarios.loader import load_library

from .classroom_helpers import join, open_class, push

pytestmark = pytest.mark.django_db

LESSON = "bank-withdraw-race"  # its predict "both-succeed" is answered "yes"


@pytest.fixture(autouse=True)
def library_and_no_worker(monkeypatch):
    from playground.runs import actions

    monkeypatch.setattr(actions, "enqueue", lambda run: True)  # runs stay queued: only their specs matter here
    load_library()


def send(client, method, path, body=None):
    return getattr(client, method)(path, json.dumps(body or {}), content_type="application/json")


def answers_in(spec):
    return [c["answer"] for c in spec.get("challenges") or [] if "answer" in c]


def test_a_lesson_is_served_without_its_predict_answers_and_still_runs_and_checks(visitor):
    spec = visitor.get(f"/api/scenarios/{LESSON}").json()
    predict = next(c for c in spec["challenges"] if c["kind"] == "predict")
    assert predict["choices"] == ["yes", "no"] and "answer" not in predict
    assert answers_in(spec) == []

    ran = send(visitor, "post", "/api/runs", {"scenario": spec})  # the page runs what it was served
    assert ran.status_code == 201, ran.content
    right = send(visitor, "post", "/api/checks", {"scenario": LESSON, "challenge": predict["id"], "answer": "yes"})
    wrong = send(visitor, "post", "/api/checks", {"scenario": LESSON, "challenge": predict["id"], "answer": "no"})
    assert right.json()["passed"] and not wrong.json()["passed"]
    assert right.json()["answer"] == "yes"  # told once answered


def test_a_run_of_a_lesson_by_its_slug_does_not_store_the_answers(visitor):
    made = send(visitor, "post", "/api/runs", {"scenario": LESSON}).json()
    stored = Run.objects.get(id=made["id"]).spec  # its trace's header, which anyone with the id may download
    assert stored["challenges"] and answers_in(stored) == []


def test_the_owner_gets_their_answers_back_and_others_with_the_share_link_do_not(ada, bob):
    mine = json.loads(json.dumps(ada.get(f"/api/scenarios/{LESSON}").json()))
    mine["slug"], mine["title"] = "my-bank", "My bank"
    mine["challenges"] = [{"id": "guess", "kind": "predict", "text": "Both succeed?", "choices": ["yes", "no"],
                           "answer": "yes"}]
    saved = send(ada, "post", "/api/scenarios", mine)
    assert saved.status_code == 201, saved.content
    slug, share = saved.json()["slug"], saved.json()["share_id"]

    assert answers_in(ada.get(f"/api/scenarios/{slug}").json()) == ["yes"]
    assert answers_in(bob.get(f"/api/scenarios/{share}").json()) == []


def test_a_copy_saved_from_the_served_lesson_keeps_its_question_and_says_it_has_no_answer(ada):
    copy = ada.get(f"/api/scenarios/{LESSON}").json()
    copy["slug"], copy["title"] = "bank-copy", "Bank (copy)"
    saved = send(ada, "post", "/api/scenarios", copy)
    assert saved.status_code == 201, saved.content
    asked = send(ada, "post", "/api/checks", {"scenario": saved.json()["slug"], "challenge": "both-succeed",
                                              "answer": "yes"})
    assert asked.status_code == 400
    assert "no answer to check against" in asked.json()["error"]


def test_a_classroom_activity_reaches_students_without_the_answer(teacher, student):
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    push(teacher, code, LESSON, mode="predict", question=None, challenge="both-succeed")
    activity = student.get(f"/api/classrooms/{code}").json()["activity"]
    assert activity["spec"]["challenges"] and answers_in(activity["spec"]) == []
    assert activity["question"]["choices"] == ["yes", "no"]
