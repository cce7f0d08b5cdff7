"""The challenge checker (playground/engine/challenges/), in-process: every built-in
lesson's challenges judged — the original fails its fix with a witness that replays to
the bad outcome, the reference solution passes, a fix that deletes the work is refused,
a break run is recognised, a prediction is marked right or wrong."""

import copy
import json
import re

import pytest

from playground.engine.challenges import became_true, check, describe
from playground.engine.runner import collect
from playground.engine.spec import SpecError, same_value, validate
from tests.unit import challenge_cases as cases
from tests.unit.challenge_cases import LESSONS, challenge, challenges, edited, lesson, reference, replayed
from tests.unit.helpers import LIBRARY, finished

SHARED_MEMORY = [slug for slug in LESSONS if len(lesson(slug)["nodes"]) == 1]
IN_PROCESS = {"explore": collect, "replay": collect}


def judge(slug, cid, **kwargs):
    return check(lesson(slug), challenge(slug, cid), **IN_PROCESS, **kwargs)


# -- the lessons carry challenges -----------------------------------------------------

@pytest.mark.parametrize("slug", LESSONS)
def test_every_lesson_has_a_challenge_and_each_shared_memory_one_all_three_kinds(slug):
    kinds = {ch["kind"] for ch in lesson(slug)["challenges"]}
    assert kinds
    if slug in SHARED_MEMORY:
        assert kinds == {"predict", "break", "fix"}
    for ch in lesson(slug)["challenges"]:
        assert ch["text"].strip()
        assert ch["kind"] != "predict" or ch.get("answer") is not None  # a spec may leave it out; a lesson may not


LIST_ITEM = re.compile(r"^\s*(?:[-*]|\d+\.)\s")


@pytest.mark.parametrize("slug", LESSONS)
def test_every_list_in_a_summary_is_a_markdown_list_with_a_blank_line_before_it(slug):
    data = json.loads((LIBRARY / f"{slug}.json").read_text())
    for key in ("summary", "explanation"):
        lines = data.get(key, "").split("\n")
        for before, line in zip(lines, lines[1:], strict=False):
            if LIST_ITEM.match(line):
                assert not before.strip() or LIST_ITEM.match(before) or before.startswith("  "), (slug, key, line)


def test_the_races_run_free_with_a_new_seed_each_time_and_say_so():
    for slug in ("shared-x-race", "bank-withdraw-race"):
        data = json.loads((LIBRARY / f"{slug}.json").read_text())
        assert "seed" not in data["run"]
        assert "new seed" in data["summary"]
    assert "−5" in lesson("bank-withdraw-race")["explanation"] and "lost update" in lesson("bank-withdraw-race")["explanation"]
    assert "stuck" in lesson("forgotten-release")["explanation"]


# -- fix ------------------------------------------------------------------------------

@pytest.mark.parametrize("slug,cid", challenges("fix"))
def test_the_original_fails_its_fix_with_the_shortest_witness_which_replays_to_the_bad_outcome(slug, cid):
    result = judge(slug, cid, edited_spec=cases.original(slug, cid))
    assert not result["passed"] and result["exhaustive"]
    witness = result["witness"]
    assert witness["replays"] is True
    assert result["witness_length"] == len(witness["schedule"]) <= result["longest_witness"]
    assert "exhaustive: all" in result["covered"] and str(result["witness_length"]) in result["message"]
    end = finished(replayed(witness["scenario"], witness["schedule"]))
    assert end["status"] == witness["outcome"]["status"]
    assert same_value(end["shared"], witness["outcome"]["shared"])


@pytest.mark.parametrize("slug,cid", challenges("fix"))
def test_the_reference_solution_passes_its_fix_exhaustively(slug, cid):
    result = judge(slug, cid, edited_spec=reference(slug, cid))
    assert result["passed"], result["message"]
    assert result["exhaustive"] and result["failing"] == 0 and "witness" not in result


@pytest.mark.parametrize("slug,cid", challenges("fix"))
def test_a_fix_that_deletes_the_lessons_work_is_not_accepted(slug, cid):
    result = judge(slug, cid, edited_spec=cases.deleting_the_work(slug, cid))
    assert not result["passed"], result["message"]


