"""How fast events travel: child → worker → DB + channel layer → a WebSocket client.

`make bench` runs this; it prints figures and never fails on time. For each
deployment — embedded (`manage.py serve`: SQLite, in-memory layer and broker, one
process) and scale-out (Daphne + a Celery worker on PostgreSQL and Redis) — it reports:

- events/s for a run emitting about 100,000 events (one node, two threads, each a
  loop of `with lock: counter = counter + 1`), end to end (POST to last event at the
  client) and while streaming (first to last event at the client); and, for scale,
  how fast the engine's child produced them on its own;
- the median and p99 delay from an event's creation to its arrival at the client;
- the time from POST /api/runs to the first event at the client (small runs).

An event's creation time is run start + its `t`. If the run reports `wall` (the
child's epoch clock at t=0, GET /api/runs/<id>), that is the run start; otherwise the
run's `started` (when the worker claimed it, before the child exists), which overstates
each delay by the child's start-up. The lower bound, from the fastest event, is printed beside it.
"""

import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path

import orjson
import pytest
import websockets

ROOT = Path(__file__).resolve().parents[2]
FINAL = {"completed", "deadlock", "violated", "failed", "timeout", "cancelled"}
ITERATIONS = int(os.environ.get("BENCH_ITERATIONS", "12500"))  # ≈ 4 events per iteration per thread
WAIT = 300


def counter_spec(iterations):
    loop = f"for i in range({iterations}):\n    with lock:\n        counter = counter + 1\n"
    return {
        "format": "playground.scenario/1", "slug": "bench-lock-counter", "title": "Lock counter",
        "nodes": [{"id": "box", "shared": {"counter": 0}, "resources": [{"name": "lock", "type": "lock"}],
                   "threads": [{"name": "A", "code": loop}, {"name": "B", "code": loop}]}],
        "run": {"mode": "free", "seed": 1, "timeout_ms": 120_000},
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """Processes started for one deployment, stopped (process group) at the end."""

    def __init__(self, env, log_dir):
        self.env, self.log_dir, self.processes = env, log_dir, []

    def run(self, *args):
        subprocess.run([sys.executable, *args], cwd=ROOT, env=self.env, check=True, capture_output=True,
                       timeout=300)

    def start(self, name, *args):
        log = open(self.log_dir / f"{name}.log", "wb")
        self.processes.append(subprocess.Popen([sys.executable, *args], cwd=ROOT, env=self.env, stdout=log,
                                               stderr=subprocess.STDOUT, start_new_session=True))

    def wait_until_up(self, base):
        deadline = time.monotonic() + WAIT
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/scenarios", timeout=5)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def post_run(base, spec):
    request = urllib.request.Request(f"{base}/api/runs", data=json.dumps({"scenario": spec}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


async def watch(base, spec):
    """POST a run, watch it; returns (post time, [(arrival, event)], status, run detail)."""
    posted = time.time()
    created = post_run(base, spec)
    url = base.replace("http://", "ws://") + created["ws"] + "?after=0"
    arrivals = []
    async with websockets.connect(url, origin=base, max_size=None, open_timeout=WAIT) as ws:
        while True:
            message = orjson.loads(await asyncio.wait_for(ws.recv(), WAIT))
            now = time.time()
            if message["type"] == "events":
                arrivals.extend((now, event) for event in message["events"])
            elif message["type"] == "status" and message["status"] in FINAL:
                status = message["status"]
                break
    with urllib.request.urlopen(f"{base}/api/runs/{created['id']}", timeout=60) as response:
        detail = json.load(response)
    return posted, arrivals, status, detail


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(name, base):
    posted, arrivals, status, detail = asyncio.run(watch(base, counter_spec(ITERATIONS)))
    events = [event for _, event in arrivals]
    assert status == "completed", detail
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), "events lost, repeated or reordered"

    started = detail.get("wall")
    basis = "the run's wall (child's clock at t=0)"
    if started is None:
        started = datetime.fromisoformat(detail["started"]).timestamp()
        basis = "Run.started (claim time; overstates by the child's start-up)"
    delays = [arrival - (started + event["t"]) for arrival, event in arrivals]
    fastest = min(delays)
    lower = [d - fastest for d in delays]
    first, last = arrivals[0][0], arrivals[-1][0]

    small = [asyncio.run(watch(base, counter_spec(5))) for _ in range(7)]
    to_first = [arr[0][0] - post for post, arr, _, _ in small]

    n = len(events)
    print(f"\n=== {name}: {n} events ===")
    print(f"  end to end (POST → last event at client): {n / (last - posted):>10,.0f} events/s")
    print(f"  streaming  (first → last event at client): {n / (last - first):>10,.0f} events/s")
    print(f"  engine child alone (last event's t):       {n / events[-1]['t']:>10,.0f} events/s")
    print(f"  delay creation → client, from {basis}:")
    print(f"      median {statistics.median(delays) * 1000:8.1f} ms   p99 {percentile(delays, 0.99) * 1000:8.1f} ms")
    print("  delay lower bound (fastest event taken as zero):")
    print(f"      median {statistics.median(lower) * 1000:8.1f} ms   p99 {percentile(lower, 0.99) * 1000:8.1f} ms")
    print(f"  POST /api/runs → first event at client (7 small runs): median "
          f"{statistics.median(to_first) * 1000:.0f} ms, max {max(to_first) * 1000:.0f} ms")


def base_env(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "playground.settings", "PLAYGROUND_VAR_DIR": str(tmp_path),
           "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING"}
    for name in ("DATABASE_URL", "REDIS_URL", "DEBUG"):
        env.pop(name, None)
    return env


def test_pipeline_on_the_embedded_deployment(tmp_path):
    server = Server(base_env(tmp_path), tmp_path)
    port = free_port()
    try:
        server.run("manage.py", "migrate", "--noinput")
        server.start("serve", "manage.py", "serve", "--port", str(port))
        base = f"http://127.0.0.1:{port}"
        server.wait_until_up(base)
        measure("embedded (SQLite, in-memory layer and broker, one process)", base)
    finally:
        server.stop()


def test_pipeline_on_redis_and_postgresql(tmp_path):
    import psycopg
    import redis
    from psycopg import sql

    pg = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/11"
    try:
        admin = psycopg.connect(pg, autocommit=True, connect_timeout=5)
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except (psycopg.Error, redis.RedisError) as exc:
        pytest.skip(f"SCALE-OUT BENCHMARK NOT RUN: PostgreSQL or Redis unreachable ({exc})")
    name = f"playground_bench_{uuid.uuid4().hex[:10]}"
    queue = f"playground-bench-{uuid.uuid4().hex[:10]}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = {**base_env(tmp_path), "DATABASE_URL": f"{pg.rpartition('/')[0]}/{name}", "REDIS_URL": redis_url,
           "CELERY_QUEUE": queue, "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_CONN_MAX_AGE": "60"}
    server = Server(env, tmp_path)
    port = free_port()
    try:
        server.run("manage.py", "migrate", "--noinput")
        server.start("daphne", "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "playground.asgi:application")
        server.start("worker", "-m", "celery", "-A", "playground", "worker", "--pool", "threads", "--loglevel", "WARNING",
                     "--concurrency", "2", "--hostname", f"{queue}@%h")
        base = f"http://127.0.0.1:{port}"
        server.wait_until_up(base)
        measure("scale-out (Daphne + Celery worker processes, PostgreSQL, Redis)", base)
    finally:
        server.stop()
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        redis.Redis.from_url(redis_url).delete(queue)
