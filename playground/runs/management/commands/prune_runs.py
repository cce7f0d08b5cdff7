"""`python manage.py prune_runs`: delete visitors' runs older than RUNS_VISITOR_RETENTION_DAYS.

Workers also do it by themselves, at most once per RUNS_PRUNE_INTERVAL_SECONDS; this is
for a cron job, or to do it now."""

from django.conf import settings
from django.core.management.base import BaseCommand

from playground.runs.reaper import prune_runs


class Command(BaseCommand):
    help = "Delete visitors' runs (and their events) older than RUNS_VISITOR_RETENTION_DAYS; accounts' runs are kept."

    def handle(self, *args, **options):
        deleted = prune_runs()
        self.stdout.write(f"deleted {deleted} visitor run(s) older than "
                          f"{settings.RUNS_VISITOR_RETENTION_DAYS:g} days")
