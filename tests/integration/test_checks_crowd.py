"""A crowd pressing Check: explorations wait for one of the server's few slots instead of
starting a sandbox each, one person has one exploring check at a time, and a check
that cannot get a slot in time says so (503) rather than hanging. The slot the test
holds stands for another person's exploration under way; everything else is real
(the request, the sandboxed exploration)."""

import json
import threading

import pytest

from playground.api import checkgate
from playground.scenarios.loader import load_library
from tests.unit import challenge_cases as cases

from .helpers import WAIT, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

FIX = {"scenario": "bank-withdraw-race", "challenge": "with-a-lock"}


@pytest.fixture(autouse=True)
def one_slot(settings):
    load_library()
    settings.CHECKS_MAX_RUNNING = 1
    return checkgate.slots()


def post(client, body):
    return client.post("/api/checks", json.dumps(body), content_type="application/json")


def a_fix(client):
    return post(client, {**FIX, "spec": cases.reference("bank-withdraw-race", "with-a-lock")})


def a_prediction(client):
    return post(client, {"scenario": "bank-withdraw-race", "challenge": "both-succeed", "answer": "yes"})


def test_a_check_waits_for_a_busy_slot_and_one_person_has_one_exploring_check(one_slot, visitor, other_visitor):
    assert a_prediction(visitor).status_code == 200  # a visitor is known by the session cookie this gives
    assert one_slot.acquire(timeout=WAIT)  # someone else's exploration
    answers = {}
    waiting = threading.Thread(target=lambda: answers.setdefault("first", a_fix(visitor)))
    waiting.start()
    try:
        wait_for(lambda: any(w.startswith("visitor:") for w in checkgate.exploring()), what="the check to queue")
        again = a_fix(visitor)
        assert again.status_code == 429 and "still exploring" in again.json()["error"]
        stated = a_prediction(other_visitor)
        assert stated.status_code == 200 and stated.json()["passed"]  # no exploration: never queued
    finally:
        one_slot.release()
        waiting.join(timeout=WAIT * 2)
    assert answers["first"].status_code == 200 and answers["first"].json()["passed"], answers["first"].content
    assert checkgate.exploring() == set()
    last = a_fix(visitor)
    assert last.json()["passed"], last.content  # their slot is theirs again


def test_a_check_that_gets_no_slot_in_time_answers_503_and_leaves_nothing_held(one_slot, settings, visitor):
    settings.CHECKS_WAIT_SECONDS = 0
    assert one_slot.acquire(timeout=WAIT)
    try:
        busy = a_fix(visitor)
    finally:
        one_slot.release()
    assert busy.status_code == 503 and "busy" in busy.json()["error"]
    assert checkgate.exploring() == set()
    assert a_fix(visitor).status_code == 200
