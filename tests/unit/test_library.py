"""Every lesson file in the library, found by listing the folder (no hand-kept list):
a valid spec with a title, an explanation and tags, that runs in-process to an end."""

import json

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
