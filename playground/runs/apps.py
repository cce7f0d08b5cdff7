from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "playground.runs"
    label = "runs"

    def ready(self):
        # Every Django process (web, worker, manage.py) gets the configured Celery app
        # before a task is sent; @shared_task would otherwise bind to a default one.
        import playground.celery  # noqa: F401

        from . import signals  # noqa: F401  (connects the worker start-up reaper)
