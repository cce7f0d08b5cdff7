"""The fault tests' harness: their own redis-server, Daphne and Celery workers on a
fresh PostgreSQL database, and WebSocket viewers that reconnect as the page does."""


import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
import redis
import websockets
from psycopg import sql

from . import processes
from .helpers import FINAL
from .processes import Processes, free_port, with_database

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = (os.environ.get("SCALE_OUT_DATABASE_URL") or os.environ.get("DATABASE_URL")
             or "postgresql://postgres@127.0.0.1:5432/postgres")
if not PG_SERVER.startswith("postgres"):
    PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
WAIT = 120  # generous: a loaded 2-core machine
# What the Daphne log must never say (the issue saw `MaxConnectionsError: Too many connections`).
LOG_ERRORS = re.compile(r"Traceback|Error|Exception|Too many connections")


def unavailable(reason):
    processes.unavailable("FAULT TESTS", reason, "PostgreSQL and redis-server")


# --- servers ---------------------------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own, stopped and started again on the same port."""

    def __init__(self, directory):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        directory.mkdir(exist_ok=True)
        self.process = None

    def start(self):
        log = open(self.directory / "redis.log", "ab")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + WAIT
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=1).ping()
                return
            except redis.RedisError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("redis-server did not start\n"
                                         + (self.directory / "redis.log").read_text()[-2000:]) from None
                time.sleep(0.05)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


class Deployment:
    """Daphne + Celery workers on the test's Redis and database."""

    def __init__(self, tmp_path, database, redis_server, extra_env):
        self.queue = f"playground-faults-{uuid.uuid4().hex[:10]}"
        self.redis = redis_server
        self.database = database
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "playground.settings", "DATABASE_URL": database,
                    "REDIS_URL": redis_server.url, "CELERY_QUEUE": self.queue,
                    "PLAYGROUND_VAR_DIR": str(tmp_path), "SECRET_KEY": uuid.uuid4().hex,
                    "ALLOWED_HOSTS": "127.0.0.1", "PYTHONUNBUFFERED": "1", **extra_env}
        self.log_dir = tmp_path / "logs"
        self.log_dir.mkdir()
        self.processes = Processes(self.env, self.log_dir)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws_base = f"ws://127.0.0.1:{self.port}"
        self.daphne = None
        self.workers = {}

    def start_daphne(self):
        self.daphne = self.processes.start("daphne", "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
                                           "playground.asgi:application")
        deadline = time.monotonic() + WAIT
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/api/scenarios", timeout=5)
                return self.daphne
            except OSError:
                if self.daphne.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("Daphne did not come up\n" + self.logs()) from None
                time.sleep(0.1)

    def stop_daphne(self):
        self.daphne.send_signal(signal.SIGTERM)
        self.daphne.wait(timeout=WAIT)

    def start_worker(self, name, concurrency=2):
        self.workers[name] = self.processes.start(
            name, "-m", "celery", "-A", "playground", "worker", "--pool", "threads", "--loglevel", "WARNING",
            "--concurrency", str(concurrency), "--hostname", f"{name}-{self.queue}@%h")
        return self.workers[name]

    def log(self, name):
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self):
        return self.processes.logs()

    def stop(self):
        self.processes.stop()
        for _, process in self.processes.running:  # a SIGKILLed worker may have left its group behind
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    # --- HTTP -------------------------------------------------------------------------

    def post_run(self, body):
        request = urllib.request.Request(f"{self.base}/api/runs", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 201
            return json.load(response)["id"]

    def get_run(self, run_id):
        with urllib.request.urlopen(f"{self.base}/api/runs/{run_id}", timeout=60) as response:
            return json.load(response)

    def db_status(self, run_id):
        """(status, error) straight from the database: nobody looks at the run through the
        app (GET /api/runs/<id> and a WebSocket reap a dead worker's run themselves)."""
        with psycopg.connect(self.database, connect_timeout=10) as connection:
            return connection.execute("SELECT status, error FROM runs_run WHERE id = %s",
                                      (uuid.UUID(run_id),)).fetchone()


@pytest.fixture(scope="module")
def template_database():
    if not shutil.which("redis-server"):
        unavailable("redis-server is not installed (Debian: apt-get install redis-server)")
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        unavailable(f"PostgreSQL at {PG_SERVER} is unreachable ({exc})")
    name = f"playground_faults_template_{uuid.uuid4().hex[:10]}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "playground.settings",
               "DATABASE_URL": with_database(PG_SERVER, name), "REDIS_URL": "redis://127.0.0.1:6379/15"}
        migrated = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=300)
        assert migrated.returncode == 0, f"migrate failed:\n{migrated.stdout[-2000:]}\n{migrated.stderr[-4000:]}"
        yield admin, name
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


