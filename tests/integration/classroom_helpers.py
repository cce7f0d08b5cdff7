"""Small helpers of the classroom tests: a class opened by Tess, students joining it,
JSON posts, and WebSockets that carry a client's cookies."""

import json

from channels.testing import WebsocketCommunicator

from .helpers import WAIT, spec
from .sessions import cookie_header

QUESTION = {"text": "What is the balance at the end?", "choices": ["3", "2", "10", "-5"]}


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def open_class(teacher, title="Concurrency 101"):
    response = post(teacher, "/api/classrooms", {"title": title})
    assert response.status_code == 201, response.content
    return response.json()


def join(client, code, name):
    response = post(client, f"/api/classrooms/{code}/join", {"name": name})
    assert response.status_code == 201, response.content
    return response.json()


def push(teacher, code, scenario="bank-withdraw-race", mode="predict", question=QUESTION, **more):
    body = {"scenario": scenario, "mode": mode, "editing": "locked", **more}
    if question is not None:
        body["question"] = question
    response = post(teacher, f"/api/classrooms/{code}/activities", body)
    assert response.status_code == 201, response.content
    return response.json()


def quick_spec():
    """A tiny scenario whose runs end at once."""
    return spec("two-adds", [("A", "x = x + 1"), ("B", "x = x + 2")], shared={"x": 0}, timeout_ms=10_000)


def socket(client, code, screen=False, origin=b"http://127.0.0.1", query=""):
    from playground.asgi import application

    headers = [(b"host", b"127.0.0.1"), (b"cookie", cookie_header(client))]
    if origin:
        headers.append((b"origin", origin))
    path = f"/ws/classrooms/{code}/" + ("screen" if screen else "") + query
    return WebsocketCommunicator(application, path, headers=headers)


async def connected(client, code, screen=False, query=""):
    """A socket that was let in, and its first message (the state)."""
    comm = socket(client, code, screen, query=query)
    ok, _ = await comm.connect(timeout=WAIT)
    assert ok
    first = await comm.receive_json_from(timeout=WAIT)
    assert first["type"] == "state", first
    return comm, first


async def refused(client, code, screen=False):
    """The close code of a socket the server refuses (it says why first)."""
    comm = socket(client, code, screen)
    ok, _ = await comm.connect(timeout=WAIT)
    assert ok
    said = await comm.receive_json_from(timeout=WAIT)
    assert said["type"] == "error"
    closed = await comm.receive_output(timeout=WAIT)
    assert closed["type"] == "websocket.close"
    await comm.disconnect()
    return closed["code"]


async def receive_until(comm, kind, timeout=WAIT):
    """Messages until one of type `kind`; returns (it, those before)."""
    before = []
    while True:
        message = await comm.receive_json_from(timeout=timeout)
        if message["type"] == kind:
            return message, before
        before.append(message)
