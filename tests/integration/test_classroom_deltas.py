"""The teacher's dashboard socket opened with `?deltas=1` (the teacher page's): after the
whole state, each flush brings a `seats` message holding only the seats that changed (a
new seat added, a removed one named in `removed`) and the class's summary when it changed.
The page's state after the deltas equals a fresh whole dashboard (GET /api/classrooms/<code>)."""

import asyncio
import time

import pytest

from playground.scenarios.loader import load_library

from .classroom_helpers import QUESTION, connected, join, open_class, post, push, quick_spec
from .helpers import WAIT, run_async

pytestmark = pytest.mark.django_db(transaction=True)
DASHBOARD = ("students", "activity", "outcomes", "gallery")


def apply_seats(page, message):
    """What frontend/src/classroom/dashboardModel.ts applySeats does, for the test's page."""
    gone = set(message.get("removed", []))
    changed = {s["id"]: s for s in message["students"]}
    students = [changed.pop(s["id"], s) for s in page["students"] if s["id"] not in gone]
    added = [s for s in changed.values() if s["id"] not in gone]
    students = students + added if not added else sorted(students + added, key=lambda s: (s["joined"], s["id"]))
    page = {**page, "students": students}
    summary = message.get("summary")
    if summary:
        page.update(outcomes=summary["outcomes"], gallery=summary["gallery"])
        if page["activity"] and summary["activity"] and summary["activity"]["id"] == page["activity"]["id"]:
            page["activity"] = {**page["activity"], **{k: summary["activity"][k] for k in ("tallies", "shift",
                                                                                          "exploration")}}
    return page


class Board:
    """The teacher's delta socket and the page it keeps, as the teacher page does."""

    def __init__(self, comm, first):
        self.comm, self.page, self.messages = comm, first["dashboard"], []

    async def until(self, done):
        """Apply messages until `done(page, message)`; returns that message."""
        deadline = time.monotonic() + WAIT
        while True:
            message = await self.comm.receive_json_from(timeout=WAIT)
            self.messages.append(message)
            if message["type"] in ("dashboard", "state"):
                self.page = message["dashboard"]
            elif message["type"] == "seats":
                self.page = apply_seats(self.page, message)
            if done(self.page, message):
                return message
            assert time.monotonic() < deadline, self.messages

    def seat(self, name):
        return next((s for s in self.page["students"] if s["name"] == name), None)


def fresh(teacher, code):
    whole = teacher.get(f"/api/classrooms/{code}").json()
    return {key: whole[key] for key in DASHBOARD}


def test_a_changed_seat_reaches_the_teacher_as_a_delta_of_that_seat_only(teacher, student, other_student):
    code = open_class(teacher)["code"]
    activity = push(teacher, code, quick_spec(), "predict", QUESTION)["id"]

    async def flow():
        comm, first = await connected(teacher, code, query="?deltas=1")
        assert first["dashboard"]["students"] == []
        board = Board(comm, first)
        sam = (await asyncio.to_thread(join, student, code, "Sam"))["seat"]
        sue = (await asyncio.to_thread(join, other_student, code, "Sue"))["seat"]
        # Seats the page did not know are added, in joining order.
        await board.until(lambda page, _: [s["id"] for s in page["students"]] == [sam, sue])
        assert all(m["type"] == "seats" for m in board.messages)

        await asyncio.to_thread(post, student, f"/api/classrooms/{code}/answers", {"activity": activity, "answer": "3"})
        answered = await board.until(lambda page, _: board.seat("Sam")["answers"] == {"1": "3"})
        assert answered["type"] == "seats"
        assert [s["id"] for s in answered["students"]] == [sam] and answered["removed"] == []
        assert answered["summary"]["activity"]["tallies"][0]["total"] == 1
        assert {key: board.page[key] for key in DASHBOARD} == await asyncio.to_thread(fresh, teacher, code)

        await asyncio.to_thread(post, other_student, f"/api/classrooms/{code}/answers",
                                {"activity": activity, "answer": "2"})
        await board.until(lambda page, _: board.seat("Sue")["answers"] == {"1": "2"})
        assert (await asyncio.to_thread(teacher.delete, f"/api/classrooms/{code}/students/{sue}")).status_code == 204
        removed = await board.until(lambda page, _: board.seat("Sue") is None)
        assert removed["type"] == "seats" and removed["removed"] == [sue] and removed["students"] == []
        assert removed["summary"]["activity"]["tallies"][0]["total"] == 1  # Sue's answer left with her
        page = {key: board.page[key] for key in DASHBOARD}

        await comm.send_json_to({"type": "refresh"})
        again = await board.until(lambda page, message: message["type"] == "state")
        await comm.disconnect()
        return page, again, board.messages

    page, again, messages = run_async(flow())
    assert page == fresh(teacher, code)
    assert {key: again["dashboard"][key] for key in DASHBOARD} == page
    assert not any(m["type"] == "dashboard" for m in messages)  # nothing but deltas while the activity stayed


