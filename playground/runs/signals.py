"""A worker starting up ends the runs that a dead worker left running and starts
its sweeper; a worker shutting down ends its own runs first."""

import logging

from celery.signals import worker_ready, worker_shutting_down

log = logging.getLogger(__name__)


@worker_ready.connect
def reap_on_worker_start(**kwargs):
    from .reaper import reap_stale_runs

    try:
        reap_stale_runs()
    except Exception:  # a database hiccup must not stop the worker from starting
        log.exception("reaping stale runs at worker start failed")
    from .sweep import start_sweeper

    start_sweeper()


@worker_shutting_down.connect
def end_runs_on_shutdown(**kwargs):
    """A warm shutdown waits for the tasks in progress: stop their sandbox children so
    that each run ends at once as cancelled (with the reason) and its task records it.
    This needs the runs in the worker's own process, hence `--pool threads` (README,
    "Scale-out"): a prefork pool's children are not told of a warm shutdown.
    What the worker spends its time on is waiting for the sandbox child (a process of
    its own) and storing events, so threads lose little against processes here."""
    from playground.engine.sandbox import stop_all

    from .sweep import STOPPING

    STOPPING.set()
    stopped = stop_all("shutdown")
    if stopped:
        log.warning("shutting down: stopped %d run(s) in progress", stopped)


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
