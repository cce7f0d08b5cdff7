"""A worker starting up ends the runs that a dead worker left running."""

import logging

from celery.signals import worker_ready

log = logging.getLogger(__name__)


@worker_ready.connect
def reap_on_worker_start(**kwargs):
    from .reaper import reap_stale_runs

    try:
        reap_stale_runs()
    except Exception:  # a database hiccup must not stop the worker from starting
        log.exception("reaping stale runs at worker start failed")
