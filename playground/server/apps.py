from django.apps import AppConfig


class ServerConfig(AppConfig):
    """The embedded deployment's one command, `manage.py serve`: Daphne, a Celery
    worker and the run sweep in one process. Project-level: it uses every app."""

    name = "playground.server"
    label = "server"
