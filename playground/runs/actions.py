"""What the API and the WebSocket consumer do to runs: create, cancel, control."""

import logging

from django.db import transaction
from django.utils import timezone

from playground.engine.spec import without_answers

from .limits import task_time_limits
from .models import Run
from .notify import notify_status, send_control
from .tasks import execute_run

log = logging.getLogger(__name__)

CONTROL_TYPES = frozenset({"step", "continue", "deliver", "fault", "cancel"})


def create_run(spec, scenario_slug="", owner=None, visitor=""):
    """Store a queued run for a validated spec and enqueue it once the row is committed
    (a worker must never look for a run that is not there yet), with time limits that
    follow from the run's own timeout. `owner` (a user) or `visitor` (a session key)
    is whose run it is (playground/runs/quota.py). Anyone with a run's id may read its
    spec, so a lesson's predict answers are not stored with it."""
    spec = without_answers(spec)
    run_settings = spec.get("run") or {}
    with transaction.atomic():
        run = Run.objects.create(
            spec=spec,
            scenario=scenario_slug or spec.get("slug", ""),
            mode=run_settings.get("mode", "free"),
            owner=owner,
            visitor=visitor if owner is None else "",
            heartbeat=timezone.now(),  # for a queued run: when its task was sent (sweep.py)
        )
        transaction.on_commit(lambda: enqueue(run))
    return run


def enqueue(run):
    """Send a run's task, with time limits that follow from its own timeout. If the
    broker cannot take it now, the run stays queued and the sweep sends it again once
    the broker is back (playground/runs/sweep.py); the caller is not failed for it."""
    soft, hard = task_time_limits(run.spec)
    try:
        execute_run.apply_async(args=[str(run.id)], soft_time_limit=soft, time_limit=hard,
                                retry=True, retry_policy={"max_retries": 1, "interval_start": 0,
                                                          "interval_step": 0.2, "interval_max": 0.2})
    except Exception:
        log.warning("run %s: the broker did not take its task; the sweep will send it again", run.id,
                    exc_info=True)
        return False
    return True


def may_cancel(run_id, user, visitor):
    """None if there is no such run, else whether `user` (signed in) or the browser session
    `visitor` owns it: only a run's owner may cancel it (the API and the WebSocket alike)."""
    run = Run.objects.filter(id=run_id).only("owner_id", "visitor").first()
    return None if run is None else run.is_owned_by(user, visitor)


def request_cancel(run_id):
    """Cancel a run; returns its status afterwards, or None if there is no such run.

    A queued run is cancelled on the spot (its task will then find it not queued).
    A running run gets the flag its worker polls and, for speed, a control message."""
    now = timezone.now()
    if Run.objects.filter(id=run_id, status=Run.Status.QUEUED).update(
        status=Run.Status.CANCELLED, finished=now, error="cancelled before it started", cancel_requested=True
    ):
        notify_status(run_id, Run.Status.CANCELLED, "cancelled before it started")
        return Run.Status.CANCELLED
    Run.objects.filter(id=run_id, status=Run.Status.RUNNING).update(cancel_requested=True)
    run = Run.objects.filter(id=run_id).only("status", "control_channel").first()
    if run is None:
        return None
    if run.status == Run.Status.RUNNING:
        send_control(run.control_channel, {"type": "cancel"})
    return run.status


def control_channel_of(run_id):
    return Run.objects.filter(id=run_id, status=Run.Status.RUNNING).values_list(
        "control_channel", flat=True).first() or ""
