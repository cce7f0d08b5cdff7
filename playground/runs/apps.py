from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "playground.runs"
    label = "runs"

    def ready(self):
        from . import signals  # noqa: F401  (connects the worker start-up reaper)
