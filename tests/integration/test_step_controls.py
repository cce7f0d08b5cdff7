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
        comm = await connect(created["id"])
        events, clicks = [], 0
        try:
            while True:
                await comm.send_json_to({"type": "step", "thread": "box/T"})
                clicks += 1
                assert clicks < 100, "the run never finished"
                while True:  # each click is answered by its `step` event (or the end)
                    message = await comm.receive_json_from(timeout=90)
                    if message["type"] == "events":
                        events.extend(message["events"])
                        kinds = [e["kind"] for e in message["events"]]
                        if "step" in kinds or "run.finished" in kinds:
                            break
                    elif message["type"] == "status" and message["status"] in FINAL:
                        return events, clicks, message["status"]
                    elif message["type"] == "error":
                        # A click before the worker listens is refused, not lost silently.
                        assert message["message"] == "the run is not running"
                        break
                if events and events[-1]["kind"] == "run.finished":
                    while True:
                        message = await comm.receive_json_from(timeout=90)
                        if message["type"] == "status" and message["status"] in FINAL:
                            return events, clicks, message["status"]
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
