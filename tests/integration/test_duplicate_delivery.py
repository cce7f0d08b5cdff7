"""A task delivered twice executes its run once: the claim is a compare-and-swap."""

import threading

import pytest
from celery.signals import task_postrun

from playground.runs.models import Run, TraceEvent
from playground.runs.tasks import execute_run

from .helpers import counter_spec, post_run, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_duplicate_task_delivery_does_not_run_twice(client, worker):
    outcomes = []
    lock = threading.Lock()

    def record(sender=None, args=None, retval=None, **kwargs):
        if getattr(sender, "name", None) == execute_run.name:
            with lock:
                outcomes.append((args[0], retval))

    task_postrun.connect(record, weak=False)
    try:
        created = post_run(client, {"scenario": counter_spec(100)})
        execute_run.delay(created["id"])  # the same message again, as a broker redelivery would
        wait_for(lambda: len([o for o in outcomes if o[0] == created["id"]]) == 2, what="both deliveries")
    finally:
        task_postrun.disconnect(record)

    results = sorted(retval for run_id, retval in outcomes if run_id == created["id"])
    assert results == ["completed", "skipped"]
    run = Run.objects.get(id=created["id"])
    assert run.status == "completed"
    stored = list(TraceEvent.objects.filter(run=run).order_by("seq").values_list("seq", flat=True))
    assert stored == list(range(1, len(stored) + 1))
    assert stored[-1] == run.result["seq"]


def test_a_task_for_a_run_that_is_not_queued_does_nothing(transactional_db):
    run = Run.objects.create(spec=counter_spec(1), status=Run.Status.COMPLETED)
    assert execute_run(str(run.id)) == "skipped"
    assert Run.objects.get(id=run.id).status == "completed"
    assert not run.events.exists()
