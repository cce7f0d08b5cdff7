"""Specs and small helpers shared by the integration tests."""

import asyncio
import json
import time

from channels.testing import WebsocketCommunicator

from playground.engine.contract import FINAL_STATUSES

FINAL = set(FINAL_STATUSES)
# Generous: these tests must pass on a loaded 2-core machine. They wait, never time.
WAIT = 90.0


def spec(slug, threads, shared=None, resources=None, timeout_ms=30_000, mode="free"):
    return {
        "format": "playground.scenario/1",
        "slug": slug,
        "title": slug.replace("-", " "),
        "nodes": [{"id": "box", "shared": shared or {}, "resources": resources or [],
                   "threads": [{"name": name, "code": code} for name, code in threads]}],
        "run": {"mode": mode, "seed": 1, "timeout_ms": timeout_ms},
    }


def counter_spec(iterations=200):
    """Two threads adding to one counter under a lock: many events, quickly."""
    loop = f"for i in range({iterations}):\n    with lock:\n        counter = counter + 1\n"
    return spec("lock-counter", [("A", loop), ("B", loop)], shared={"counter": 0},
                resources=[{"name": "lock", "type": "lock"}])


def slow_spec(ticks=2000, pause=0.02, timeout_ms=120_000):
    """One thread that ticks slowly: a run that is still going when a test acts on it."""
    loop = f"for i in range({ticks}):\n    clock = clock + 1\n    sleep({pause})\n"
    return spec("slow-clock", [("T", loop)], shared={"clock": 0}, timeout_ms=timeout_ms)


def post_run(client, body):
    response = client.post("/api/runs", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def wait_for(predicate, timeout=WAIT, interval=0.05, what="a condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"gave up waiting for {what} after {timeout} s")


def run_async(coro, timeout=WAIT * 2):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def communicator(run_id, after=0):
    from playground.asgi import application

    return WebsocketCommunicator(application, f"/ws/runs/{run_id}/?after={after}",
                                 headers=[(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")])


async def connect(run_id, after=0):
    comm = communicator(run_id, after)
    connected, _ = await comm.connect(timeout=WAIT)
    assert connected
    return comm


async def collect_until_final(comm, events=None, timeout=WAIT):
    """Read messages until a final status; returns (events, final status)."""
    events = [] if events is None else events
    while True:
        message = await comm.receive_json_from(timeout=timeout)
        if message["type"] == "events":
            events.extend(message["events"])
        elif message["type"] == "status" and message["status"] in FINAL:
            return events, message["status"]


def seqs(events):
    return [event["seq"] for event in events]


def watch_to_end(run_id):
    """Follow a run over its WebSocket until it ends: (events, final status)."""

    async def watch():
        comm = await connect(run_id)
        try:
            return await collect_until_final(comm)
        finally:
            await comm.disconnect()

    return run_async(watch())
