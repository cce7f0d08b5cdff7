"""A predict: the learner's answer against the lesson's (a value, choices, or the explorer's)."""

from __future__ import annotations

import json
from typing import Any

from ..spec import same_value
from .common import Runner
from .fix import explored_original
from .outcomes import _answer, covered

# -- predict -------------------------------------------------------------------------

def check_predict(spec: dict, challenge: dict, answer: Any, *, budget: dict, explore: Runner) -> dict:
    correct = challenge.get("answer")
    result: dict = {"explored": 0, "exhaustive": False}
    scope = "the lesson's answer"
    if isinstance(correct, dict):  # {"from": "explore", "value": "node.var"}
        result = explored_original(spec, budget, explore) or result
        node, _, name = correct["value"].partition(".")
        values: list = []
        for o in result.get("outcomes") or []:
            value = ((o.get("shared") or {}).get(node) or {}).get(name)
            if not any(same_value(value, v) for v in values):
                values.append(value)
        correct = sorted(values, key=lambda v: (str(type(v)), v if isinstance(v, (int, float)) else str(v)))
        scope = f"every outcome the explorer finds ({covered(result)})"
    right = _same_answer(answer, correct)
    shown = ", ".join(json.dumps(v) for v in correct) if isinstance(correct, list) else json.dumps(correct)
    message = (f"Right: {shown}." if right else
               "Not quite. Run it (or explore every interleaving) and see what happens.")
    return {**_answer(right, message, result, covered_text=scope), "answer": correct}


def _as_number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value) if value.strip() else value
        except ValueError:
            return value
    return value


def _same_answer(given: Any, correct: Any) -> bool:
    def equal(g: Any, c: Any) -> bool:
        return same_value(g, c) or same_value(_as_number(g), c)

    if isinstance(correct, list):
        return (isinstance(given, list) and all(any(equal(g, c) for c in correct) for g in given)
                and all(any(equal(g, c) for g in given) for c in correct))
    return equal(given, correct)