def test_the_deltas_follow_a_real_run_and_end_equal_to_a_fresh_dashboard(worker, teacher, student, other_student):
    load_library()
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    join(other_student, code, "Sue")
    push(teacher, code, quick_spec(), "run", None)

    async def flow():
        comm, first = await connected(teacher, code, query="?deltas=1")
        board = Board(comm, first)
        page, _ = await connected(student, code)  # a student's socket: presence
        await board.until(lambda _, __: board.seat("Sam")["connected"])
        start = len(board.messages)  # the joins' flush, if it came at all, is before this
        run = (await asyncio.to_thread(post, student, "/api/runs", {"scenario": quick_spec()})).json()["id"]
        await board.until(lambda _, __: (board.seat("Sam")["run"] or {}).get("id") == run
                          and board.seat("Sam")["status"] not in ("running", "idle") and board.page["gallery"])
        sizes = [len(m["students"]) for m in board.messages[start:] if m["type"] == "seats"]
        await page.disconnect()
        await board.until(lambda _, __: not board.seat("Sam")["connected"])
        await comm.disconnect()
        return board, sizes

    board, sizes = run_async(flow())
    assert max(sizes) == 1  # Sue never changed: no message carried her
    sam = board.seat("Sam")
    assert sam["status"] == "completed" and board.page["gallery"][0]["students"] == [sam["id"]]
    assert board.page["outcomes"][0]["count"] == 1
    assert {key: board.page[key] for key in DASHBOARD} == fresh(teacher, code)


def test_a_seat_whose_run_changed_is_in_the_next_delta_even_before_its_mark(teacher, student, other_student):
    from django.utils import timezone

    from playground.classroom import board
    from playground.classroom.models import Classroom, SeatRun
    from playground.runs.models import Run

    code = open_class(teacher)["code"]
    sam = join(student, code, "Sam")["seat"]
    join(other_student, code, "Sue")
    push(teacher, code, quick_spec(), "run", None)
    classroom = Classroom.objects.select_related("activity").get(code=code, ended__isnull=True)
    first, seen = board.update(classroom, [], None)
    assert first[0]["type"] == "dashboard"
    run = Run.objects.create(status="completed", finished=timezone.now(), result={"status": "completed",
                                                                                   "shared": {"box": {"x": 3}}})
    SeatRun.objects.create(run=run, seat_id=sam, activity=classroom.activity)
    # No seat marked (a busy worker's flush still on its way): the runs read anyway tell.
    messages, seen = board.update(classroom, [], seen)
    assert [m["type"] for m in messages] == ["seats"]
    assert [s["id"] for s in messages[0]["students"]] == [sam]
    assert messages[0]["students"][0]["run"]["id"] == str(run.id)
    assert messages[0]["summary"]["gallery"][0]["students"] == [sam]
    assert board.update(classroom, [], seen)[0] == []  # nothing changed since: nothing to send
