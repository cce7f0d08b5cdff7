"""A student has at most CLASSROOM_MAX_RUNNING runs at once and CLASSROOM_MAX_RUNS_PER_MINUTE
a minute; past them POST /api/runs answers 429 with why, and nobody else is affected."""

import pytest

from playground.runs.models import Run

from .classroom_helpers import join, open_class, post, push, quick_spec

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_worker_takes_the_runs(monkeypatch):
    from playground.runs import actions

    monkeypatch.setattr(actions, "enqueue", lambda run: True)


@pytest.fixture
def room(teacher, student, other_student):
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    join(other_student, code, "Sue")
    push(teacher, code, scenario=quick_spec(), mode="run", question=None, editing="open")
    return code


def start(client):
    return post(client, "/api/runs", {"scenario": quick_spec()})


def test_the_n_plus_first_concurrent_run_is_refused_and_nothing_else_is(room, settings, student, other_student,
                                                                     teacher, visitor):
    settings.CLASSROOM_MAX_RUNNING = 2
    first, second = start(student), start(student)
    assert first.status_code == second.status_code == 201
    third = start(student)
    assert third.status_code == 429
    assert "at most 2 at once" in third.json()["error"]
    assert Run.objects.filter(seat_link__seat__name="Sam").count() == 2
    # Others start as before: the other student, the teacher, a visitor outside the class.
    assert start(other_student).status_code == 201
    assert start(teacher).status_code == 201
    assert start(visitor).status_code == 201
    # When one of Sam's runs ends, Sam may start another.
    Run.objects.filter(id=first.json()["id"]).update(status="completed")
    assert start(student).status_code == 201


def test_the_m_plus_first_run_in_a_minute_is_refused_and_nothing_else_is(room, settings, student, other_student):
    settings.CLASSROOM_MAX_RUNNING = 100
    settings.CLASSROOM_MAX_RUNS_PER_MINUTE = 3
    for _ in range(3):
        assert start(student).status_code == 201
    fourth = start(student)
    assert fourth.status_code == 429
    assert "at most 3 a minute" in fourth.json()["error"]
    assert start(other_student).status_code == 201
    assert student.get(f"/api/classrooms/{room}").status_code == 200  # the rest of the class works for Sam
