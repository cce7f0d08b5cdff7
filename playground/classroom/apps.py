from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    name = "playground.classroom"
    label = "classroom"
    verbose_name = "Classrooms"

    def ready(self):
        # A run of a seat changing status marks its classroom's dashboard dirty.
        from playground.runs.notify import status_changed

        from . import notifier

        status_changed.connect(notifier.run_status_changed, dispatch_uid="classroom-run-status")
