"""Lessons of issue 13's "Threads and shared state" (in-process checks): producer-consumer
and readers-writers make their point on every explored schedule, their fix checks fail
the lesson's code with a witness that replays and pass the reference solutions (kept
here, never in the lesson files), and a fix that drops the work is refused."""

import copy

import pytest

from playground.engine.challenges import check
from playground.engine.runner import collect
from playground.engine.spec import same_value, validate
from tests.unit.helpers import builtin, finished, kinds

IN_PROCESS = {"explore": collect, "replay": collect}


def challenge(spec: dict, cid: str) -> dict:
    return next(ch for ch in spec["challenges"] if ch["id"] == cid)


def with_setup(spec: dict, *swaps: tuple[str, str]) -> dict:
    data = copy.deepcopy(spec)
    setup = data["nodes"][0]["setup"]
    for old, new in swaps:
        assert old in setup, old
        setup = setup.replace(old, new)
    data["nodes"][0]["setup"] = setup
    return validate(data)


def with_thread(spec: dict, thread: str, code: str) -> dict:
    data = copy.deepcopy(spec)
    next(t for t in data["nodes"][0]["threads"] if t["name"] == thread)["code"] = code
    return validate(data)


def explored(spec: dict) -> dict:
    data = copy.deepcopy(spec)
    data["run"] = {**data["run"], "mode": "explore"}
    result = next(e for e in collect(validate(data)) if e["kind"] == "explore.result")
    assert result["exhaustive"]
    return result


def replayed(spec: dict, schedule: list[str]) -> list[dict]:
    data = copy.deepcopy(spec)
    data["run"] = {**data["run"], "mode": "replay", "schedule": schedule}
    return collect(validate(data))


# -- reference solutions (and fixes that drop the work) ----------------------------------

def check_again(spec: dict) -> dict:
    """The textbook's monitor: a woken thread looks at the condition again."""
    return with_setup(spec, ("if count == SIZE:", "while count == SIZE:"), ("if count == 0:", "while count == 0:"))


def writer_preference(spec: dict) -> dict:
    """A reader also waits while a writer waits."""
    return with_setup(spec, ("while writing:  ", "while writing or waiting_writers > 0:  "))


def one_consumer_less(spec: dict) -> dict:
    return with_thread(check_again(spec), "C2", "pass\n")


def no_writer(spec: dict) -> dict:
    return with_thread(writer_preference(spec), "W", "pass\n")


REFERENCES = {("producer-consumer", "check-again"): check_again,
              ("readers-writers", "writer-preference"): writer_preference}
DROPPING_THE_WORK = {("producer-consumer", "check-again"): one_consumer_less,
                     ("readers-writers", "writer-preference"): no_writer}
# The distributed lessons' breaks, by faults the learner chooses (the lesson's own faults kept).
BREAK_FAULTS = {("three-tier-web", "no-data"): [{"at_ms": 0, "action": "crash", "node": "db"}],
                ("mailbox", "lose-the-letters"): [{"at_ms": 0, "action": "crash", "node": "receiver"},
                                                  {"at_ms": 600, "action": "restart", "node": "receiver"},
                                                  {"at_ms": 300, "action": "crash", "node": "mailbox"}]}


# -- producer-consumer ---------------------------------------------------------------------

def test_producer_consumer_with_if_takes_an_item_twice_and_loses_the_other_on_some_schedule():
    outcomes = explored(builtin("producer-consumer"))["outcomes"]
    takes = [sorted(o["shared"]["buffer"]["taken"]) for o in outcomes]
    assert ["apple", "apple"] in takes            # the double take: pear is lost
    assert ["apple", "pear"] in takes             # and the right ending on others
    double = next(o for o in outcomes if sorted(o["shared"]["buffer"]["taken"]) == ["apple", "apple"])
    events = replayed(builtin("producer-consumer"), double["schedule"])
    counts = [e["value"] for e in kinds(events, "var.write") if e["name"] == "count"]
    assert min(counts) == -1                      # a consumer took from an empty buffer


