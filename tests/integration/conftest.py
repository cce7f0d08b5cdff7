import pytest
from celery.contrib.testing.worker import start_worker

from playground.celery import app as celery_app

from .cast import ada, bob, cast, other_student, other_teacher, other_visitor, student, teacher, visitor  # noqa: F401  (the cast of people)
from .fault_harness import make_deployment, template_database  # noqa: F401  (the fault tests' fixtures)


@pytest.fixture(scope="session")
def _session_worker():
    with start_worker(celery_app, pool="threads", concurrency=2, perform_ping_check=False,
                      loglevel="WARNING", shutdown_timeout=120) as w:
        yield w


@pytest.fixture
def worker(_session_worker, transactional_db):
    """A real Celery worker (thread pool) on the embedded in-memory broker, in this
    process, as `manage.py serve` runs it. Started once; every test ends its runs."""
    return _session_worker
