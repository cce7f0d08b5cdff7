"""`manage.py serve`: the whole playground in one process (Daphne + a Celery worker)."""

import os

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
        elif not settings.REDIS_URL:
            self.stderr.write("warning: --no-worker with the in-memory broker: runs will stay queued")

        from playground.asgi import application

        url = f"http://{host}:{port}/"
        Server(
            application=application,
            endpoints=[f"tcp:port={port}:interface={host}"],
            signal_handlers=True,
            verbosity=int(options.get("verbosity", 1)),
            ready_callable=lambda: self.stdout.write(f"Playground running at {url}  (Ctrl-C to stop)"),
        ).run()

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
