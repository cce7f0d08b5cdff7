"""A classroom: one teacher, seats (students without accounts), activities the teacher
pushes, the answers given to them, and which runs belong to which seat. The database
is the record; the channel layer only tells the open pages to read it again."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from playground.runs.models import Run

# Join codes: no look-alikes (0/O/Q/D, 1/I/L, 2/Z, 5/S, 8/B, U/V).
CODE_ALPHABET = "ACEFGHJKMNPRTWXY34679"
CODE_LENGTH = 6
TEACHERS_GROUP = "teachers"


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_secret():
    return secrets.token_urlsafe(16)


class Classroom(models.Model):
    code = models.CharField(max_length=CODE_LENGTH, db_index=True)
    title = models.CharField(max_length=200)
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classrooms")
    created = models.DateTimeField(default=timezone.now)
    ended = models.DateTimeField(null=True, blank=True)
    activity = models.ForeignKey("Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 help_text="the activity the students are on now")
    spotlight = models.JSONField(null=True, blank=True, help_text="what the projector shows")

    class Meta:
        ordering = ["-created"]
        # A code is unique among open classes; an ended class frees its code.
        constraints = [models.UniqueConstraint(fields=["code"], condition=Q(ended__isnull=True),
                                               name="classroom_open_code_unique")]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def is_open(self):
        return self.ended is None

    @property
    def group(self):
        return f"classroom.{self.code}"


class Seat(models.Model):
    """A student's place in a class: a display name and the secret of their signed cookie."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="seats")
    name = models.CharField(max_length=40)
    name_key = models.CharField(max_length=40, help_text="the name folded, for uniqueness")
    secret = models.CharField(max_length=32, default=new_secret)
    joined = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(null=True, blank=True)
    connections = models.IntegerField(default=0, help_text="open WebSockets (presence)")
    edited = models.DateTimeField(null=True, blank=True, help_text="last time the page said the code was edited")
    removed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined", "id"]
        constraints = [models.UniqueConstraint(fields=["classroom", "name_key"], condition=Q(removed__isnull=True),
                                               name="seat_name_unique_in_class")]

    def __str__(self):
        return f"{self.name} in {self.classroom.code}"


class Activity(models.Model):
    class Mode(models.TextChoices):
        PREDICT = "predict"
        BREAK = "break"
        FIX = "fix"
        RUN = "run"

    class Editing(models.TextChoices):
        LOCKED = "locked"
        OPEN = "open"

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="activities")
    number = models.PositiveIntegerField(default=1)
    scenario = models.CharField(max_length=100, blank=True, help_text="slug")
    spec = models.JSONField()
    mode = models.CharField(max_length=10, choices=Mode.choices)
    challenge = models.CharField(max_length=100, blank=True)
    question = models.JSONField(null=True, blank=True, help_text='{"text", "choices"?}')
    editing = models.CharField(max_length=10, choices=Editing.choices, default=Editing.LOCKED)
    created = models.DateTimeField(default=timezone.now)
    vote = models.PositiveSmallIntegerField(default=1, help_text="the current vote, 1 or 2")
    vote_open = models.BooleanField(default=True)
    revealed = models.JSONField(default=list, help_text="the votes whose tally has been revealed")
    exploration = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["classroom", "number"]

    def __str__(self):
        return f"{self.classroom.code} #{self.number} {self.mode} {self.scenario}"


class Answer(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="answers")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="answers")
    vote = models.PositiveSmallIntegerField()
    answer = models.JSONField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "seat", "vote"], name="answer_once_per_vote")]


class SeatRun(models.Model):
    """A run started with a seat's cookie: the seat's run, for the dashboard, and the
    activity the student was on. Kept here so that the runs app knows nothing of classes."""

    run = models.OneToOneField(Run, primary_key=True, on_delete=models.CASCADE, related_name="seat_link")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="runs")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    created = models.DateTimeField(default=timezone.now, db_index=True)


class SeatCheck(models.Model):
    """A challenge a student checked in class (POST /api/classrooms/<code>/checks): the
    checker's answer, kept so the dashboard shows it (the seat's latest on the activity)."""

    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="checks")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="checks")
    challenge = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, help_text="predict, break or fix")
    passed = models.BooleanField()
    message = models.TextField()
    result = models.JSONField(help_text="the checker's whole answer (POST /api/checks)")
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            help_text="break: the run checked")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "id"]
