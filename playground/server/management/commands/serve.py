"""`manage.py serve`: the whole playground in one process (Daphne + a Celery worker).

SIGTERM or Ctrl-C stops it within a few seconds: the runs it is executing end as
`cancelled` with the reason, every sandbox child is killed, then Daphne stops.
Runs still queued stay queued in the database and are sent again at the next start
(the in-memory broker forgets them).
"""

import os
import signal
import threading
import time

from daphne.server import Server
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Serve the playground with Daphne and an embedded Celery worker (the embedded deployment)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start the embedded worker (separate `celery -A playground worker`s run)")
        parser.add_argument("--concurrency", type=int, default=settings.EMBEDDED_WORKER_CONCURRENCY,
                            help="runs the embedded worker executes at once")

    def handle(self, *args, port, host, no_worker, concurrency, **options):
        self.check(display_num_errors=False)
        self.check_migrations_applied()
        self.say_whether_snippets_are_isolated()
        if not no_worker:
            from playground.runs.embedded import start_embedded_worker
            from playground.runs.reaper import reap_stale_runs

            reap_stale_runs()  # runs the previous server process left running
            start_embedded_worker(concurrency)
            from playground.runs.sweep import requeue_queued_runs, start_sweeper

            requeue_queued_runs(older_than=0)  # the in-memory broker forgot them with the last process
            start_sweeper()
        elif not settings.REDIS_URL:
            self.stderr.write("warning: --no-worker with the in-memory broker: runs will stay queued")

        from playground.asgi import application

        url = f"http://{host}:{port}/"
        server = Server(
            application=application,
            endpoints=[f"tcp:port={port}:interface={host}"],
            signal_handlers=False,  # ours below: end the runs first, then stop Daphne
            application_close_timeout=2,
            verbosity=int(options.get("verbosity", 1)),
            ready_callable=lambda: self.stdout.write(f"Playground running at {url}  (Ctrl-C to stop)"),
        )
        stopping = threading.Event()

        def on_signal(signum, frame):
            if not stopping.is_set():
                stopping.set()
                self.stdout.write("Stopping: ending the runs in progress…")
                threading.Thread(target=self.stop_gracefully, args=(not no_worker,), name="graceful-stop",
                                 daemon=True).start()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        server.run()

    def stop_gracefully(self, embedded_worker):
        """End this process's runs as cancelled (their tasks record it), then stop Daphne."""
        from twisted.internet import reactor

        from playground.engine.sandbox import stop_all

        try:
            if embedded_worker:
                from playground.runs.sweep import STOPPING

                STOPPING.set()  # no more claims: queued runs wait for the next start
            stop_all("shutdown")
            if embedded_worker:
                from playground.runs.sweep import cancel_running_runs, running_runs_exist

                deadline = time.monotonic() + 3
                while running_runs_exist() and time.monotonic() < deadline:
                    time.sleep(0.05)  # their tasks are recording how they ended
                cancel_running_runs()  # any that did not get there in time: all runs here are ours
        finally:
            reactor.callFromThread(reactor.stop)

    def say_whether_snippets_are_isolated(self):
        from playground.engine import boundary

        try:
            boundary.check()
        except boundary.BoundaryUnavailable as exc:
            self.stderr.write(f"error: {exc}")
            return
        if boundary.mode() == "python-only":
            self.stderr.write("warning: PLAYGROUND_SANDBOX=python-only: snippets run WITHOUT the operating-system "
                              "sandbox; use this server alone, on a machine of your own")

    def check_migrations_applied(self):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("the database is not migrated: run `python manage.py migrate` (make run does)")
