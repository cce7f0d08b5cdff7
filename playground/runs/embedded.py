"""A Celery worker inside the server process, for the embedded deployment: the
in-memory broker only reaches consumers in the same process."""

import logging
import socket
import threading

from celery.worker import WorkController

from playground.celery import app

log = logging.getLogger(__name__)


def start_embedded_worker(concurrency):
    """Start a thread-pool worker on a daemon thread; returns the WorkController.

    The plain WorkController (not celery.apps.worker.Worker) installs no signal
    handlers, which only the main thread may do; Daphne keeps those."""
    app.finalize()
    app.set_current()
    ready = threading.Event()
    worker = WorkController(
        app=app,
        hostname=f"embedded@{socket.gethostname()}",
        pool_cls="threads",
        concurrency=concurrency,
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        ready_callback=lambda *args: ready.set(),
    )
    threading.Thread(target=worker.start, name="embedded-celery", daemon=True).start()
    if not ready.wait(timeout=30):
        log.warning("the embedded Celery worker has not reported ready after 30 s")
    return worker
