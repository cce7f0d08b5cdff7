"""The lessons' challenges as the tests (and the benchmark) judge them: a reference
solution for every *fix* (kept here, never in the lesson files), a fix that deletes
the lesson's work, and a wrong fix where one teaches something."""

from __future__ import annotations

import copy
import importlib
import json

from playground.engine.challenges import starting_spec
from playground.engine.runner import collect
from playground.engine.spec import validate
from tests.unit.helpers import LIBRARY, TIMEOUT_MS

LESSONS = sorted(path.stem for path in LIBRARY.glob("*.json"))


def lesson(slug: str) -> dict:
    data = json.loads((LIBRARY / f"{slug}.json").read_text())
    data["run"]["timeout_ms"] = max(data["run"].get("timeout_ms", 0), TIMEOUT_MS)
    return validate(data)


def challenges(kind: str) -> list[tuple[str, str]]:
    """(slug, challenge id) of every built-in challenge of this kind."""
    return [(slug, ch["id"]) for slug in LESSONS for ch in lesson(slug)["challenges"] if ch["kind"] == kind]


def challenge(slug: str, cid: str) -> dict:
    return next(ch for ch in lesson(slug)["challenges"] if ch["id"] == cid)


def edited(slug: str, *, setup: str | None = None, threads: dict[str, str] | None = None,
           base: dict | None = None) -> dict:
    """The lesson (or `base`) with the first node's setup and some threads' code replaced."""
    spec = copy.deepcopy(base or lesson(slug))
    node = spec["nodes"][0]
    if setup is not None:
        node["setup"] = setup
    for thread in node["threads"]:
        if thread["name"] in (threads or {}):
            thread["code"] = threads[thread["name"]]
    return validate(spec)


BANK_WITH_LOCK = """\
from threading import Lock
balance_lock = Lock()

def withdraw(amount):
    global balance
    with balance_lock:
        if amount > balance:
            print('Insufficient funds')
        else:
            balance = balance - amount
            print(balance)
"""
# The wrong fix of the walk-through: the lock is released before the write.
BANK_RELEASED_EARLY = """\
from threading import Lock
balance_lock = Lock()

def withdraw(amount):
    global balance
    with balance_lock:
        ok = amount <= balance
    if not ok:
        print('Insufficient funds')
    else:
        balance = balance - amount
        print(balance)
"""
X_WITH_LOCK = "from threading import Lock\nx_lock = Lock()\n\ndef square(n):\n    return n * n\n"
RELEASE_ALWAYS = """\
from threading import Lock
counter_lock = Lock()

def update(amount):
    global count
    with counter_lock:
        if amount < 0:
            print(str(amount) + ' is negative: refused')
            return
        count = count + amount
"""


def _deadlock_one_order() -> dict:
    spec = lesson("deadlock-two-locks")
    setup = spec["nodes"][0]["setup"].replace(
        "    y_lock.acquire()\n    x_lock.acquire()\n    y = y - x", "    x_lock.acquire()\n    y_lock.acquire()\n    y = y - x")
    assert setup != spec["nodes"][0]["setup"]
    return edited("deadlock-two-locks", setup=setup)


def reference(slug: str, cid: str) -> dict:
    """A right answer to each fix challenge."""
    if (slug, cid) == ("shared-x-race", "make-it-atomic"):
        return edited(slug, setup=X_WITH_LOCK, threads={"P1": "with x_lock:\n    x = square(x)\n",
                                                        "P2": "with x_lock:\n    x = x + 1\n"})
    if (slug, cid) == ("bank-withdraw-race", "with-a-lock"):
        return edited(slug, setup=BANK_WITH_LOCK)
    if (slug, cid) == ("forgotten-release", "release-on-every-path"):
        return edited(slug, setup=RELEASE_ALWAYS)
    if (slug, cid) == ("deadlock-two-locks", "one-order"):
        return _deadlock_one_order()
    if (slug, cid) in (("bank-withdraw-lock", "repair"), ("semaphore-db", "limit-again"),
                       ("condition-steps", "wake-everyone")):
        return lesson(slug)  # these start from a broken variant; the lesson's own code is right
    found = _from_lesson_tests("REFERENCES").get((slug, cid))
    if found is not None:
        return validate(found(lesson(slug)))
    raise KeyError((slug, cid))


