"""A run's time is bounded by its mode, and its Celery task's time limits follow from
its own timeout: a step run may last 30 minutes, other modes 2."""

import json
import threading

import pytest
from celery.signals import task_prerun

from playground.runs.limits import task_time_limits
from playground.runs.models import Run
from playground.runs.tasks import execute_run

from .helpers import counter_spec, post_run, spec, wait_for

STEP_CODE = "clock = clock + 1\n"
THIRTY_MINUTES = 30 * 60_000


def step_spec(timeout_ms=60_000):
    return spec("long-step", [("T", STEP_CODE)], shared={"clock": 0}, mode="step", timeout_ms=timeout_ms)


def post(client, body):
    return client.post("/api/runs", json.dumps(body), content_type="application/json")


@pytest.fixture
def published(monkeypatch):
    """The keyword arguments of every execute_run message sent (instead of sending it)."""
    sent = []
    monkeypatch.setattr(execute_run, "apply_async", lambda *args, **kwargs: sent.append(kwargs))
    return sent


@pytest.mark.django_db
def test_a_step_run_may_ask_for_thirty_minutes_and_its_task_may_outlast_them(
        client, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = post_run(client, {"scenario": step_spec(), "timeout_ms": THIRTY_MINUTES})

    assert Run.objects.get(id=created["id"]).spec["run"]["timeout_ms"] == THIRTY_MINUTES
    [message] = published
    assert message["args"] == [created["id"]]
    assert 30 * 60 < message["soft_time_limit"] < message["time_limit"]


@pytest.mark.django_db
def test_a_short_run_gets_short_time_limits(client, published, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        post_run(client, {"scenario": counter_spec(), "timeout_ms": 5_000})

    [message] = published
    grace = settings.RUN_DEADLINE_GRACE_SECONDS + settings.RUN_TASK_GRACE_SECONDS
    assert message["soft_time_limit"] == pytest.approx(5 + grace, abs=1)
    assert message["time_limit"] == pytest.approx(message["soft_time_limit"] + settings.RUN_TASK_KILL_SECONDS, abs=1)
    assert message["time_limit"] < settings.CELERY_TASK_TIME_LIMIT


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["free", "explore", "replay"])
def test_other_modes_may_not_ask_for_more_than_two_minutes(client, mode):
    body = {"scenario": counter_spec(), "mode": mode, "timeout_ms": 2 * 60_000 + 1}
    if mode == "replay":
        body["schedule"] = ["box/A"]

    response = post(client, body)

    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["run.timeout_ms"]
    assert not Run.objects.exists()


@pytest.mark.django_db
def test_two_minutes_is_allowed_for_a_free_run(client, published):
    assert post(client, {"scenario": counter_spec(), "timeout_ms": 2 * 60_000}).status_code == 201


@pytest.mark.django_db
def test_a_spec_asking_for_a_long_free_run_is_refused_like_an_override(client):
    long_free = counter_spec()
    long_free["run"]["timeout_ms"] = 10 * 60_000

    response = post(client, {"scenario": long_free})

    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "run.timeout_ms"
    assert "2 min" in response.json()["errors"][0]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("timeout_ms", [THIRTY_MINUTES + 1, 50, "long", None])
def test_a_timeout_override_out_of_bounds_or_not_a_number_is_refused(client, timeout_ms):
    response = post(client, {"scenario": step_spec(), "timeout_ms": timeout_ms})

    assert response.status_code == 400
    assert all(e["path"].startswith("run.timeout_ms") for e in response.json()["errors"])


def test_time_limits_grow_with_the_timeout():
    short, long = task_time_limits(step_spec(10_000)), task_time_limits(step_spec(THIRTY_MINUTES))
    assert short[0] < short[1] < long[0] < long[1]
    assert long[0] > THIRTY_MINUTES / 1000


@pytest.mark.django_db(transaction=True)
def test_the_worker_receives_the_runs_own_time_limits(client, worker):
    seen = {}
    done = threading.Event()

    def record(sender=None, task_id=None, task=None, args=None, **kwargs):
        if getattr(sender, "name", None) == execute_run.name:
            seen[args[0]] = tuple(task.request.timelimit or ())
            done.set()

    task_prerun.connect(record, weak=False)
    try:
        created = post_run(client, {"scenario": step_spec(), "timeout_ms": THIRTY_MINUTES})
        wait_for(lambda: created["id"] in seen, what="the task to start")
    finally:
        task_prerun.disconnect(record)
        client.post(f"/api/runs/{created['id']}/cancel")
        wait_for(lambda: Run.objects.get(id=created["id"]).is_final, what="the run to end")

    hard, soft = seen[created["id"]]
    assert (soft, hard) == task_time_limits(Run.objects.get(id=created["id"]).spec)