def test_deleting_a_withdrawal_is_refused_as_changing_what_the_threads_do():
    result = judge("bank-withdraw-race", "with-a-lock", edited_spec=cases.deleting_the_work("bank-withdraw-race", "with-a-lock"))
    assert result["refused"] and result["message"].startswith("Refused")
    assert "one after another" in result["message"]


def test_a_fix_without_one_of_the_lessons_threads_is_refused():
    spec = copy.deepcopy(reference("bank-withdraw-race", "with-a-lock"))
    spec["nodes"][0]["threads"].pop()
    result = judge("bank-withdraw-race", "with-a-lock", edited_spec=validate(spec))
    assert not result["passed"] and "bank/P2" in result["message"]


def test_the_wrong_fix_lock_released_before_the_write_fails_with_a_lost_update_witness():
    early = edited("bank-withdraw-race", setup=cases.BANK_RELEASED_EARLY)
    result = judge("bank-withdraw-race", "with-a-lock", edited_spec=early)
    assert not result["passed"]
    assert result["witness"]["outcome"]["status"] in ("violated", "completed")
    assert result["witness"]["verdict"]["kind"] in ("violated", "lost-update", "non-serial")


def test_a_search_cut_short_says_so_and_calls_a_pass_evidence_not_proof():
    result = judge("bank-withdraw-race", "with-a-lock", edited_spec=reference("bank-withdraw-race", "with-a-lock"),
                   budget={"max_schedules": 2})
    assert not result["exhaustive"] and "not exhaustive: 2 schedules" in result["covered"]
    assert result["passed"] and "evidence, not proof" in result["message"]


# -- break ----------------------------------------------------------------------------

def bad_and_good_runs(slug, cid):
    """The learner's runs: each outcome the explorer finds, replayed (shared memory), or a
    free run (a distributed lesson, broken by faults)."""
    spec = cases.break_spec(slug, cid)
    if len(spec["nodes"]) > 1:
        return [collect(spec)]
    explored = collect(validate({**copy.deepcopy(spec), "run": {**spec["run"], "mode": "explore"}}))
    result = next(e for e in explored if e["kind"] == "explore.result")
    return [replayed(spec, o["schedule"]) for o in result["outcomes"]]


@pytest.mark.parametrize("slug,cid", challenges("break"))
def test_a_run_that_reaches_the_bad_outcome_is_recognised_and_a_serial_one_is_not(slug, cid):
    spec = cases.break_spec(slug, cid)
    verdicts = [check(lesson(slug), challenge(slug, cid), events=events, edited_spec=spec)
                for events in bad_and_good_runs(slug, cid)]
    assert any(v["passed"] for v in verdicts), [v["message"] for v in verdicts]
    passed = next(v for v in verdicts if v["passed"])
    assert passed["message"].startswith("Broken") and passed["covered"] == "your run"
    if slug in SHARED_MEMORY and challenge(slug, cid)["goal"].get("verdict"):
        runs = bad_and_good_runs(slug, cid)
        serial = [v for v, events in zip(verdicts, runs, strict=True) if finished(events).get("verdict", {}).get("ok")]
        assert all(not v["passed"] for v in serial)


def test_a_break_on_changed_code_does_not_count_unless_the_challenge_allows_edits():
    spec = edited("bank-withdraw-race", threads={"P1": "balance = -5\n"})
    result = judge("bank-withdraw-race", "overdraft", events=collect(spec), edited_spec=spec)
    assert not result["passed"] and "changed code" in result["message"]


def test_the_lost_update_is_recognised_and_named_while_the_overdraft_is_a_different_break():
    spec = lesson("bank-withdraw-race")
    lost = replayed(spec, ["bank/P1", "bank/P1", "bank/P2", "bank/P2", "bank/P1", "bank/P2", "bank/P1", "bank/P2"])
    assert finished(lost)["shared"]["bank"]["balance"] == 3
    named = judge("bank-withdraw-race", "lost-update", events=lost, edited_spec=spec)
    assert named["passed"]
    assert named["message"].startswith("Broken! Lost update: P") and "lost update: lost" not in named["message"].lower()
    assert not judge("bank-withdraw-race", "overdraft", events=lost, edited_spec=spec)["passed"]


