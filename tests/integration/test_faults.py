"""Faults on the scale-out deployment, as real processes: Redis stopped mid-run, a worker
SIGKILLed, Daphne restarted, idle sockets, crowds of viewers and of runs.

Each test starts its own `redis-server` on a free port (no persistence: a restart loses
its queue, as a crashed Redis would), its own Daphne and Celery workers, on a fresh
PostgreSQL database (copied from a migrated template, which is faster than migrating
each time). WebSocket clients reconnect with `?after=<last seq>` as the page does, and
every test checks what each client ended with: every seq from 1 exactly once, in order,
ending with `run.finished`, then the final status.

Skips loudly when PostgreSQL or `redis-server` is not there; with CI=true it fails
instead (CI has PostgreSQL at 127.0.0.1:5432 and Debian's redis-server).
Tests wait for conditions, never for time windows, except the two that are the fault
itself: Redis is down for 3 s, and an idle socket is left alone for 60 s.
"""

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

from .helpers import FINAL, counter_spec, slow_spec, spec
from .processes import Processes, free_port

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = (os.environ.get("SCALE_OUT_DATABASE_URL") or os.environ.get("DATABASE_URL")
             or "postgresql://postgres@127.0.0.1:5432/postgres")
if not PG_SERVER.startswith("postgres"):
    PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
WAIT = 120  # generous: a loaded 2-core machine
# What the Daphne log must never say (the issue saw `MaxConnectionsError: Too many connections`).
LOG_ERRORS = re.compile(r"Traceback|Error|Exception|Too many connections")


def unavailable(reason):
    message = f"FAULT TESTS NOT RUN: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: PostgreSQL and redis-server must be there)")
    pytest.skip(message)


def with_database(url, name):
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


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


# --- processes -------------------------------------------------------------------------