# The newer lessons keep their reference solutions, work-dropping "fixes", fault plans and
# the edited code of `edit` breaks (BREAK_EDITS) beside their own tests
# (tests/*/test_lessons_*.py), in tables of these names: a new lesson's file is picked up
# here without editing this one.
_LESSON_TEST_MODULES = sorted(f"tests.{path.parent.name}.{path.stem}"
                              for path in LIBRARY.parents[2].glob("tests/*/test_lessons_*.py"))


def _from_lesson_tests(table: str) -> dict:
    merged: dict = {}
    for name in _LESSON_TEST_MODULES:
        merged.update(getattr(importlib.import_module(name), table, {}))
    return merged


def deleting_the_work(slug: str, cid: str) -> dict:
    """A "fix" that removes part of what the lesson's threads do (from the reference)."""
    last = lesson(slug)["nodes"][0]["threads"][-1]["name"]
    dropping = _from_lesson_tests("DROPPING_THE_WORK").get((slug, cid))
    if dropping is not None:
        return validate(dropping(lesson(slug)))
    keep = {("forgotten-release", "release-on-every-path"): "update(5)\n"}.get((slug, cid), "pass\n")
    return edited(slug, threads={last: keep}, base=reference(slug, cid))


def original(slug: str, cid: str) -> dict:
    """What the learner starts a fix from."""
    return validate(starting_spec(lesson(slug), challenge(slug, cid)))


def replayed(spec: dict, schedule: list[str]) -> list[dict]:
    """A run that follows `schedule` (in-process): how a learner's stepped run ends."""
    data = copy.deepcopy(spec)
    data["run"] = {**data["run"], "mode": "replay", "schedule": schedule}
    return collect(validate(data))


# A break challenge's run: what the learner does, replayed. For `edit` challenges the
# learner's edited code comes first.
BREAK_EDITS = {
    ("bank-withdraw-lock", "release-too-early"): lambda: edited("bank-withdraw-lock", setup=BANK_RELEASED_EARLY),
    ("semaphore-db", "too-many"): lambda: edited(
        "semaphore-db", setup=lesson("semaphore-db")["nodes"][0]["setup"].replace("Semaphore(2)", "Semaphore(3)")),
    ("condition-steps", "wake-one"): lambda: original("condition-steps", "wake-everyone"),
}
# Distributed lessons are broken by choosing faults.
BREAK_FAULTS = {
    ("client-server-http", "no-dns"): [{"at_ms": 0, "action": "crash", "node": "dns"}],
    ("rpc-stub", "no-answer"): [{"at_ms": 0, "action": "crash", "node": "server"}],
    ("mutex-coordinator", "crash-coordinator"): [{"at_ms": 150, "action": "crash", "node": "coordinator"}],
    ("mutex-token-ring", "lose-the-token"): [{"at_ms": 0, "action": "crash", "node": "n3"}],
    # the lesson's own crash of p5, then p4's
    ("election-bully", "crash-the-winner"): [{"at_ms": 200, "action": "crash", "node": "p5"},
                                             {"at_ms": 1000, "action": "crash", "node": "p4"}],
}


def break_spec(slug: str, cid: str) -> dict:
    edits = {**_from_lesson_tests("BREAK_EDITS"), **BREAK_EDITS}  # a newer lesson's, beside its tests
    if (slug, cid) in edits:
        return edits[(slug, cid)]()
    spec = copy.deepcopy(lesson(slug))
    faults = {**_from_lesson_tests("BREAK_FAULTS"), **BREAK_FAULTS}
    if (slug, cid) in faults:
        spec["faults"] = faults[(slug, cid)]
    return validate(spec)
