"""A run whose worker dies does not stay `running`: the reaper ends it `failed`."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from playground.engine.spec import validate
from playground.runs.models import Run
from playground.runs.reaper import WORKER_LOST, reap_stale_runs

from .helpers import connect, run_async, slow_spec, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def start_worker_process(run_id):
    """A separate worker process executing the run's task, on the test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "playground.settings",
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        "RUN_HEARTBEAT_SECONDS": "0.2",
    }
    env.pop("REDIS_URL", None)
    code = ("import django; django.setup(); from playground.runs.tasks import execute_run; "
            f"execute_run.apply(args=[{str(run_id)!r}])")
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_worker_killed_mid_run_leaves_the_run_failed_not_running(client, settings, transactional_db):
    # Not enqueued (an in-process worker might take it): a worker subprocess runs the task.
    run = Run.objects.create(spec=validate(slow_spec(ticks=3000, pause=0.02)), mode="free", scenario="slow-clock")
    created = {"id": str(run.id)}
    process = start_worker_process(created["id"])
    try:
        wait_for(lambda: Run.objects.get(id=created["id"]).events.count() >= 5, what="the run to be under way")
        assert Run.objects.get(id=created["id"]).status == "running"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)

    settings.RUN_STALE_SECONDS = 1.0
    detail = wait_for(lambda: (d := client.get(f"/api/runs/{created['id']}").json())["status"] != "running" and d,
                      what="the reaper to end the run")
    assert detail["status"] == "failed"
    assert detail["error"] == WORKER_LOST

    async def watch():
        comm = await connect(created["id"])
        try:
            while True:
                message = await comm.receive_json_from(timeout=60)
                if message["type"] == "status":
                    return message
        finally:
            await comm.disconnect()

    assert run_async(watch()) == {"type": "status", "status": "failed", "error": WORKER_LOST}


def test_the_reaper_leaves_a_run_with_a_fresh_heartbeat_alone(transactional_db):
    now = timezone.now()
    alive = Run.objects.create(spec={}, status=Run.Status.RUNNING, started=now, heartbeat=now)
    lost = Run.objects.create(spec={}, status=Run.Status.RUNNING, started=now - timedelta(minutes=5),
                              heartbeat=now - timedelta(minutes=5))
    finished = Run.objects.create(spec={}, status=Run.Status.COMPLETED, heartbeat=now - timedelta(minutes=5))

    assert reap_stale_runs() == [lost.id]

    assert Run.objects.get(id=alive.id).status == "running"
    assert Run.objects.get(id=lost.id).status == "failed"
    assert Run.objects.get(id=finished.id).status == "completed"
