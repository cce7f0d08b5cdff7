"""Runs belong to whoever started them: an account, or a visitor's browser session.
Anyone with a run's id may read it (a share link); only its owner lists, cancels and
deletes it, over HTTP and over the WebSocket. And who may open a WebSocket at all: a
client without an Origin header (a script) may, a page from another origin may not.

The cast: Ada and Bob have accounts; two visitors are two browser sessions."""

import json

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from playground.runs.models import Run

from .helpers import WAIT, counter_spec, run_async
from .sessions import connect_as

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_worker_takes_the_runs(monkeypatch):
    """Runs stay queued: what is tested is who may act on them, not how they run."""
    from playground.runs import actions

    monkeypatch.setattr(actions, "enqueue", lambda run: True)


def start(client):
    """A run the client starts (it stays queued: see no_worker_takes_the_runs)."""
    response = client.post("/api/runs", json.dumps({"scenario": counter_spec(5)}), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def listed(client):
    response = client.get("/api/runs")
    assert response.status_code == 200
    return {run["id"] for run in response.json()}


@pytest.mark.parametrize("owner", ["ada", "visitor"])
def test_only_the_owner_lists_a_run_and_anyone_with_its_id_reads_it(cast, owner):
    run_id = start(cast[owner])

    for name, client in cast.items():
        assert (run_id in listed(client)) == (name == owner), name
        assert client.get(f"/api/runs/{run_id}").status_code == 200, name  # like a share link
        assert client.get(f"/api/runs/{run_id}/events").status_code == 200, name


@pytest.mark.parametrize("owner", ["ada", "visitor"])
def test_nobody_but_the_owner_cancels_or_deletes_a_run(cast, owner):
    run_id = start(cast[owner])

    for name, client in cast.items():
        if name == owner:
            continue
        cancel = client.post(f"/api/runs/{run_id}/cancel")
        assert cancel.status_code == 403, name
        assert cancel.json()["error"].startswith("only the person (or browser session) that started this run")
        assert client.delete(f"/api/runs/{run_id}").status_code == 403, name
    assert Run.objects.get(id=run_id).status == "queued"

    assert cast[owner].post(f"/api/runs/{run_id}/cancel").json()["status"] == "cancelled"
    assert cast[owner].delete(f"/api/runs/{run_id}").status_code == 204


def test_a_visitor_with_no_session_yet_lists_nothing(cast):
    start(cast["visitor"])
    assert listed(Client()) == set()


async def cancel_over_websocket(client, run_id):
    """Send `cancel` as `client` (its cookies on the handshake); what the server answered."""
    comm = await connect_as(client, run_id)
    try:
        await comm.receive_json_from(timeout=WAIT)  # the run's current status
        await comm.send_json_to({"type": "cancel"})
        return await comm.receive_json_from(timeout=WAIT)
    finally:
        await comm.disconnect()


@pytest.mark.parametrize("owner, stranger", [("ada", "bob"), ("ada", "visitor"), ("visitor", "other_visitor"),
                                             ("visitor", "ada")])
def test_a_stranger_cannot_cancel_a_run_over_the_websocket(cast, owner, stranger):
    run_id = start(cast[owner])

    answer = run_async(cancel_over_websocket(cast[stranger], run_id))

    assert answer["type"] == "error" and "may cancel it" in answer["message"]
    assert Run.objects.get(id=run_id).status == "queued"
    answer = run_async(cancel_over_websocket(cast[owner], run_id))
    assert answer == {"type": "status", "status": "cancelled", "error": "cancelled before it started"}
    assert Run.objects.get(id=run_id).status == "cancelled"


# --- who may open a WebSocket ------------------------------------------------------------

async def handshake(headers):
    from playground.asgi import application

    comm = WebsocketCommunicator(application, "/ws/runs/00000000-0000-4000-8000-000000000000/", headers=headers)
    connected, _ = await comm.connect(timeout=WAIT)
    await comm.disconnect()
    return connected


def test_a_client_without_an_origin_header_connects():
    assert run_async(handshake([(b"host", b"127.0.0.1")]))


def test_a_page_of_this_site_connects():
    assert run_async(handshake([(b"host", b"127.0.0.1"), (b"origin", b"http://localhost:8000")]))


@pytest.mark.parametrize("origin", [b"https://evil.example", b"null", b"http://127.0.0.1.evil.example"])
def test_a_page_from_another_origin_is_refused(origin):
    assert not run_async(handshake([(b"host", b"127.0.0.1"), (b"origin", origin)]))
