"""Ends runs whose worker died: a running run whose heartbeat stopped is failed."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import Run
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
        result = {"kind": "run.finished", "status": "failed", "error": WORKER_LOST}
        ended = Run.objects.filter(stale, id=run.id, heartbeat=run.heartbeat).update(
            status=Run.Status.FAILED, error=WORKER_LOST, result=result, finished=now, control_channel=""
        )
        if ended:
            log.warning("run %s: no heartbeat since %s, marked failed (%s)", run.id, run.heartbeat, WORKER_LOST)
            notify_status(run.id, Run.Status.FAILED, WORKER_LOST)
            reaped.append(run.id)
    return reaped
