"""A class through its HTTP API: Tess opens it, Sam and Sue join with the code, Tess
pushes a predict activity, they vote twice, she reveals, exports and ends the class.
Runs stay queued (enqueue stubbed): the seat's runs are followed, not executed."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from playground.classroom.models import CODE_ALPHABET, Classroom, SeatRun
from playground.scenarios.loader import load_library

from .classroom_helpers import QUESTION, join, open_class, patch, post, push, quick_spec

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def library_and_no_worker(monkeypatch):
    from playground.runs import actions

    monkeypatch.setattr(actions, "enqueue", lambda run: True)
    load_library()


def test_a_teacher_opens_a_class_with_a_code_without_look_alikes_and_a_qr_code(teacher):
    made = open_class(teacher)
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{6}}", made["code"])
    assert not set(made["code"]) & set("0O1IL")
    assert made["join_url"].endswith(f"/classrooms/{made['code']}/")
    assert made["screen_url"].endswith(f"/classrooms/{made['code']}/screen")
    assert made["ws"] == f"/ws/classrooms/{made['code']}/"
    qr = teacher.get(made["qr"])
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg")


def test_createteacher_makes_a_user_in_the_teachers_group_who_may_open_a_class(db):
    call_command("createteacher", "ms-hopper", password="cobol-compiler-1959")
    client = Client()
    assert client.login(username="ms-hopper", password="cobol-compiler-1959")
    assert post(client, "/api/classrooms", {"title": "Go"}).status_code == 201


def test_a_student_joins_and_comes_back_to_the_same_seat_with_the_cookie(teacher, student):
    code = open_class(teacher)["code"]
    seat = join(student, code.lower(), "Sam")
    again = post(student, f"/api/classrooms/{code}/join", {"name": "Sam"})
    assert again.status_code == 200 and again.json()["seat"] == seat["seat"] and again.json()["rejoined"]
    mine = student.get(f"/api/classrooms/{code}").json()
    assert mine["role"] == "student" and mine["seat"]["id"] == seat["seat"] and mine["seat"]["name"] == "Sam"


def test_names_are_unique_within_a_class(teacher, student, other_student):
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    taken = post(other_student, f"/api/classrooms/{code}/join", {"name": "  sam "})
    assert taken.status_code == 409
    assert "already called" in taken.json()["error"]


def test_the_teacher_renames_and_removes_a_student(teacher, student, other_student):
    code = open_class(teacher)["code"]
    sam = join(student, code, "Sam")["seat"]
    join(other_student, code, "Sue")
    assert patch(teacher, f"/api/classrooms/{code}/students/{sam}", {"name": "Sue"}).status_code == 409
    assert patch(teacher, f"/api/classrooms/{code}/students/{sam}", {"name": "Samuel"}).json()["name"] == "Samuel"
    assert teacher.delete(f"/api/classrooms/{code}/students/{sam}").status_code == 204
    names = [s["name"] for s in teacher.get(f"/api/classrooms/{code}").json()["students"]]
    assert names == ["Sue"]


def test_two_votes_reveal_shift_and_the_export(teacher, student, other_student):
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    join(other_student, code, "Sue")
    activity = push(teacher, code)["id"]
    answer = lambda who, value, vote=None: post(who, f"/api/classrooms/{code}/answers",  # noqa: E731
                                                {"activity": activity, "answer": value, **({"vote": vote} if vote else {})})
    assert answer(student, "3").status_code == 200
    assert answer(student, "10").status_code == 200  # changed while vote 1 is open
    assert answer(other_student, "2").status_code == 200
    assert answer(other_student, "7").status_code == 400  # not a choice
    assert answer(student, "2", vote=2).status_code == 409  # vote 2 not open yet

    # The student sees no tally before the reveal; the teacher does.
    assert student.get(f"/api/classrooms/{code}").json()["revealed"] is None
    board = teacher.get(f"/api/classrooms/{code}").json()
    assert {c["answer"]: c["count"] for c in board["activity"]["tallies"][0]["counts"]} == {
        "3": 0, "2": 1, "10": 1, "-5": 0}

    shown = post(teacher, f"/api/classrooms/{code}/reveal", {"activity": activity}).json()
    assert shown["revealed"] == [1] and shown["tallies"][0]["total"] == 2
    assert answer(student, "2", vote=1).status_code == 409  # closed by the reveal: no change after
    assert student.get(f"/api/classrooms/{code}").json()["revealed"]["tallies"][0]["total"] == 2

    assert post(teacher, f"/api/classrooms/{code}/votes", {"activity": activity, "vote": 2}).status_code == 200
    assert answer(student, "2").status_code == 200
    assert answer(other_student, "2").status_code == 200
    assert post(teacher, f"/api/classrooms/{code}/votes", {"activity": activity, "vote": 1}).status_code == 409
    board = teacher.get(f"/api/classrooms/{code}").json()
    assert {(m["from"], m["to"]): m["count"] for m in board["activity"]["shift"]} == {("10", "2"): 1, ("2", "2"): 1}

    rows = list(csv.DictReader(io.StringIO(teacher.get(f"/api/classrooms/{code}/results?format=csv").content.decode())))
    assert [(r["name"], r["vote1"], r["vote2"]) for r in rows] == [("Sam", "10", "2"), ("Sue", "2", "2")]
    data = teacher.get(f"/api/classrooms/{code}/results?format=json").json()
    assert data["rows"][0]["answers"] == {"1": "10", "2": "2"}


def test_a_predict_activity_needs_a_question_and_a_named_challenge_must_exist(teacher):
    code = open_class(teacher)["code"]
    refused = post(teacher, f"/api/classrooms/{code}/activities", {"scenario": "bank-withdraw-race", "mode": "predict"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["path"] == "question"
    refused = post(teacher, f"/api/classrooms/{code}/activities",
                   {"scenario": "bank-withdraw-race", "mode": "break", "challenge": "no-such"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["path"] == "challenge"
    assert push(teacher, code, mode="run", question=None)["vote"] == {"number": 1, "open": False}


def test_a_students_run_is_the_seats_and_the_dashboard_follows_it(teacher, student):
    code = open_class(teacher)["code"]
    seat = join(student, code, "Sam")["seat"]
    push(teacher, code, scenario=quick_spec(), mode="run", question=None, editing="open")
    run = post(student, "/api/runs", {"scenario": quick_spec()}).json()["id"]
    assert SeatRun.objects.get(run_id=run).seat_id == seat
    sam = teacher.get(f"/api/classrooms/{code}").json()["students"][0]
    assert sam["status"] == "running" and sam["run"]["id"] == run
    assert student.get(f"/api/classrooms/{code}").json()["seat"]["runs"][0]["id"] == run


def test_a_locked_activity_runs_only_its_own_code(teacher, student):
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    push(teacher, code, scenario=quick_spec(), mode="run", question=None, editing="locked")
    edited = quick_spec()
    edited["nodes"][0]["threads"][0]["code"] = "x = 42"
    refused = post(student, "/api/runs", {"scenario": edited})
    assert refused.status_code == 403 and "locked" in refused.json()["error"]
    assert post(student, "/api/runs", {"scenario": quick_spec()}).status_code == 201


def test_the_code_stops_working_when_the_class_ends(teacher, student, other_student):
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    assert post(teacher, f"/api/classrooms/{code}/end").status_code == 200
    assert post(other_student, f"/api/classrooms/{code}/join", {"name": "Sue"}).status_code == 404
    assert student.get(f"/api/classrooms/{code}").status_code == 404
    assert Classroom.objects.get(code=code).ended is not None
    assert teacher.get(f"/api/classrooms/{code}/results").status_code == 200  # the teacher keeps the record


def test_the_question_may_come_from_the_form_of_the_choices(teacher):
    code = open_class(teacher)["code"]
    bad = post(teacher, f"/api/classrooms/{code}/activities",
               {"scenario": "bank-withdraw-race", "mode": "predict", "question": {"text": "?", "choices": ["one"]}})
    assert bad.status_code == 400
    assert push(teacher, code, question=QUESTION)["question"]["choices"] == QUESTION["choices"]


def test_password_reset_pages_and_the_admin_are_there(teacher):
    page = Client().get("/accounts/password_reset/")
    assert page.status_code == 200 and b"Reset your password" in page.content
    assert Client().get("/admin/").status_code == 302  # to the admin's sign-in