@pytest.fixture
def make_deployment(template_database, tmp_path):
    """make_deployment(**env) → a Deployment on a fresh database and a redis-server of its own."""
    admin, template = template_database
    made = []

    def make(**extra_env):
        name = f"playground_faults_{uuid.uuid4().hex[:10]}"
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                                       sql.Identifier(template)))
        redis_server = RedisServer(tmp_path / "redis")
        deployment = Deployment(tmp_path, with_database(PG_SERVER, name), redis_server,
                                {key: str(value) for key, value in extra_env.items()})
        made.append((deployment, name))
        redis_server.start()
        return deployment

    yield make
    for deployment, name in made:
        deployment.stop()
        deployment.redis.stop()
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# --- WebSocket clients ---------------------------------------------------------------


class Viewer:
    """A client as the page is one: follows a run to its final status, reconnecting with
    `?after=<last seq it has>` whenever it is disconnected. Keeps every event it was sent
    (duplicates included) and what happened to its connections."""

    def __init__(self, deployment, run_id):
        self.deployment, self.run_id = deployment, run_id
        self.events = []
        self.status = None
        self.error = None
        self.events_at_status = None
        self.connections = 0
        self.drops = []  # why each connection ended before the final status
        self.ws = None

    @property
    def last_seq(self):
        return self.events[-1]["seq"] if self.events else 0

    async def follow(self, timeout=WAIT * 2, keep_open=False):
        """Until the final status (the socket is then kept open if `keep_open`)."""
        return await asyncio.wait_for(self._follow(keep_open), timeout)

    async def _follow(self, keep_open):
        while True:
            url = f"{self.deployment.ws_base}/ws/runs/{self.run_id}/?after={self.last_seq}"
            ws = None
            try:
                ws = await websockets.connect(url, origin=self.deployment.base, max_size=None, open_timeout=60,
                                              ping_interval=None, close_timeout=5)
                self.connections += 1
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
                    if message["type"] == "events":
                        self.events.extend(message["events"])
                    elif message["type"] == "status" and message["status"] in FINAL:
                        self.status, self.error = message["status"], message.get("error", "")
                        self.events_at_status = len(self.events)
                        if keep_open:
                            self.ws, ws = ws, None
                        return self
                    elif message["type"] == "error":
                        raise AssertionError(f"run {self.run_id}: the server said {message}")
            except (TimeoutError, websockets.exceptions.WebSocketException, OSError) as exc:
                self.drops.append(f"{exc.__class__.__name__}: {exc}"[:200])
            finally:
                if ws is not None:
                    await ws.close()
            await asyncio.sleep(0.2)

    def check(self, what="a client"):
        """Every seq 1..N exactly once and in order, ending with run.finished, then the status."""
        seqs = [event["seq"] for event in self.events]
        where = f"{what} of run {self.run_id} ({self.connections} connections, drops {self.drops[:5]})"
        assert self.status is not None, f"{where}: no final status"
        assert seqs == list(range(1, len(seqs) + 1)), f"{where}: not gapless/once: {summarize(seqs)}"
        assert seqs and self.events[-1]["kind"] == "run.finished", f"{where}: last event {self.events[-1:]}"
        assert self.events_at_status == len(seqs), f"{where}: the status came before the last events"


def summarize(seqs):
    """A short description of what is wrong with a sequence."""
    problems = []
    expected = 1
    for index, seq in enumerate(seqs):
        if seq != expected:
            problems.append(f"at #{index}: {seq} where {expected} was due")
            if len(problems) == 5:
                break
        expected = seq + 1
    return f"{len(seqs)} events, last {seqs[-1:]}; " + "; ".join(problems)


async def until(predicate, what, timeout=WAIT, interval=0.1):
    """Poll a (blocking) predicate in a thread until it is true."""
    deadline = time.monotonic() + timeout
    while True:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout} s")
        await asyncio.sleep(interval)


def blocking_until(predicate, what, timeout=WAIT, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout} s")
        time.sleep(interval)


def run_async(coro, deployment):
    try:
        return asyncio.run(coro)
    except BaseException:
        print("\n" + deployment.logs())
        raise
