"""The sweep: no run stays queued or running forever, whether or not anyone looks.

Every worker process and the embedded server sweep every RUN_SWEEP_SECONDS:
- a running run whose worker stopped beating for RUN_STALE_SECONDS is failed
  ("worker lost", reaper.py);
- a queued run whose task was sent more than RUN_REQUEUE_SECONDS ago and that no
  worker has claimed is sent again: its message may have died with the broker (a
  Redis restart) or with the server (the in-memory broker). A second delivery of a
  run that is in fact still waiting in the queue is harmless: the claim is a
  compare-and-swap, so only one delivery ever runs it.

For a queued run, `heartbeat` records when its task was last sent.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from .models import Run
from .notify import notify_status
from .reaper import reap_stale_runs

log = logging.getLogger(__name__)

SHUTDOWN = "the server stopped while the run was going on; run it again"
# Set when this process stops: its worker claims no more runs (they stay queued for the next start).
STOPPING = threading.Event()


def requeue_queued_runs(older_than=None):
    """Send again the task of each queued run not claimed for `older_than` seconds."""
    from .actions import enqueue

    wait = settings.RUN_REQUEUE_SECONDS if older_than is None else older_than
    now = timezone.now()
    cutoff = now - timedelta(seconds=wait)
    requeued = 0
    for run in Run.objects.filter(status=Run.Status.QUEUED, heartbeat__lte=cutoff).only("id", "heartbeat", "spec"):
        # Compare-and-swap on the last send time: two sweepers never both send it.
        if Run.objects.filter(id=run.id, status=Run.Status.QUEUED, heartbeat=run.heartbeat).update(heartbeat=now):
            if enqueue(run):
                requeued += 1
    if requeued:
        log.warning("sent the tasks of %d queued run(s) again (lost with the broker?)", requeued)
    return requeued


def running_runs_exist():
    return Run.objects.filter(status=Run.Status.RUNNING).exists()


def cancel_running_runs(reason=SHUTDOWN):
    """End every running run as cancelled (the embedded server stopping: all of them are its own)."""
    ended = 0
    for run_id in Run.objects.filter(status=Run.Status.RUNNING).values_list("id", flat=True):
        if Run.objects.filter(id=run_id, status=Run.Status.RUNNING).update(
                status=Run.Status.CANCELLED, error=reason, finished=timezone.now(), control_channel=""):
            notify_status(run_id, Run.Status.CANCELLED, reason)
            ended += 1
    return ended


def sweep_once():
    reap_stale_runs()
    requeue_queued_runs()


def _sweep_forever(stop):
    while not stop.wait(settings.RUN_SWEEP_SECONDS):
        try:
            sweep_once()
        except Exception:  # the database or broker is down: try again at the next sweep
            log.exception("the sweep failed; trying again in %s s", settings.RUN_SWEEP_SECONDS)
        finally:
            close_old_connections()


_started = {}


def start_sweeper():
    """Start this process's sweeper thread once; returns the event that stops it."""
    stop = _started.get("stop")
    if stop is None:
        stop = _started["stop"] = threading.Event()
        threading.Thread(target=_sweep_forever, args=(stop,), name="run-sweeper", daemon=True).start()
    return stop