def test_a_condition_is_read_off_the_runs_writes_and_sections():
    spec = lesson("bank-withdraw-race")
    events = [{"kind": "var.write", "node": "bank", "name": "balance", "value": -5}]
    assert became_true("balance < 0", events, spec)
    assert not became_true("balance < -5", events, spec)
    assert became_true("inside('db') >= 2", [{"kind": "section.enter", "node": "bank", "section": "db", "inside": 2}],
                       spec)
    assert not became_true("__import__('os')", events, spec)  # nothing but the small evaluator runs


# -- predict --------------------------------------------------------------------------

@pytest.mark.parametrize("slug,cid", challenges("predict"))
def test_a_prediction_is_right_with_the_answer_and_wrong_with_another_choice(slug, cid):
    ch = challenge(slug, cid)
    right = judge(slug, cid, answer=ch["answer"]) if not isinstance(ch["answer"], dict) else None
    computed = judge(slug, cid, answer=[0.5])  # learns the computed answer
    answer = right["answer"] if right else computed["answer"]
    assert judge(slug, cid, answer=answer)["passed"]
    wrong = next(c for c in ch["choices"] if not (isinstance(answer, list) and [c] == answer) and c != answer)
    assert not judge(slug, cid, answer=wrong)["passed"]


def test_the_computed_predictions_are_the_values_the_explorer_finds():
    assert judge("shared-x-race", "predict-x", answer=[6, 25, 26, 36])["passed"]
    assert judge("shared-x-race", "predict-x", answer=["36", "26", "6", "25"])["passed"]
    assert not judge("shared-x-race", "predict-x", answer=[26, 36])["passed"]
    result = judge("bank-withdraw-lock", "endings", answer=[2, 3])
    assert result["passed"] and result["exhaustive"] and "explorer" in result["covered"]


# -- the spec's challenges ------------------------------------------------------------

def errors_of(challenges_):
    data = json.loads((LIBRARY / "bank-withdraw-race.json").read_text())
    data["challenges"] = challenges_
    with pytest.raises(SpecError) as err:
        validate(data)
    return {e["path"]: e["message"] for e in err.value.errors}


def test_bad_challenges_are_refused_at_their_paths():
    errors = errors_of([
        {"id": "a", "kind": "predict", "text": "?", "choices": [1, 2], "answer": 3},
        {"id": "a", "kind": "break", "text": "!", "goal": {"verdict": "lost"}},
        {"id": "c", "kind": "fix", "text": "!", "goal": {"never": "balance <"}, "keeps": {"shared": {"bank": {"b": 1}}}},
        {"id": "d", "kind": "fix", "text": "!"},
        {"id": "e", "kind": "predict", "text": "?", "answer": {"from": "explore", "value": "bank.nothing"}},
        {"id": "f", "kind": "break", "text": "!", "goal": {"event": {"kind": "no.such"}, "speed": 1}},
    ])
    assert "not one of the choices" in errors["challenges[0].answer"]
    assert "duplicate" in errors["challenges[1].id"]
    assert "a verdict" in errors["challenges[1].goal.verdict"]
    assert "SyntaxError" in errors["challenges[2].goal.never"]
    assert "no shared variable" in errors["challenges[2].keeps.shared.bank.b"]
    assert "needs a goal" in errors["challenges[3].goal"]
    assert "no shared variable" in errors["challenges[4].answer.value"]
    assert "event kind" in errors["challenges[5].goal.event"]
    assert "unknown break goal" in errors["challenges[5].goal.speed"]


def test_an_outcome_is_described_in_one_line():
    assert describe({"status": "completed", "shared": {"bank": {"balance": 3}},
                     "outputs": {"bank/P1": ["3"], "bank/P2": ["3"]}}) == "balance = 3 · P1: 3 · P2: 3"
