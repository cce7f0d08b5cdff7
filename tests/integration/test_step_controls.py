"""Controls sent over the WebSocket reach the run: a step-mode run advances one
step per click and ends when the clicks have taken it to the end."""

import pytest

from playground.runs.actions import CONTROL_TYPES

from .helpers import FINAL, connect, post_run, run_async, spec

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_step_sent_over_the_websocket_advances_the_run_by_one_step(client, worker):
    code = "clock = clock + 1\nclock = clock + 1\n"
    created = post_run(client, {"scenario": spec("two-ticks", [("T", code)], shared={"clock": 0}, mode="step")})

    async def click_through():
        # Click only when the run says it waits for the learner (`step.ready`): a click
        # before the worker listens would be refused, and the test would race the worker.
        comm = await connect(created["id"])
        events, clicks, waiting = [], 0, False
        try:
            while True:
                if waiting:
                    await comm.send_json_to({"type": "step", "thread": "box/T"})
                    clicks += 1
                    waiting = False
                    assert clicks < 100, "the run never finished"
                message = await comm.receive_json_from(timeout=90)
                if message["type"] == "events":
                    events.extend(message["events"])
                    waiting = any(e["kind"] == "step.ready" for e in message["events"])
                elif message["type"] == "status" and message["status"] in FINAL:
                    return events, clicks, message["status"]
                elif message["type"] == "error":
                    raise AssertionError(f"a click was refused: {message}")
        finally:
            await comm.disconnect()

    events, clicks, status = run_async(click_through())
    steps = [e for e in events if e["kind"] == "step"]
    assert status == "completed"
    assert events[-1]["shared"]["box"]["clock"] == 2
    assert len(steps) >= 2
    assert all(step["thread"] == "box/T" for step in steps)
    assert [s["index"] for s in steps] == list(range(1, len(steps) + 1))


def test_an_unknown_control_is_answered_with_the_allowed_ones(client, worker):
    created = post_run(client, {"scenario": spec("idle", [("T", "pass\n")])})

    async def send_nonsense():
        comm = await connect(created["id"])
        error = None
        try:
            await comm.send_json_to({"type": "explode"})
            while True:  # to the end of the run, so that nothing outlives the test
                message = await comm.receive_json_from(timeout=90)
                if message["type"] == "error":
                    error = message
                elif message["type"] == "status" and message["status"] in FINAL and error:
                    return error, message["status"]
        finally:
            await comm.disconnect()

    error, status = run_async(send_nonsense())
    assert error["message"] == "unknown message type 'explode'"
    assert error["allowed"] == sorted(CONTROL_TYPES)
    assert {"step", "deliver", "fault", "cancel"} <= set(error["allowed"])
    assert status == "completed"