def descendants(pid):
    """Every process below `pid`, from /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids):
    living = set()
    for pid in pids:
        try:
            if "zombie" not in Path(f"/proc/{pid}/status").read_text(errors="replace").lower():
                living.add(pid)
        except OSError:
            pass
    return living


# --- the tests -------------------------------------------------------------------------


def test_redis_stopped_for_3_s_fails_nothing_and_loses_no_queued_run(make_deployment):
    """Redis (broker and channel layer) stops for 3 s while a run is going and two more
    are queued behind it. Redis comes back empty, so the queued runs' task messages are
    gone: the sweep sends them again (RUN_REQUEUE_SECONDS=2, RUN_SWEEP_SECONDS=0.5 so
    that it acts quickly). Every run completes, every watcher ends with every event
    exactly once, and the next run after the outage succeeds."""
    deployment = make_deployment(RUN_REQUEUE_SECONDS=2, RUN_SWEEP_SECONDS=0.5)
    deployment.start_daphne()
    deployment.start_worker("worker", concurrency=1)  # one run at a time: the other two really wait

    async def scenario():
        running = await asyncio.to_thread(deployment.post_run, {"scenario": slow_spec(ticks=600, pause=0.02)})
        queued = [await asyncio.to_thread(deployment.post_run, {"scenario": counter_spec(100)}) for _ in range(2)]
        viewers = [Viewer(deployment, run_id) for run_id in [running, *queued]]
        following = [asyncio.create_task(viewer.follow()) for viewer in viewers]
        await until(lambda: deployment.get_run(running)["events"] >= 10, "the first run to be going")
        assert [deployment.get_run(q)["status"] for q in queued] == ["queued", "queued"]
        # Their task messages wait in Redis (not in the busy worker), so they die with it.
        assert redis.Redis.from_url(deployment.redis.url).llen(deployment.queue) >= 2

        stopped = time.monotonic()
        await asyncio.to_thread(deployment.redis.stop)
        at_stop = deployment.get_run(running)
        await asyncio.sleep(3)  # the outage itself
        await asyncio.to_thread(deployment.redis.start)
        back = time.monotonic()
        print(f"\nRedis down {back - stopped:.1f} s; the first run was at event {at_stop['events']} "
              f"({at_stop['status']})")
        assert at_stop["status"] == "running"

        await asyncio.gather(*following)
        done = time.monotonic()
        for viewer, name in zip(viewers, ["the running run", "queued run 1", "queued run 2"], strict=True):
            detail = await asyncio.to_thread(deployment.get_run, viewer.run_id)
            assert detail["status"] == "completed", (name, detail["status"], detail["error"])
            assert viewer.status == "completed", (name, viewer.status, viewer.error)
            viewer.check(f"the watcher of {name}")
            assert len(viewer.events) == detail["events"]
            print(f"{name}: {len(viewer.events)} events over {viewer.connections} connection(s)")
        print(f"all three runs done {done - back:.1f} s after Redis was back")

        after = await asyncio.to_thread(deployment.post_run, {"scenario": counter_spec(20)})
        viewer = await Viewer(deployment, after).follow()
        assert viewer.status == "completed", (viewer.status, viewer.error)
        viewer.check("the watcher of the run after the outage")

    run_async(scenario(), deployment)


def test_a_worker_killed_with_nobody_watching_has_its_run_failed_by_the_sweep_and_leaves_no_child(
        make_deployment):
    """Two workers, one run each. One worker is SIGKILLed (as the OOM killer would) and
    nobody looks at its run: the other worker's sweep fails it ("worker lost") within
    RUN_STALE_SECONDS + RUN_SWEEP_SECONDS (the defaults, 10 + 2.5 s: the README's bound)
    plus a margin for a loaded machine; its sandbox child dies with it; the other run
    goes on. The run is polled in the database, not through the app: GET /api/runs/<id>
    and a WebSocket would reap the run themselves and hide a sweep that does not work."""
    stale, sweep, margin = 10.0, 2.5, 7.5
    deployment = make_deployment(RUN_STALE_SECONDS=stale, RUN_SWEEP_SECONDS=sweep)
    deployment.start_daphne()
    workers = [deployment.start_worker(name, concurrency=1) for name in ("worker-a", "worker-b")]
    runs = [deployment.post_run({"scenario": slow_spec(ticks=100_000, pause=0.01)}) for _ in workers]
    try:
        blocking_until(lambda: all(deployment.db_status(r)[0] == "running" for r in runs), "both runs to start")
        children = blocking_until(lambda: all(descendants(w.pid) for w in workers) and descendants(workers[0].pid),
                                  "each worker's sandbox child")
    except AssertionError:
        raise AssertionError(deployment.logs()) from None

    killed_at = time.monotonic()
    os.kill(workers[0].pid, signal.SIGKILL)  # the worker process only, not its group
    workers[0].wait(timeout=30)

    gone = []  # when the killed worker's sandbox child was first seen gone

    def one_failed():
        if not gone and not alive(children):
            gone.append(time.monotonic())
        statuses = {r: deployment.db_status(r) for r in runs}
        failed = [r for r, (status, _) in statuses.items() if status != "running"]
        return (failed, statuses) if failed else None

    failed, statuses = blocking_until(one_failed, "the killed worker's run to be failed", interval=0.2)
    took = time.monotonic() - killed_at
    gone = gone[0] if gone else blocking_until(lambda: not alive(children) and time.monotonic(),
                                               "the sandbox child to be gone")
    print(f"\nthe run was failed {took:.1f} s after its worker was killed; "
          f"its sandbox child was gone {gone - killed_at:.1f} s after")
    assert len(failed) == 1, statuses
    lost = failed[0]
    assert statuses[lost] == ("failed", "worker lost"), statuses
    assert took <= stale + sweep + margin, f"failed {took:.1f} s after the kill, past the bound"
    assert gone - killed_at <= 10, "the sandbox child outlived its worker"
    detail = deployment.get_run(lost)
    assert (detail["status"], detail["error"]) == ("failed", "worker lost")
    survivor = next(r for r in runs if r != lost)
    assert deployment.db_status(survivor)[0] == "running", "the other worker's run should go on"
    assert workers[1].poll() is None


def test_a_client_resumes_exactly_across_a_daphne_restart(make_deployment):
    deployment = make_deployment()
    deployment.start_daphne()
    deployment.start_worker("worker")

    async def scenario():
        run_id = await asyncio.to_thread(deployment.post_run, {"scenario": slow_spec(ticks=600, pause=0.02)})
        viewer = Viewer(deployment, run_id)
        following = asyncio.create_task(viewer.follow())
        await until(lambda: viewer.last_seq >= 20, "the client to have some events")
        restarted = time.monotonic()
        await asyncio.to_thread(deployment.stop_daphne)
        seen_before = viewer.last_seq
        await asyncio.to_thread(deployment.start_daphne)
        print(f"\nDaphne restarted in {time.monotonic() - restarted:.1f} s; the client had {seen_before} events")
        await following
        assert viewer.connections >= 2, "the client should have reconnected"
        assert viewer.status == "completed", (viewer.status, viewer.error)
        viewer.check("the client")
        detail = await asyncio.to_thread(deployment.get_run, run_id)
        assert detail["events"] == len(viewer.events)
        assert viewer.events[-1]["shared"]["box"]["clock"] == 600
        print(f"resumed: {len(viewer.events)} events over {viewer.connections} connections")

    run_async(scenario(), deployment)


async def idle(ws, seconds):
    """Read until the socket has been silent for `seconds`; returns what arrived meanwhile.
    A socket closed by the server fails the test with its close code."""
    arrived = []
    while True:
        try:
            arrived.append(json.loads(await asyncio.wait_for(ws.recv(), seconds)))
        except TimeoutError:
            return arrived
        except websockets.exceptions.ConnectionClosed as exc:
            raise AssertionError(f"an idle socket was closed: {exc} (after {arrived[-3:]})") from None


def test_idle_sockets_stay_open_for_60_s_on_redis(make_deployment):
    """A watcher of a finished run (after its final status) and one of a step-mode run
    waiting for a click: each socket is left silent for 60 s (the condition tested),
    then still answers."""
    deployment = make_deployment()
    deployment.start_daphne()
    deployment.start_worker("worker")

    async def scenario():
        finished = await asyncio.to_thread(deployment.post_run, {"scenario": counter_spec(10)})
        stepped = await asyncio.to_thread(deployment.post_run, {"scenario": spec(
            "two-ticks", [("T", "clock = clock + 1\nclock = clock + 1\n")], shared={"clock": 0}, mode="step",
            timeout_ms=600_000)})
        done = await Viewer(deployment, finished).follow(keep_open=True)
        done.check("the watcher of the finished run")
        url = f"{deployment.ws_base}/ws/runs/{stepped}/?after=0"
        waiting = await websockets.connect(url, origin=deployment.base, max_size=None, ping_interval=None)
        await until(lambda: deployment.get_run(stepped)["status"] == "running", "the step-mode run to start")

        started = time.monotonic()
        quiet_done, quiet_step = await asyncio.gather(idle(done.ws, 60), idle(waiting, 60))
        print(f"\nboth sockets silent for 60 s ({time.monotonic() - started:.1f} s in all)")
        assert quiet_done == [], f"a finished run's socket was sent {quiet_done}"
        step_events = [e for m in quiet_step if m["type"] == "events" for e in m["events"]]
        assert not [e for e in step_events if e["kind"] == "step"], "the run stepped without a click"

        for ws in (done.ws, waiting):
            await ws.send(json.dumps({"type": "no-such-thing"}))
            reply = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
            assert reply["type"] == "error" and "unknown message type" in reply["message"], reply

        await waiting.send(json.dumps({"type": "step", "thread": "box/T"}))
        while True:  # the click is answered by its step event
            message = json.loads(await asyncio.wait_for(waiting.recv(), WAIT))
            if message["type"] == "events":
                step_events += message["events"]
                if any(e["kind"] in ("step", "run.finished") for e in message["events"]):
                    break
        assert [e["seq"] for e in step_events] == list(range(1, len(step_events) + 1))
        await done.ws.close()
        await waiting.close()

    run_async(scenario(), deployment)
    errors = [line for line in deployment.log("daphne").splitlines() if LOG_ERRORS.search(line)]
    assert not errors, "Daphne logged errors:\n" + "\n".join(errors[:30])


def test_200_viewers_of_one_run_and_50_runs_at_once_each_end_with_the_whole_sequence_then_the_status(
        make_deployment):
    deployment = make_deployment()
    deployment.start_daphne()
    deployment.start_worker("worker-a", concurrency=4)
    deployment.start_worker("worker-b", concurrency=4)

    async def scenario():
        # 200 viewers connecting around the start of one run.
        run_id = await asyncio.to_thread(deployment.post_run, {"scenario": slow_spec(ticks=150, pause=0.02)})
        viewers = [Viewer(deployment, run_id) for _ in range(200)]
        started = time.monotonic()
        await asyncio.gather(*(viewer.follow(timeout=WAIT * 2) for viewer in viewers))
        took = time.monotonic() - started
        for viewer in viewers:
            assert viewer.status == "completed", (viewer.status, viewer.error)
            viewer.check("a viewer")
        reconnected = sum(1 for viewer in viewers if viewer.connections > 1)
        print(f"\n200 viewers of one run ({len(viewers[0].events)} events) done in {took:.1f} s; "
              f"{reconnected} had to reconnect")
        assert reconnected == 0, [v.drops[:2] for v in viewers if v.drops][:5]

        # 50 runs at once, one watcher each.
        started = time.monotonic()
        runs = await asyncio.gather(*(asyncio.to_thread(deployment.post_run, {"scenario": counter_spec(30)})
                                      for _ in range(50)))
        watchers = [Viewer(deployment, r) for r in runs]
        await asyncio.gather(*(watcher.follow(timeout=WAIT * 2) for watcher in watchers))
        print(f"50 runs at once, watched, done in {time.monotonic() - started:.1f} s")
        for watcher in watchers:
            assert watcher.status == "completed", (watcher.status, watcher.error)
            watcher.check("a watcher")
            assert watcher.events[-1]["shared"]["box"]["counter"] == 60
        assert sum(w.connections > 1 for w in watchers) == 0, [w.drops[:2] for w in watchers if w.drops][:5]

    run_async(scenario(), deployment)
    errors = [line for line in deployment.log("daphne").splitlines() if LOG_ERRORS.search(line)]
    assert not errors, "Daphne logged errors:\n" + "\n".join(errors[:30])