def test_producer_consumer_with_while_gives_every_item_exactly_once_on_every_schedule():
    outcomes = explored(check_again(builtin("producer-consumer")))["outcomes"]
    assert outcomes and all(o["status"] == "completed" for o in outcomes)
    assert all(sorted(o["shared"]["buffer"]["taken"]) == ["apple", "pear"] for o in outcomes)


# -- readers-writers -----------------------------------------------------------------------

def test_readers_preference_lets_a_reader_overtake_a_waiting_writer_and_never_mixes_them():
    spec = builtin("readers-writers")
    outcomes = explored(spec)["outcomes"]
    assert any(o["shared"]["db"]["overtaken"] == 1 for o in outcomes)
    overtaking = next(o for o in outcomes if o["shared"]["db"]["overtaken"] == 1)
    events = replayed(spec, overtaking["schedule"])
    lines = [e["text"] for e in kinds(events, "output")]
    assert lines.index("R2 reads") < lines.index("writer wrote version 1")   # W asked first, wrote last
    waited = next(i for i, e in enumerate(events) if e["kind"] == "var.write" and e["name"] == "waiting_writers"
                  and e["value"] == 1)
    r2_in = next(i for i, e in enumerate(events) if e["kind"] == "section.enter" and e["thread"] == "db/R2")
    assert waited < r2_in


def test_writer_preference_never_lets_a_reader_pass_a_waiting_writer():
    outcomes = explored(writer_preference(builtin("readers-writers")))["outcomes"]
    assert outcomes and all(o["status"] == "completed" and o["shared"]["db"]["overtaken"] == 0 for o in outcomes)


# -- the checks, in-process ----------------------------------------------------------------

@pytest.mark.parametrize("slug,cid", sorted(REFERENCES))
def test_the_fix_check_fails_the_lesson_with_a_replaying_witness_and_passes_the_reference(slug, cid):
    spec = builtin(slug)
    ch = challenge(spec, cid)
    failed = check(spec, ch, edited_spec=spec, **IN_PROCESS)
    assert not failed["passed"] and failed["exhaustive"], failed["message"]
    witness = failed["witness"]
    assert witness["replays"] is True and witness["verdict"]["kind"] == "violated"
    end = finished(replayed(witness["scenario"], witness["schedule"]))
    assert end["status"] == "violated" and same_value(end["shared"], witness["outcome"]["shared"])

    passed = check(spec, ch, edited_spec=REFERENCES[slug, cid](spec), **IN_PROCESS)
    assert passed["passed"] and passed["exhaustive"], passed["message"]

    dropped = check(spec, ch, edited_spec=DROPPING_THE_WORK[slug, cid](spec), **IN_PROCESS)
    assert not dropped["passed"], dropped["message"]


@pytest.mark.parametrize("slug,cid", [("producer-consumer", "double-take"), ("readers-writers", "overtake")])
def test_the_break_is_recognised_on_a_stepped_run_of_the_lessons_own_code_and_not_on_a_good_one(slug, cid):
    spec = builtin(slug)
    ch = challenge(spec, cid)
    runs = [replayed(spec, o["schedule"]) for o in explored(spec)["outcomes"]]
    verdicts = [check(spec, ch, events=events, edited_spec=spec) for events in runs]
    assert any(v["passed"] for v in verdicts) and not all(v["passed"] for v in verdicts)


@pytest.mark.parametrize("slug,cid,answer,wrong", [
    ("producer-consumer", "twice", "yes", "no"),
    ("readers-writers", "who-goes-next", "R2 reads", "the writer writes"),
])
def test_the_predictions(slug, cid, answer, wrong):
    spec = builtin(slug)
    assert check(spec, challenge(spec, cid), answer=answer, **IN_PROCESS)["passed"]
    assert not check(spec, challenge(spec, cid), answer=wrong, **IN_PROCESS)["passed"]
