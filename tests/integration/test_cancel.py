"""Cancelling stops a run: over the WebSocket, over HTTP, and before it starts."""

import json

import pytest

from playground.engine.spec import validate
from playground.runs.models import Run

from .helpers import collect_until_final, post_run, run_async, slow_spec, wait_for, watch_to_end
from .sessions import connect_as

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_run_cancelled_over_the_websocket_stops_as_cancelled(client, worker):
    # Left alone this run would take about 100 seconds.
    created = post_run(client, {"scenario": slow_spec(ticks=5000, pause=0.02)})

    async def watch_and_cancel():
        comm = await connect_as(client, created["id"])  # the run's owner: its browser session
        events = []
        try:
            while not events:
                message = await comm.receive_json_from(timeout=90)
                if message["type"] == "events":
                    events.extend(message["events"])
            await comm.send_json_to({"type": "cancel"})
            return await collect_until_final(comm, events)
        finally:
            await comm.disconnect()

    events, status = run_async(watch_and_cancel())
    assert status == "cancelled"
    assert events[-1]["kind"] == "run.finished"
    assert events[-1]["status"] == "cancelled"
    assert events[-1]["shared"]["box"]["clock"] < 5000
    assert Run.objects.get(id=created["id"]).status == "cancelled"


def test_a_run_cancelled_over_http_stops_as_cancelled(client, worker):
    created = post_run(client, {"scenario": slow_spec(ticks=5000, pause=0.02)})
    wait_for(lambda: Run.objects.get(id=created["id"]).events.exists(), what="the run to start")

    response = client.post(f"/api/runs/{created['id']}/cancel")
    assert response.status_code == 202
    assert response.json()["cancel_requested"] is True

    wait_for(lambda: Run.objects.get(id=created["id"]).status == "cancelled", what="the run to stop")
    assert client.get(f"/api/runs/{created['id']}").json()["result"]["status"] == "cancelled"
    again = client.post(f"/api/runs/{created['id']}/cancel")
    assert again.status_code == 200
    assert again.json()["status"] == "cancelled"


def test_a_queued_run_is_cancelled_at_once_and_never_executes(client, transactional_db):
    # Created without enqueueing it, so that no worker can take it first; this client's
    # browser session owns it (only its owner may cancel it).
    session = client.session
    session["visitor"] = True
    session.save()
    client.cookies["sessionid"] = session.session_key
    run = Run.objects.create(spec=validate(slow_spec()), mode="free", scenario="slow-clock",
                             visitor=session.session_key)
    created = {"id": str(run.id)}
    response = client.post(f"/api/runs/{created['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"

    from playground.runs.tasks import execute_run

    assert execute_run(created["id"]) == "skipped"
    assert not Run.objects.get(id=created["id"]).events.exists()


def test_cancelling_a_finished_run_is_a_conflict(client, worker):
    created = post_run(client, {"scenario": slow_spec(ticks=1, pause=0)})

    _, status = watch_to_end(created["id"])
    assert status == "completed"
    response = client.post(f"/api/runs/{created['id']}/cancel")
    assert response.status_code == 409
    assert "already ended" in json.loads(response.content)["error"]
