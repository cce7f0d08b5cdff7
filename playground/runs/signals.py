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


@worker_ready.connect
def say_whether_snippets_are_isolated(**kwargs):
    """A worker that cannot build the sandbox says so once at start (each run it is
    given then ends with the same reason); one that runs without it says that too."""
    from playground.engine import boundary

    try:
        boundary.check()
    except boundary.BoundaryUnavailable as exc:
        log.error("%s", exc)
        return
    if boundary.mode() == "python-only":
        log.warning("PLAYGROUND_SANDBOX=python-only: snippets run WITHOUT the operating-system sandbox")
