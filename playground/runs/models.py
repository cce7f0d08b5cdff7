import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from playground.engine import contract


class Run(models.Model):
    """One execution of a scenario spec (or an uploaded trace), and its outcome."""

    # The statuses come from the engine's event contract (playground/engine/contract.py).
    Status = models.TextChoices("Status", [(status.upper(), status) for status in contract.RUN_STATUSES])

    # Statuses after which nothing about the run changes any more.
    FINAL = frozenset(contract.FINAL_STATUSES)

    class Source(models.TextChoices):
        EXECUTION = "execution"
        UPLOAD = "upload"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    mode = models.CharField(max_length=16, blank=True)
    scenario = models.CharField(max_length=100, blank=True, help_text="slug of the scenario run")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.EXECUTION)
    spec = models.JSONField(default=dict)
    result = models.JSONField(null=True, blank=True, help_text="the run.finished event")
    error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    # The child's epoch clock at the run's t = 0: an event happened at wall + its t.
    wall = models.FloatField(null=True, blank=True)
    # Cancel travels two ways: a control message (fast) and this flag, which the
    # worker's heartbeat reads, because the channel layer may drop a message.
    cancel_requested = models.BooleanField(default=False)
    # The channel-layer channel the worker listens on for controls (step, deliver, …).
    control_channel = models.CharField(max_length=200, blank=True)
    # Whose run it is: a signed-in person, or a visitor's browser session (its session
    # key). Stored traces count against the owner's cap (playground/runs/quota.py), and
    # visitors' runs are deleted after a retention period (reaper.prune_runs).
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="runs")
    visitor = models.CharField(max_length=64, blank=True, db_index=True)
    # Bytes of stored events (their JSON), kept up to date by the worker as it stores them.
    trace_bytes = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["status", "heartbeat"], name="run_status_heartbeat"),
                   models.Index(fields=["owner", "created"], name="run_owner_created")]

    def __str__(self):
        return f"{self.scenario or 'run'} {self.id} ({self.status})"

    def is_owned_by(self, user, visitor):
        """The signed-in `user`, or the visitor whose session key is `visitor`, owns it."""
        if self.owner_id is not None:
            return user is not None and user.is_authenticated and user.pk == self.owner_id
        return bool(visitor) and self.visitor == visitor

    @property
    def is_final(self):
        return self.status in self.FINAL

    @property
    def group(self):
        return group_name(self.id)

    @property
    def ws_path(self):
        return f"/ws/runs/{self.id}/"

    @property
    def trace_path(self):
        return f"/api/runs/{self.id}/trace?format=jsonl"


def group_name(run_id):
    """The channel-layer group that receives a run's live events and status."""
    return f"run.{run_id}"


class TraceEvent(models.Model):
    """One playground.event/1 event of a run; `data` is the whole event as emitted."""

    id = models.BigAutoField(primary_key=True)
    # No separate index on run: the unique (run, seq) index starts with it.
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    data = models.JSONField()

    class Meta:
        ordering = ["run", "seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="trace_event_run_seq_unique")]

    def __str__(self):
        return f"{self.run_id} #{self.seq} {self.kind}"
