"""Judging a lesson's challenges (the spec's `challenges`, see spec.py).

- **predict**: the learner's answer against the lesson's (a value, a list of every right
  choice, or computed: `{"from": "explore", "value": "node.var"}` is the set of values the
  variable ends with over every outcome the explorer finds).
- **break**: the learner's own finished run, read off its events: its verdict, its
  status, a condition that became true at some step, an event, a printed line.
- **fix**: the edited scenario explored (in the sandbox child: the code is the
  learner's) — exhaustively when the space allows, otherwise as many schedules as the
  budget gives, saying so. A failing fix comes back with the shortest witness found,
  replayed once to attach its verdict; a fix that no longer does the lesson's work
  (its `keeps`) is refused.

Every answer says what it covered: `explored`, `exhaustive` and `covered` in words.
No Django here; `explore` and `replay` are parameters so the pure logic can be tested
in-process (`runner.collect`); the default runs them in the sandbox.
"""

from __future__ import annotations

from typing import Any

from .breaks import check_break
from .common import DEFAULT_BUDGET, FINAL_OK, CheckError, Runner, find_challenge, sandboxed, starting_spec
from .conditions import became_true
from .fix import check_fix
from .outcomes import covered, describe
from .predict import check_predict

__all__ = ["DEFAULT_BUDGET", "FINAL_OK", "CheckError", "Runner", "became_true", "check", "check_break", "check_fix",
           "check_predict", "covered", "describe", "find_challenge", "sandboxed", "starting_spec"]


def check(spec: dict, challenge: dict, *, edited_spec: dict | None = None, events: list[dict] | None = None,
          answer: Any = None, budget: dict | None = None, explore: Runner = sandboxed,
          replay: Runner | None = None) -> dict:
    """Judge one challenge of the (validated) lesson `spec`. A fix needs `edited_spec`; a
    break needs the run's `events` (and its spec as `edited_spec`, to tell whether the
    lesson's code was changed); a predict needs `answer`. Raises CheckError when one is
    missing, SpecError for an invalid edited spec."""
    budget = {**DEFAULT_BUDGET, **(budget or {})}
    kind = challenge["kind"]
    if kind == "predict":
        if answer is None:
            raise CheckError([{"path": "answer", "message": "a predict challenge is checked against your answer"}])
        if challenge.get("answer") is None:
            raise CheckError([{"path": "challenge", "message": "this question has no answer to check against (its "
                                                               "author left it open; a copy of a lesson keeps its "
                                                               "questions, not their answers)"}])
        return check_predict(spec, challenge, answer, budget=budget, explore=explore)
    if kind == "break":
        if not events:
            raise CheckError([{"path": "run", "message": "a break challenge is checked from your finished run"}])
        return check_break(spec, challenge, events, run_spec=edited_spec)
    if edited_spec is None:
        raise CheckError([{"path": "spec", "message": "a fix challenge is checked on your edited scenario"}])
    return check_fix(spec, challenge, edited_spec, budget=budget, explore=explore, replay=replay or explore)
