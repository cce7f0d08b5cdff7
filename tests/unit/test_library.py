"""Every lesson file in the library, found by listing the folder (no hand-kept list):
a valid spec with a title, an explanation and tags, that runs in-process to an end."""

import json
import re

import pytest

from playground.engine.contract import FINAL_STATUSES
from tests.unit.helpers import LIBRARY, builtin, finished, run

SLUGS = sorted(path.stem for path in LIBRARY.glob("*.json"))


def test_the_library_is_found():
    assert len(SLUGS) >= 17


@pytest.mark.parametrize("slug", SLUGS)
def test_every_lesson_is_a_valid_spec_with_a_title_an_explanation_and_tags(slug):
    data = json.loads((LIBRARY / f"{slug}.json").read_text())
    spec = builtin(slug)
    assert spec["slug"] == data["slug"] == slug
    assert data["title"] and len(data["summary"]) > 100 and data["tags"]


@pytest.mark.parametrize("slug", [s for s in SLUGS if len(json.loads((LIBRARY / f"{s}.json").read_text())["nodes"]) == 1])
def test_every_shared_memory_lesson_runs_to_an_end(slug):
    assert finished(run(builtin(slug)))["status"] in FINAL_STATUSES


# -- a lesson's text does not answer its own prediction --------------------------------

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _plain(text: str) -> str:
    """Lower case, one space between words, the typographic minus as a hyphen."""
    return " ".join(text.replace("\u2212", "-").lower().split())


def _distinctive(answer, wrong: list) -> list[str]:
    """What of a right answer would give it away if the summary said it: its numbers of two
    digits or more, or with a decimal point, that no wrong choice holds ("-5030543.36", the
    0.8 of "0.8 s or more", 40), and the whole choice when it is longer than three words.
    Yes/no, short words and small counts say nothing on their own."""
    text = _plain(str(answer))
    others = {n for choice in wrong for n in NUMBER.findall(_plain(str(choice)))}
    found = [n for n in NUMBER.findall(text) if (len(n) >= 2 or "." in n) and n not in others]
    if len(text.split()) > 3:
        found.append(text)
    return found


def _giveaways(data: dict) -> list[tuple[str, str]]:
    """(challenge id, text) for each distinctive piece of a predict answer found in the summary."""
    summary = _plain(data["summary"])
    numbers = set(NUMBER.findall(summary))
    found = []
    for ch in data.get("challenges", []):
        answer = ch.get("answer")
        if ch["kind"] != "predict" or answer is None or isinstance(answer, dict):  # {"from": "explore"}
            continue
        right = answer if isinstance(answer, list) else [answer]
        wrong = [c for c in ch.get("choices", []) if not any(str(c) == str(r) for r in right)]
        for value in right:
            for piece in _distinctive(value, wrong):
                if (piece in numbers) if NUMBER.fullmatch(piece) else (piece in summary):
                    found.append((ch["id"], piece))
    return found


def test_the_giveaway_check_finds_an_answer_in_a_summary():
    lesson = {"summary": "Zoë's 12.50 EUR becomes \u22125030543.36 EUR; about 8 × 100 ms = 0.8 s.",
              "challenges": [
                  {"id": "a", "kind": "predict", "choices": ["12.50 EUR", "-5030543.36 EUR for Zo"],
                   "answer": "-5030543.36 EUR for Zo"},
                  {"id": "b", "kind": "predict", "choices": ["about 0.1 s", "0.8 s or more"], "answer": "0.8 s or more"},
                  {"id": "c", "kind": "predict", "choices": [8, 100], "answer": 100},
                  {"id": "d", "kind": "predict", "choices": ["yes", "no"], "answer": "yes"},
                  {"id": "e", "kind": "predict", "choices": [1, 2, 12], "answer": 12}]}
    assert _giveaways(lesson) == [("a", "5030543.36"), ("b", "0.8"), ("c", "100")]


@pytest.mark.parametrize("slug", SLUGS)
def test_a_lesson_with_a_prediction_keeps_what_happens_for_its_explanation(slug):
    """The page shows the summary before the learner predicts and opens the explanation only
    after a first run or check: the summary must not hold a predict challenge's answer."""
    data = json.loads((LIBRARY / f"{slug}.json").read_text())
    if not any(ch["kind"] == "predict" for ch in data.get("challenges", [])):
        return
    assert data.get("explanation", "").strip(), f"{slug}: what happens belongs in `explanation`"
    assert _giveaways(data) == [], f"{slug}: the summary gives away a prediction"
