"""A client that drops mid-run and comes back with `after` misses nothing and sees
nothing twice."""

import pytest

from playground.runs.models import Run

from .helpers import FINAL, collect_until_final, connect, post_run, run_async, seqs, slow_spec, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_client_that_reconnects_with_after_gets_every_event_exactly_once(client, worker):
    created = post_run(client, {"scenario": slow_spec(ticks=60, pause=0.03)})

    async def first_visit():
        comm = await connect(created["id"])
        events = []
        try:
            while len(events) < 10:
                message = await comm.receive_json_from(timeout=90)
                if message["type"] == "events":
                    events.extend(message["events"])
        finally:
            await comm.disconnect()
        return events

    async def second_visit(after):
        comm = await connect(created["id"], after=after)
        try:
            return await collect_until_final(comm)
        finally:
            await comm.disconnect()

    before = run_async(first_visit())
    # The point of the test: the first client left while the run was still going.
    assert "run.finished" not in [e["kind"] for e in before]
    assert Run.objects.get(id=created["id"]).status not in FINAL
    after, status = run_async(second_visit(before[-1]["seq"]))

    assert status == "completed"
    everything = before + after
    assert seqs(everything) == list(range(1, len(everything) + 1))
    assert everything[-1]["kind"] == "run.finished"
    assert everything[-1]["shared"]["box"]["clock"] == 60


def test_a_bad_after_cursor_is_refused_with_a_reason(client, worker):
    created = post_run(client, {"scenario": slow_spec(ticks=1, pause=0)})

    async def visit():
        from .helpers import communicator

        comm = communicator(created["id"], after="-3")
        await comm.connect(timeout=30)
        message = await comm.receive_json_from(timeout=30)
        closed = await comm.receive_output(timeout=30)
        await comm.disconnect()
        return message, closed

    message, closed = run_async(visit())
    assert message["type"] == "error"
    assert closed == {"type": "websocket.close", "code": 4400}
    wait_for(lambda: Run.objects.get(id=created["id"]).status in FINAL, what="the run to end")


def test_a_socket_for_an_unknown_run_is_closed_as_not_found(transactional_db):
    async def visit():
        from .helpers import communicator

        comm = communicator("00000000-0000-4000-8000-000000000000")
        await comm.connect(timeout=30)
        message = await comm.receive_json_from(timeout=30)
        closed = await comm.receive_output(timeout=30)
        await comm.disconnect()
        return message, closed

    message, closed = run_async(visit())
    assert message == {"type": "error", "message": "no such run"}
    assert closed["code"] == 4404
