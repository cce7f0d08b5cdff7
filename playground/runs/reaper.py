"""Ends runs whose worker died: a running run whose heartbeat stopped is failed.
Deletes visitors' runs past their retention period (`prune_runs`)."""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from playground.engine.contract import run_finished

from .models import Run, TraceEvent
from .notify import notify_status

log = logging.getLogger(__name__)

WORKER_LOST = "worker lost"


def reap_stale_runs(run_id=None):
    """Mark stale running runs failed; returns the ids it ended.

    Each run is ended by compare-and-swap on (status, heartbeat), so a worker that
    beats at the same moment keeps its run, and two reapers never both end one."""
    now = timezone.now()
    stale = Q(status=Run.Status.RUNNING) & Q(heartbeat__lt=now - timedelta(seconds=settings.RUN_STALE_SECONDS))
    candidates = Run.objects.filter(stale)
    if run_id is not None:
        candidates = candidates.filter(id=run_id)
    reaped = []
    for run in candidates.only("id", "heartbeat"):
        result = {"kind": "run.finished", **run_finished("failed", WORKER_LOST)}
        ended = Run.objects.filter(stale, id=run.id, heartbeat=run.heartbeat).update(
            status=Run.Status.FAILED, error=WORKER_LOST, result=result, finished=now, control_channel=""
        )
        if ended:
            log.warning("run %s: no heartbeat since %s, marked failed (%s)", run.id, run.heartbeat, WORKER_LOST)
            notify_status(run.id, Run.Status.FAILED, WORKER_LOST)
            reaped.append(run.id)
    return reaped


# When this process last pruned (monotonic seconds); workers prune at most once per
# RUNS_PRUNE_INTERVAL_SECONDS, the first time soon after they start.
_last_prune = None
_prune_lock = threading.Lock()


def prune_runs(now=None, chunk=50):
    """Delete visitors' runs (no account) created more than RUNS_VISITOR_RETENTION_DAYS
    ago, with their events; runs still going are left alone, accounts' runs are kept.
    Deletes a few runs per transaction, so a writer is never held up for long.
    Returns the number of runs deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.RUNS_VISITOR_RETENTION_DAYS)
    old = Run.objects.filter(owner__isnull=True, created__lt=cutoff).exclude(
        status__in=[Run.Status.QUEUED, Run.Status.RUNNING])
    deleted = 0
    while True:
        ids = list(old.values_list("id", flat=True)[:chunk])
        if not ids:
            break
        with transaction.atomic():
            TraceEvent.objects.filter(run_id__in=ids).delete()
            deleted += Run.objects.filter(id__in=ids).delete()[1].get(Run._meta.label, 0)
    if deleted:
        log.info("pruned %d visitor runs created before %s", deleted, cutoff.isoformat())
    return deleted


def maybe_prune_runs():
    """Start prune_runs on a thread of its own, if this process has not done so within
    RUNS_PRUNE_INTERVAL_SECONDS (a long delete must not hold up a run's heartbeat)."""
    global _last_prune
    now = time.monotonic()
    with _prune_lock:
        if _last_prune is not None and now - _last_prune < settings.RUNS_PRUNE_INTERVAL_SECONDS:
            return False
        _last_prune = now
    threading.Thread(target=_prune_in_background, name="prune-runs", daemon=True).start()
    return True


def _prune_in_background():
    try:
        prune_runs()
    except Exception:  # a database hiccup: try again at the next interval
        log.exception("pruning old visitor runs failed")
    finally:
        connection.close()
