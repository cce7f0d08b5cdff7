"""The classroom's WebSockets: a push reaches every student at once; the projector sees
nothing of the votes before the reveal; the dashboard follows presence, answers and a
real run (batched: a few updates a second, not one per event)."""

import asyncio
import time

import pytest

from playground.scenarios.loader import load_library

from .classroom_helpers import QUESTION, connected, join, open_class, post, push, quick_spec, receive_until
from .helpers import WAIT, run_async

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_push_reaches_every_student_socket(teacher, student, other_student):
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    join(other_student, code, "Sue")

    async def flow():
        sockets = [(await connected(client, code))[0] for client in (student, other_student)]
        pushed = await asyncio.to_thread(push, teacher, code, quick_spec(), "predict", QUESTION)
        got = [await receive_until(comm, "activity") for comm in sockets]
        for comm in sockets:
            await comm.disconnect()
        return pushed, got

    pushed, got = run_async(flow())
    for message, _ in got:
        assert message["activity"]["id"] == pushed["id"]
        assert message["activity"]["question"] == QUESTION
        assert "tallies" not in message["activity"]


def test_the_screen_gets_no_votes_before_the_reveal(teacher, student, other_student):
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    join(other_student, code, "Sue")
    activity = push(teacher, code, quick_spec())["id"]

    async def flow():
        screen, first = await connected(teacher, code, screen=True)
        assert first["screen"]["revealed"] is None
        for client, answer in ((student, "3"), (other_student, "2")):
            response = await asyncio.to_thread(post, client, f"/api/classrooms/{code}/answers",
                                               {"activity": activity, "answer": answer})
            assert response.status_code == 200
        await asyncio.sleep(1.0)  # past several flushes: anything sent to the screen would be here
        before = []
        while not await screen.receive_nothing(timeout=0.2):
            before.append(await screen.receive_json_from())
        await asyncio.to_thread(post, teacher, f"/api/classrooms/{code}/reveal", {"activity": activity})
        reveal, _ = await receive_until(screen, "reveal")
        await screen.disconnect()
        return before, reveal

    before, reveal = run_async(flow())
    assert before == []  # neither answers nor a dashboard reach the projector
    tally = reveal["reveal"]["tallies"][0]
    assert tally["total"] == 2 and {c["answer"]: c["count"] for c in tally["counts"]}["2"] == 1


def test_the_dashboard_follows_presence_answers_and_a_real_run_in_batches(worker, teacher, student):
    load_library()
    code = open_class(teacher)["code"]
    join(student, code, "Sam")
    activity = push(teacher, code, quick_spec(), "predict", QUESTION)["id"]

    async def flow():
        board, first = await connected(teacher, code)
        assert first["dashboard"]["students"][0]["connected"] is False
        page, _ = await connected(student, code)
        message, _ = await receive_until(board, "dashboard")
        while not message["dashboard"]["students"][0]["connected"]:
            message, _ = await receive_until(board, "dashboard")
        await asyncio.to_thread(post, student, f"/api/classrooms/{code}/answers", {"activity": activity, "answer": "3"})
        run = (await asyncio.to_thread(post, student, "/api/runs", {"scenario": quick_spec()})).json()["id"]
        started, stamps = time.monotonic(), []
        while True:
            message, _ = await receive_until(board, "dashboard")
            stamps.append(time.monotonic())
            sam = message["dashboard"]["students"][0]
            if sam["run"] and sam["run"]["id"] == run and sam["status"] not in ("running", "idle"):
                break
            assert time.monotonic() - started < WAIT
        seat, _ = await receive_until(page, "seat")
        await page.disconnect()
        await board.disconnect()
        return message["dashboard"], stamps, seat

    dashboard, stamps, seat = run_async(flow())
    sam = dashboard["students"][0]
    assert sam["answers"] == {"1": "3"} and sam["status"] == "completed"
    assert dashboard["gallery"][0]["count"] == 1 and dashboard["gallery"][0]["run"] == sam["run"]["id"]
    assert dashboard["outcomes"][0]["count"] == 1
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert all(gap >= 0.2 for gap in gaps), gaps  # at most one dashboard per flush period
    assert seat["seat"]["id"] == sam["id"]


def test_a_student_reconnecting_gets_the_same_seat_and_the_current_activity(teacher, student):
    code = open_class(teacher)["code"]
    seat = join(student, code, "Sam")["seat"]
    activity = push(teacher, code, quick_spec())["id"]

    async def twice():
        seen = []
        for _ in range(2):
            comm, first = await connected(student, code)
            seen.append(first["student"])
            await comm.disconnect()
        return seen

    for view in run_async(twice()):
        assert view["seat"]["id"] == seat and view["activity"]["id"] == activity


def test_ending_the_class_closes_every_socket(teacher, student):
    code = open_class(teacher)["code"]
    join(student, code, "Sam")

    async def flow():
        page, _ = await connected(student, code)
        screen, _ = await connected(teacher, code, screen=True)
        await asyncio.to_thread(post, teacher, f"/api/classrooms/{code}/end")
        closes = []
        for comm in (page, screen):
            await receive_until(comm, "ended")
            closes.append((await comm.receive_output(timeout=WAIT))["code"])
            await comm.disconnect()
        return closes

    assert run_async(flow()) == [4410, 4410]
