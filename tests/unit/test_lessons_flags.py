"""peterson (issue 13, "Threads and shared state"): mutual exclusion from plain shared
flags. The naive two flags (wait while the other's flag is up, then raise mine) let both
threads in on some schedule; Peterson's algorithm (the lesson's code) never does, on every
explored schedule — its busy-wait included, the search being exhaustive. Its fix check's
reference (the lesson's own code), its break (the first two lines of `enter` swapped)."""

import copy

from playground.engine.challenges import check
from playground.engine.runner import collect
from playground.engine.spec import validate
from tests.unit.helpers import builtin, finished, kinds

IN_PROCESS = {"explore": collect, "replay": collect}
RAISE_THEN_GIVE_WAY = ("flag[me] = True                 # I want to go in...\n"
                       "    turn = other                    # ...but you may go first")
GIVE_WAY_THEN_RAISE = "turn = other\n    flag[me] = True"


def with_setup(spec: dict, setup: str) -> dict:
    data = copy.deepcopy(spec)
    data["nodes"][0]["setup"] = setup
    return validate(data)


def naive(spec: dict) -> dict:
    """The fix challenge's start: the two flags alone."""
    start = next(ch for ch in spec["challenges"] if ch["id"] == "keep-them-apart")["start"]
    return with_setup(spec, start["setup"])


def swapped(spec: dict) -> dict:
    setup = spec["nodes"][0]["setup"]
    assert RAISE_THEN_GIVE_WAY in setup
    return with_setup(spec, setup.replace(RAISE_THEN_GIVE_WAY, GIVE_WAY_THEN_RAISE))


REFERENCES = {("peterson", "keep-them-apart"): lambda spec: spec}  # the lesson's own code is right
BREAK_EDITS = {("peterson", "swap-the-lines"): lambda: swapped(builtin("peterson"))}


def explored(spec: dict) -> dict:
    data = copy.deepcopy(spec)
    data["run"] = {**data["run"], "mode": "explore"}
    return next(e for e in collect(validate(data)) if e["kind"] == "explore.result")


def replayed(spec: dict, schedule: list[str]) -> list[dict]:
    data = copy.deepcopy(spec)
    data["run"] = {**data["run"], "mode": "replay", "schedule": schedule}
    return collect(validate(data))


def most_inside(events: list[dict]) -> int:
    return max(e["inside"] for e in kinds(events, "section.enter") if e["section"] == "critical")


def test_the_naive_two_flags_let_both_threads_in_on_some_schedule():
    spec = naive(builtin("peterson"))
    result = explored(spec)
    assert result["exhaustive"]
    both = [o for o in result["outcomes"] if o["status"] == "violated"]
    assert both and all(o["violation"]["invariant"] == "inside('critical') <= 1" for o in both)
    events = replayed(spec, both[0]["schedule"])
    assert most_inside(events) == 2 and finished(events)["status"] == "violated"


def test_petersons_algorithm_never_lets_both_in_on_any_schedule_busy_wait_included():
    spec = builtin("peterson")
    result = explored(spec)
    assert result["exhaustive"] and result["covered"].startswith("every outcome")
    # The invariant inside('critical') <= 1 is watched after every step of every schedule.
    assert {o["status"] for o in result["outcomes"]} == {"completed"}
    assert {o["shared"]["flags"]["count"] for o in result["outcomes"]} == {4}
    assert {o["shared"]["flags"]["turn"] for o in result["outcomes"]} == {0, 1}  # whoever gave way last
    for o in result["outcomes"]:
        events = replayed(spec, o["schedule"])
        assert most_inside(events) == 1 and finished(events)["status"] == "completed"


def test_giving_way_before_raising_the_flag_lets_both_in():
    result = explored(swapped(builtin("peterson")))
    assert result["exhaustive"] and any(o["status"] == "violated" for o in result["outcomes"])


def test_the_fix_check_fails_the_two_flags_and_passes_petersons_algorithm():
    spec = builtin("peterson")
    ch = next(c for c in spec["challenges"] if c["id"] == "keep-them-apart")
    failed = check(spec, ch, edited_spec=naive(spec), **IN_PROCESS)
    assert not failed["passed"] and failed["exhaustive"], failed["message"]
    assert "inside('critical') >= 2 happens" in failed["message"]
    assert failed["witness"]["replays"] is True
    passed = check(spec, ch, edited_spec=spec, **IN_PROCESS)
    assert passed["passed"] and passed["exhaustive"], passed["message"]


RAISE_THEN_WAIT = """\
    flag[me] = True                 # raise first...
    while flag[other]:
        pass                        # ...then wait: both may wait forever
"""


def test_a_fix_that_can_spin_forever_is_a_livelock_and_fails_the_check():
    spec = builtin("peterson")
    start = naive(spec)["nodes"][0]["setup"]
    waiting = start[start.index("    while flag[other]:"):start.index("def leave")]
    livelocking = with_setup(spec, start.replace(waiting, RAISE_THEN_WAIT + "\n"))
    result = explored(livelocking)
    assert result["exhaustive"]
    spinning = [o for o in result["outcomes"] if o["status"] == "timeout"]
    assert spinning and all(o["verdict"]["kind"] == "timeout" for o in spinning)
    brief = validate({**livelocking, "run": {**livelocking["run"], "timeout_ms": 1_000}})  # then it spins on
    events = replayed(brief, spinning[0]["schedule"] + ["flags/P0", "flags/P1"] * 3)
    assert finished(events)["shared"]["flags"]["flag"] == [True, True]  # both up, both still waiting
    ch = next(c for c in spec["challenges"] if c["id"] == "keep-them-apart")
    failed = check(spec, ch, edited_spec=livelocking, **IN_PROCESS)
    assert not failed["passed"] and "livelock" in failed["message"], failed["message"]
