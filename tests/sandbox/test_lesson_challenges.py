"""Every built-in fix challenge checked as the API checks it: the learner's code explored
in the real sandbox child, the witness replayed there too."""

import pytest

from playground.engine.challenges import check
from playground.engine.sandbox import run_sandboxed
from playground.engine.spec import same_value
from tests.unit import challenge_cases as cases
from tests.unit.challenge_cases import challenge, challenges, lesson


@pytest.mark.parametrize("slug,cid", challenges("fix"))
def test_a_fix_check_in_the_sandbox_fails_the_original_and_passes_the_reference(slug, cid):
    failed = check(lesson(slug), challenge(slug, cid), edited_spec=cases.original(slug, cid))
    assert not failed["passed"] and failed["exhaustive"]
    witness = failed["witness"]
    assert witness["replays"] is True and witness["verdict"]["ok"] is False
    replay = run_sandboxed({**witness["scenario"], "run": {**witness["scenario"]["run"], "mode": "replay",
                                                           "schedule": witness["schedule"]}})
    assert replay[-1]["status"] == witness["outcome"]["status"]
    assert same_value(replay[-1]["shared"], witness["outcome"]["shared"])

    passed = check(lesson(slug), challenge(slug, cid), edited_spec=cases.reference(slug, cid))
    assert passed["passed"], passed["message"]
    assert passed["exhaustive"] and passed["covered"].startswith("exhaustive: all")


def test_a_learners_code_that_misbehaves_is_explored_in_the_sandbox_and_answered():
    hostile = cases.edited("shared-x-race", threads={"P1": "open('/etc/passwd').read()\nx = x * x\n"})
    result = check(lesson("shared-x-race"), challenge("shared-x-race", "make-it-atomic"), edited_spec=hostile)
    assert not result["passed"]
    assert result["witness"]["outcome"]["status"] == "failed"
