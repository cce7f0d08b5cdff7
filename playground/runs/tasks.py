import logging

from celery import shared_task
from django.utils import timezone

from .models import Run

log = logging.getLogger(__name__)


@shared_task(name="playground.runs.execute_run", acks_late=True, ignore_result=True)
def execute_run(run_id):
    """Claim a queued run and execute it. A second delivery of the same message finds
    the run no longer queued and does nothing (compare-and-swap, no lock)."""
    from .sweep import STOPPING

    if STOPPING.is_set():
        return "stopping"  # left queued: the sweep sends it again once a worker is up
    now = timezone.now()
    claimed = Run.objects.filter(id=run_id, status=Run.Status.QUEUED).update(
        status=Run.Status.RUNNING, started=now, heartbeat=now
    )
    if not claimed:
        log.info("run %s: not queued any more (duplicate delivery or cancelled), skipping", run_id)
        return "skipped"
    from .notify import announce

    announce(run_id, Run.Status.RUNNING)
    from .execute import execute  # imported here so the task module loads without the engine

    return execute(run_id)
