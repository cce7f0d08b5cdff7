"""Break/fix grading per seat: POST /api/classrooms/<code>/checks judges the current
activity's challenge with the checker of POST /api/checks — a prediction by its answer, a
break by one of the seat's own runs, a fix by exploring the edited spec in the sandbox —
and keeps the answer on the seat, where the dashboard and the export show it."""

import pytest

from tests.unit import challenge_cases as cases

from .classroom_helpers import join, open_class, patch, post, push
from .helpers import FINAL, post_run, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

LOST = ["bank/P1", "bank/P1", "bank/P2", "bank/P2", "bank/P1", "bank/P2", "bank/P1", "bank/P2"]


@pytest.fixture(autouse=True)
def library():
    from playground.scenarios.loader import load_library

    load_library()


def check(client, code, body):
    return post(client, f"/api/classrooms/{code}/checks", body)


def seat_of(teacher, code, name):
    students = teacher.get(f"/api/classrooms/{code}").json()["students"]
    return next(s for s in students if s["name"] == name)


def finished(client, body):
    run = post_run(client, body)
    return wait_for(lambda: (r := client.get(f"/api/runs/{run['id']}").json())["status"] in FINAL and r,
                    what="the run to finish")


def test_a_prediction_is_checked_and_kept_on_the_seat(teacher, student, other_student):
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    join(other_student, code, "Sue")
    activity = push(teacher, code, mode="predict", question=None, challenge="both-succeed")["id"]
    right = check(student, code, {"activity": activity, "answer": "yes"})
    assert right.status_code == 200, right.content
    assert right.json()["passed"] is True and right.json()["challenge"] == "both-succeed"
    wrong = check(other_student, code, {"activity": activity, "answer": "no"}).json()
    assert wrong["passed"] is False and wrong["message"]
    sam, sue = seat_of(teacher, code, "Sam"), seat_of(teacher, code, "Sue")
    assert sam["challenge"]["source"] == "check" and sam["challenge"]["passed"] is True
    assert sue["challenge"]["passed"] is False and sue["challenge"]["message"] == wrong["message"]
    # The student sees their own result; the export has it.
    assert student.get(f"/api/classrooms/{code}").json()["seat"]["challenge"]["passed"] is True
    rows = {r["name"]: r for r in teacher.get(f"/api/classrooms/{code}/results").json()["rows"]}
    assert rows["Sam"]["challenge_passed"] is True and rows["Sue"]["challenge_passed"] is False


def test_a_fix_is_explored_and_refused_while_the_code_is_locked(teacher, student):
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    activity = push(teacher, code, mode="fix", question=None, challenge="with-a-lock")["id"]
    fixed = cases.reference("bank-withdraw-race", "with-a-lock")
    locked = check(student, code, {"activity": activity, "spec": fixed})
    assert locked.status_code == 403 and "locked" in locked.json()["error"]
    patch(teacher, f"/api/classrooms/{code}/activities/{activity}", {"editing": "open"})
    still_broken = check(student, code, {"activity": activity, "spec": cases.lesson("bank-withdraw-race")}).json()
    assert still_broken["passed"] is False and still_broken["witness"]["schedule"]
    assert seat_of(teacher, code, "Sam")["challenge"]["passed"] is False
    result = check(student, code, {"activity": activity, "spec": fixed})
    assert result.status_code == 200, result.content
    assert result.json()["passed"] is True and result.json()["kind"] == "fix"
    shown = seat_of(teacher, code, "Sam")["challenge"]
    assert shown["passed"] is True and shown["challenge"] == "with-a-lock" and shown["message"]


def test_a_break_is_judged_on_the_seats_own_run_only(teacher, student, other_student, visitor, worker):
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    join(other_student, code, "Sue")
    activity = push(teacher, code, mode="break", question=None, challenge="lost-update")["id"]
    mine = finished(student, {"scenario": "bank-withdraw-race", "mode": "replay", "schedule": LOST})
    result = check(student, code, {"activity": activity, "run": mine["id"]})
    assert result.status_code == 200, result.content
    assert result.json()["passed"] is True, result.json()["message"]
    assert seat_of(teacher, code, "Sam")["challenge"] == {**seat_of(teacher, code, "Sam")["challenge"],
                                                          "passed": True, "run": mine["id"], "kind": "break"}
    # Sue cannot hand in Sam's run, nor a run made outside the class.
    assert check(other_student, code, {"activity": activity, "run": mine["id"]}).status_code == 404
    elsewhere = finished(visitor, {"scenario": "bank-withdraw-race", "mode": "replay", "schedule": LOST})
    assert check(other_student, code, {"activity": activity, "run": elsewhere["id"]}).status_code == 404
    assert seat_of(teacher, code, "Sue")["challenge"] is None


def test_who_may_check_what(teacher, other_teacher, student, visitor):
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    first = push(teacher, code, mode="run", question=None)["id"]
    # No challenge on the activity and none named; a challenge the scenario lacks.
    assert check(student, code, {"activity": first, "answer": "yes"}).status_code == 400
    assert check(student, code, {"activity": first, "challenge": "no-such", "answer": "yes"}).status_code == 404
    # Another challenge of the activity's scenario may be named.
    named = check(student, code, {"activity": first, "challenge": "both-succeed", "answer": "yes"})
    assert named.status_code == 200 and named.json()["passed"] is True
    second = push(teacher, code, mode="predict", question=None, challenge="both-succeed")["id"]
    assert check(student, code, {"activity": first, "answer": "yes"}).status_code == 409  # not current
    # The teacher, another teacher and a visitor have no seat.
    for outsider in (teacher, other_teacher, visitor):
        assert check(outsider, code, {"activity": second, "answer": "yes"}).status_code == 403
    post(teacher, f"/api/classrooms/{code}/end")
    assert check(student, code, {"activity": second, "answer": "yes"}).status_code == 404
