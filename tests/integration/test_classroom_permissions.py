"""Who may do what in a class, each rule with its refusal. The cast: Tess teaches the
class, Theo teaches another, Sam and Sue are students, Ada is signed in but no teacher,
a visitor has nothing. Another teacher (or anyone) asking about a class that is not
theirs gets 404, as for a code that does not exist: codes do not leak. A student of
the class asking for a teacher's action gets 403."""

import asyncio

import pytest
from django.test import Client

from playground.classroom.seats import cookie_name

from .classroom_helpers import connected, join, open_class, patch, post, push, quick_spec, refused
from .helpers import WAIT, run_async

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_worker_takes_the_runs(monkeypatch):
    from playground.runs import actions

    monkeypatch.setattr(actions, "enqueue", lambda run: True)


@pytest.fixture
def room(teacher, student, other_student):
    code = open_class(teacher)["code"]
    sam = join(student, code, "Sam")["seat"]
    sue = join(other_student, code, "Sue")["seat"]
    activity = push(teacher, code, scenario=quick_spec(), mode="predict")["id"]
    return {"code": code, "sam": sam, "sue": sue, "activity": activity}


def teacher_actions(room):
    code, activity, sam = room["code"], room["activity"], room["sam"]
    return {
        "push": lambda c: post(c, f"/api/classrooms/{code}/activities",
                               {"scenario": quick_spec(), "mode": "run", "editing": "open"}),
        "lock": lambda c: patch(c, f"/api/classrooms/{code}/activities/{activity}", {"editing": "open"}),
        "vote": lambda c: post(c, f"/api/classrooms/{code}/votes", {"activity": activity, "vote": 2}),
        "reveal": lambda c: post(c, f"/api/classrooms/{code}/reveal", {"activity": activity}),
        "explore": lambda c: post(c, f"/api/classrooms/{code}/explore", {"activity": activity}),
        "spotlight": lambda c: post(c, f"/api/classrooms/{code}/spotlight", {"run": None}),
        "rename": lambda c: patch(c, f"/api/classrooms/{code}/students/{sam}", {"name": "X"}),
        "remove": lambda c: c.delete(f"/api/classrooms/{code}/students/{sam}"),
        "export": lambda c: c.get(f"/api/classrooms/{code}/results?format=csv"),
        "qr": lambda c: c.get(f"/api/classrooms/{code}/qr.svg"),
        "end": lambda c: post(c, f"/api/classrooms/{code}/end"),
    }


@pytest.mark.parametrize("action", ["push", "lock", "vote", "reveal", "explore", "spotlight", "rename", "remove",
                                    "export", "qr", "end"])
def test_a_student_calling_a_teacher_action_is_refused_403(room, student, action):
    response = teacher_actions(room)[action](student)
    assert response.status_code == 403, response.content
    assert response.json()["error"].startswith("only the class's teacher may")


@pytest.mark.parametrize("action", ["push", "lock", "vote", "reveal", "explore", "spotlight", "rename", "remove",
                                    "export", "qr", "end"])
def test_a_second_teacher_guessing_the_code_sees_nothing_404(room, other_teacher, ada, visitor, action):
    for outsider in (other_teacher, ada, visitor):
        response = teacher_actions(room)[action](outsider)
        assert response.status_code == 404, (action, response.content)
        assert response.json()["error"] == "no such classroom"
    for outsider in (other_teacher, ada, visitor):
        assert outsider.get(f"/api/classrooms/{room['code']}").status_code == 404


def test_the_same_404_as_a_code_that_does_not_exist(other_teacher):
    assert other_teacher.get("/api/classrooms/XXXXXX").json() == {
        "error": "no such classroom", "errors": [{"path": "", "message": "no such classroom"}]}


def test_only_teachers_open_classes(ada, visitor):
    assert post(ada, "/api/classrooms", {"title": "mine"}).status_code == 403
    assert post(visitor, "/api/classrooms", {"title": "mine"}).status_code == 401


def test_a_student_forging_another_students_token_is_refused(room, student, other_student):
    code = room["code"]
    forger = Client()
    # Sue's seat id with Sam's signature, Sam's value re-signed with another salt, garbage.
    sam_cookie = student.cookies[cookie_name(code)].value
    from django.core import signing

    tampered = sam_cookie.replace(f"{room['sam']}:", f"{room['sue']}:", 1)
    foreign = signing.get_cookie_signer(salt="another-class").sign(f"{room['sue']}:whatever")
    for value in (tampered, foreign, "garbage"):
        forger.cookies[cookie_name(code)] = value
        assert forger.get(f"/api/classrooms/{code}").status_code == 404
        answer = post(forger, f"/api/classrooms/{code}/answers", {"activity": room["activity"], "answer": "x"})
        assert answer.status_code == 403
        assert run_async(refused(forger, code)) == 4404


def test_a_student_sees_only_their_own_seat_and_runs(room, student, other_student):
    post(other_student, "/api/runs", {"scenario": quick_spec()})
    view = student.get(f"/api/classrooms/{room['code']}").json()
    assert "students" not in view and "gallery" not in view
    assert view["seat"]["id"] == room["sam"] and view["seat"]["runs"] == []


def test_a_removed_student_is_refused_everywhere_and_their_socket_closes(room, teacher, student):
    code = room["code"]

    async def removed_while_connected():
        comm, _ = await connected(student, code)
        await asyncio.to_thread(teacher.delete, f"/api/classrooms/{code}/students/{room['sam']}")
        said = await comm.receive_json_from(timeout=WAIT)
        closed = await comm.receive_output(timeout=WAIT)
        await comm.disconnect()
        return said, closed

    said, closed = run_async(removed_while_connected())
    assert said["type"] == "removed" and closed == {"type": "websocket.close", "code": 4403}
    assert student.get(f"/api/classrooms/{code}").status_code == 403
    assert post(student, f"/api/classrooms/{code}/answers", {"activity": room["activity"], "answer": "3"}).status_code == 403
    assert post(student, "/api/runs", {"scenario": quick_spec()}).status_code == 403
    assert post(student, f"/api/classrooms/{code}/join", {"name": "Sam again"}).status_code == 403
    assert run_async(refused(student, code)) == 4403  # reconnecting


def test_the_screen_socket_and_page_are_the_teachers_only(room, teacher, student, other_teacher):
    code = room["code"]
    assert run_async(refused(student, code, screen=True)) == 4403
    assert run_async(refused(other_teacher, code, screen=True)) == 4404
    assert run_async(refused(Client(), code)) == 4404
    assert teacher.get(f"/classrooms/{code}/screen").status_code == 200
    assert other_teacher.get(f"/classrooms/{code}/screen").status_code == 404
    assert Client().get(f"/classrooms/{code}/screen").status_code == 302  # to sign in


def test_a_teachers_unsafe_request_without_the_csrf_token_is_refused(room):
    from django.contrib.auth.models import User

    careful = Client(enforce_csrf_checks=True)
    careful.force_login(User.objects.get(username="tess"))
    response = post(careful, f"/api/classrooms/{room['code']}/end")
    assert response.status_code == 403 and "CSRF" in response.json()["error"]


def test_a_student_cannot_spotlight_and_the_teacher_only_spotlights_runs_of_the_class(room, teacher, ada):
    stranger_run = post(ada, "/api/runs", {"scenario": quick_spec()}).json()["id"]
    response = post(teacher, f"/api/classrooms/{room['code']}/spotlight", {"run": stranger_run})
    assert response.status_code == 404
