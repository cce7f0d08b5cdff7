from django.core.management.base import BaseCommand, CommandError

from playground.engine.spec import SpecError
from playground.scenarios.loader import LIBRARY_DIR, load_library


class Command(BaseCommand):
    help = "Load (or refresh) the built-in lessons from playground/scenarios/library/*.json."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(LIBRARY_DIR), help="folder of scenario JSON files")

    def handle(self, *args, dir, **options):
        try:
            created, updated = load_library(dir)
        except SpecError as exc:
            raise CommandError(f"invalid scenario: {exc}") from None
        self.stdout.write(f"library: {created} created, {updated} updated")
