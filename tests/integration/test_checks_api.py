"""POST /api/checks: a lesson's challenge checked — a prediction by its answer, a break
by the learner's run (fetched by id), a fix by exploring the edited spec in the sandbox,
answered with the shortest witness, which replays through POST /api/runs."""

import json

import pytest

from playground.engine.spec import same_value
from playground.scenarios.loader import load_library
from playground.scenarios.models import Progress
from tests.unit import challenge_cases as cases

from .helpers import FINAL, post_run, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def library():
    load_library()


def post(client, body):
    return client.post("/api/checks", json.dumps(body), content_type="application/json")


def finished_run(client, body):
    run = post_run(client, body)
    return wait_for(lambda: (r := client.get(f"/api/runs/{run['id']}").json())["status"] in FINAL and r,
                    what="the run to finish")


def test_a_prediction_is_checked_against_its_answer_and_the_answer_shown_after(visitor):
    right = post(visitor, {"scenario": "bank-withdraw-race", "challenge": "both-succeed", "answer": "yes"})
    wrong = post(visitor, {"scenario": "bank-withdraw-race", "challenge": "both-succeed", "answer": "no"})
    assert right.status_code == wrong.status_code == 200
    assert right.json()["passed"] is True and wrong.json()["passed"] is False
    assert wrong.json()["answer"] == "yes" and wrong.json()["covered"] == "the lesson's answer"


def test_a_fix_fails_with_the_shortest_witness_which_replays_through_the_runs_api(visitor, worker):
    spec = cases.edited("bank-withdraw-race", setup=cases.BANK_RELEASED_EARLY)
    response = post(visitor, {"scenario": "bank-withdraw-race", "challenge": "with-a-lock", "spec": spec})
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["passed"] is False and result["exhaustive"] is True
    assert result["witness_length"] == len(result["witness"]["schedule"]) <= result["longest_witness"]
    witness = result["witness"]
    run = finished_run(visitor, {"scenario": witness["scenario"], "mode": "replay", "schedule": witness["schedule"]})
    assert run["status"] == witness["outcome"]["status"]
    assert same_value(run["result"]["shared"], witness["outcome"]["shared"])


def test_a_signed_in_persons_checks_are_kept_and_a_pass_is_never_undone(ada):
    fixed = post(ada, {"scenario": "bank-withdraw-race", "challenge": "with-a-lock",
                       "spec": cases.reference("bank-withdraw-race", "with-a-lock")})
    assert fixed.json()["passed"] is True, fixed.content
    again = post(ada, {"scenario": "bank-withdraw-race", "challenge": "with-a-lock",
                       "spec": cases.lesson("bank-withdraw-race")})
    assert again.json()["passed"] is False
    post(ada, {"scenario": "shared-x-race", "challenge": "predict-x", "answer": [26, 36]})
    states = {(p.scenario, p.challenge): p.state for p in Progress.objects.all()}
    assert states == {("bank-withdraw-race", "with-a-lock"): "passed", ("shared-x-race", "predict-x"): "tried"}


def test_a_deleted_withdrawal_is_refused(visitor):
    spec = cases.deleting_the_work("bank-withdraw-race", "with-a-lock")
    result = post(visitor, {"scenario": "bank-withdraw-race", "challenge": "with-a-lock", "spec": spec}).json()
    assert result["passed"] is False and result["refused"] is True


def test_a_break_is_recognised_from_the_learners_own_run(visitor, worker):
    lost = ["bank/P1", "bank/P1", "bank/P2", "bank/P2", "bank/P1", "bank/P2", "bank/P1", "bank/P2"]
    run = finished_run(visitor, {"scenario": "bank-withdraw-race", "mode": "replay", "schedule": lost})
    result = post(visitor, {"scenario": "bank-withdraw-race", "challenge": "lost-update", "run": run["id"]}).json()
    assert result["passed"] is True, result["message"]
    assert result["witness"]["schedule"] == lost and result["witness"]["verdict"]["kind"] == "lost-update"
    serial = finished_run(visitor, {"scenario": "bank-withdraw-race", "mode": "replay",
                                    "schedule": ["bank/P1"] * 4 + ["bank/P2"]})
    assert post(visitor, {"scenario": "bank-withdraw-race", "challenge": "lost-update",
                          "run": serial["id"]}).json()["passed"] is False


@pytest.mark.parametrize("body,status,path", [
    ({"scenario": "nope", "challenge": "x", "answer": 1}, 404, ""),
    ({"scenario": "bank-withdraw-race", "challenge": "nope", "answer": 1}, 404, ""),
    ({"scenario": "bank-withdraw-race", "challenge": "with-a-lock"}, 400, "spec"),
    ({"scenario": "bank-withdraw-race", "challenge": "with-a-lock", "spec": {"nodes": []}}, 400, "nodes"),
    ({"scenario": "bank-withdraw-race", "challenge": "lost-update"}, 400, "run"),
    ({"scenario": "bank-withdraw-race", "challenge": "lost-update", "run": "not-an-id"}, 400, "run"),
    ({"scenario": "bank-withdraw-race", "challenge": "lost-update",
      "run": "00000000-0000-0000-0000-000000000000"}, 404, ""),
    ({"scenario": "bank-withdraw-race", "challenge": "both-succeed"}, 400, "answer"),
    ({"challenge": "both-succeed", "answer": "yes"}, 400, "scenario"),
])
def test_bad_checks_are_answered_with_the_path_of_the_problem(visitor, body, status, path):
    response = post(visitor, body)
    assert response.status_code == status, response.content
    assert any(e["path"] == path for e in response.json()["errors"]), response.json()
