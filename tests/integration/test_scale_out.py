"""The scale-out deployment as real separate processes: Daphne and a Celery worker
on PostgreSQL and Redis. A run is driven through HTTP and watched over a WebSocket.

Skips loudly when PostgreSQL or Redis is not reachable; with CI=true it fails instead,
because CI machines have both (Redis at 127.0.0.1:6379, PostgreSQL at 127.0.0.1:5432).
"""

import asyncio
import json
import os
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
import redis
import websockets
from psycopg import sql

from . import processes
from .helpers import FINAL, counter_spec, slow_spec, spec
from .processes import Processes, free_port, with_database

ROOT = Path(__file__).resolve().parents[2]
# The servers come from the environment as for a deployment; the test makes (and
# drops) its own database there and its own Celery queue, so it disturbs nothing.
PG_SERVER = (os.environ.get("SCALE_OUT_DATABASE_URL") or os.environ.get("DATABASE_URL")
             or "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = (os.environ.get("SCALE_OUT_REDIS_URL") or os.environ.get("REDIS_URL")
             or "redis://127.0.0.1:6379/11")
WAIT = 120


def unavailable(reason):
    processes.unavailable("SCALE-OUT TOPOLOGY", reason, "PostgreSQL and Redis")


@pytest.fixture
def database():
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        unavailable(f"PostgreSQL at {PG_SERVER} is unreachable ({exc})")
    name = f"playground_scale_out_{uuid.uuid4().hex[:10]}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(PG_SERVER, name)
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {REDIS_URL} is unreachable ({exc})")
    return REDIS_URL


@pytest.fixture
def deployment(database, redis_url, tmp_path):
    port = free_port()
    queue = f"playground-test-{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "playground.settings", "DATABASE_URL": database,
           "REDIS_URL": redis_url, "CELERY_QUEUE": queue, "PLAYGROUND_VAR_DIR": str(tmp_path),
           "SECRET_KEY": uuid.uuid4().hex, "ALLOWED_HOSTS": "127.0.0.1", "PYTHONUNBUFFERED": "1"}
    processes = Processes(env, tmp_path)
    processes.run("manage.py", "migrate", "--noinput")
    processes.start("daphne", "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "playground.asgi:application")
    processes.start("worker", "-m", "celery", "-A", "playground", "worker", "--pool", "threads", "--loglevel", "WARNING",
                    "--concurrency", "2", "--hostname", f"{queue}@%h")
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/scenarios", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("Daphne did not come up\n" + processes.logs()) from None
                time.sleep(0.2)
        yield base, processes
    finally:
        processes.stop()
        redis.Redis.from_url(redis_url).delete(queue)


def post_run(base, body):
    request = urllib.request.Request(f"{base}/api/runs", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return json.load(response)


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


async def watch(base, run_id, after=0, stop_after=None):
    """Events and the final status over a real WebSocket (or the first `stop_after`)."""
    url = base.replace("http://", "ws://") + f"/ws/runs/{run_id}/?after={after}"
    events = []
    async with websockets.connect(url, origin=base, max_size=None, open_timeout=WAIT) as ws:
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
            if message["type"] == "events":
                events.extend(message["events"])
                if stop_after is not None and len(events) >= stop_after:
                    return events, None
            elif message["type"] == "status" and message["status"] in FINAL:
                return events, message["status"]


def test_a_run_goes_through_daphne_a_celery_worker_redis_and_postgresql(deployment):
    base, processes = deployment
    created = post_run(base, {"scenario": counter_spec(500)})

    try:
        events, status = asyncio.run(watch(base, created["id"]))
    except Exception:
        raise AssertionError("the run was not streamed\n" + processes.logs()) from None

    assert status == "completed"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["kind"] == "run.finished"
    assert events[-1]["shared"]["box"]["counter"] == 1000
    detail = get_json(f"{base}/api/runs/{created['id']}")
    assert detail["status"] == "completed"
    assert detail["events"] == len(events)
    stored = get_json(f"{base}/api/runs/{created['id']}/events?after=0&limit=10000")
    assert stored["events"] == events


def test_text_with_tabs_backslashes_and_line_breaks_is_stored_as_it_was_sent(deployment):
    base, processes = deployment
    awkward = "tab\there, back\\slash, line\nbreak, quote\" é ☃ \\N"
    code = f"note = {awkward!r}\nprint(note)\n"
    created = post_run(base, {"scenario": spec("awkward-text", [("T", code)], shared={"note": ""})})

    events, status = asyncio.run(watch(base, created["id"]))

    assert status == "completed"
    assert events[-1]["shared"]["box"]["note"] == awkward
    assert [e["text"] for e in events if e["kind"] == "output"] == [awkward]
    stored = get_json(f"{base}/api/runs/{created['id']}/events?after=0")
    assert stored["events"] == events


def test_a_client_reconnecting_to_another_connection_resumes_exactly(deployment):
    base, processes = deployment
    created = post_run(base, {"scenario": slow_spec(ticks=60, pause=0.03)})

    first, status = asyncio.run(watch(base, created["id"], stop_after=5))
    assert status is None
    rest, status = asyncio.run(watch(base, created["id"], after=first[-1]["seq"]))

    assert status == "completed"
    everything = first + rest
    assert [e["seq"] for e in everything] == list(range(1, len(everything) + 1))
    assert everything[-1]["shared"]["box"]["clock"] == 60


REACH_REDIS = """\
import socket
s = socket.create_connection(('127.0.0.1', 6379), timeout=2)
s.sendall(b'PING\\r\\n')
print('REACHED', s.recv(20))
"""
REACH_REDIS_BY_MESSAGE = "send('127.0.0.1:6379', 'PING')\nprint('REACHED')\n"


def test_a_snippet_reaching_for_the_hosts_redis_is_refused_and_other_runs_carry_on(deployment):
    base, processes = deployment
    attacks = [post_run(base, {"scenario": spec("reach-redis", [("T", code)])})
               for code in (REACH_REDIS, REACH_REDIS_BY_MESSAGE)]
    honest = post_run(base, {"scenario": counter_spec(300)})

    for created in attacks:
        events, status = asyncio.run(watch(base, created["id"]))
        assert status == "failed" or status == "completed", status
        printed = [e["text"] for e in events if e["kind"] == "output"]
        assert not any("REACHED" in text for text in printed), printed
        failures = [e for e in events if e["kind"] == "thread.failed"]
        assert failures, events[-1]
        assert any(word in failures[0]["error"] for word in ("not allowed", "no link")), failures[0]

    events, status = asyncio.run(watch(base, honest["id"]))
    assert status == "completed" and events[-1]["shared"]["box"]["counter"] == 600
    after = post_run(base, {"scenario": counter_spec(10)})
    assert asyncio.run(watch(base, after["id"]))[1] == "completed"
