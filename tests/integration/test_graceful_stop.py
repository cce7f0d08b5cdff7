"""`manage.py serve` (the embedded deployment) stopped with SIGTERM or Ctrl-C: its runs
end as cancelled with a reason, no sandbox child is left, and the runs that were still
queued run after the next start. The servers are real processes; the test waits for
conditions and reports how long the stop took."""

import json
import os
import signal
import sqlite3
import time
import urllib.request
import uuid

import pytest

from .helpers import WAIT, slow_spec, wait_for
from .processes import Processes, alive, descendants, free_port


def post(base, body):
    request = urllib.request.Request(f"{base}/api/runs", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return json.load(response)


def up(base):
    try:
        urllib.request.urlopen(f"{base}/api/scenarios", timeout=5)
        return True
    except OSError:
        return False


def run_status(db, run_id):
    with sqlite3.connect(db) as connection:
        row = connection.execute("SELECT status, error FROM runs_run WHERE id = ?",
                                 (uuid.UUID(run_id).hex,)).fetchone()
    return row


@pytest.fixture
def embedded(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "playground.settings", "PLAYGROUND_VAR_DIR": str(tmp_path),
           "PYTHONUNBUFFERED": "1", "EMBEDDED_WORKER_CONCURRENCY": "1"}
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    processes = Processes(env, tmp_path)
    processes.run("manage.py", "migrate", "--noinput")
    yield processes, tmp_path / "playground.sqlite3"
    processes.stop()


def start_server(processes):
    port = free_port()
    server = processes.start("serve", "manage.py", "serve", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: up(base) or server.poll() is not None, what="the server to come up")
    assert server.poll() is None, processes.logs()
    return server, base


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_stopping_the_server_cancels_its_runs_leaves_no_child_and_queued_runs_run_after_a_restart(
        embedded, stop_signal):
    processes, db = embedded
    server, base = start_server(processes)
    running = post(base, {"scenario": slow_spec(ticks=100_000, pause=0.01)})
    queued = [post(base, {"scenario": slow_spec(ticks=3, pause=0.01)}) for _ in range(2)]
    wait_for(lambda: get(base, f"/api/runs/{running['id']}")["events"] > 2, what="the long run to be going")
    assert get(base, f"/api/runs/{queued[0]['id']}")["status"] == "queued"  # one run at a time here
    children = descendants(server.pid)
    assert children, "the run's sandbox child should be a descendant of the server"

    stopped_at = time.monotonic()
    server.send_signal(stop_signal)
    server.wait(timeout=WAIT)
    took = time.monotonic() - stopped_at
    print(f"\nmanage.py serve stopped {took:.2f} s after {stop_signal.name}")

    assert server.returncode is not None
    wait_for(lambda: not alive(children), what="the sandbox children to be gone")
    status, error = run_status(db, running["id"])
    assert status == "cancelled" and "server stopped" in error
    assert {run_status(db, q["id"])[0] for q in queued} == {"queued"}

    server, base = start_server(processes)
    for q in queued:
        wait_for(lambda q=q: get(base, f"/api/runs/{q['id']}")["status"] == "completed", what="a queued run to run")
