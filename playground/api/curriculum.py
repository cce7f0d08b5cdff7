"""The course and each account's progress through it. Visitors keep their progress
in the browser; a signed-in person's is kept here (and written by every check)."""

from typing import Any, Literal

from django.db import transaction
from ninja import Router, Schema
from pydantic import Field

from playground.scenarios.curriculum import curriculum_json
from playground.scenarios.models import Progress, Scenario

from .errors import ApiError, require_user
from .schemas import errors

router = Router(tags=["lessons"])


class ChallengeListing(Schema):
    id: str
    kind: Literal["predict", "break", "fix"]
    text: str
    hints: list[str]
    choices: list[Any] | None = None
    edit: bool | None = Field(None, description="break: may be reached by editing the code")
    starts_from_other_code: bool | None = Field(None, description="fix: the editor opens a broken variant "
                                                                  "(GET /api/scenarios/{slug} has it in the challenge's `start`)")


class LessonListing(Schema):
    slug: str
    number: str = Field(description="chapter.lesson, e.g. 2.1")
    title: str
    summary: str
    tags: list[Any]
    next: str | None = Field(description="the slug of the lesson after this one")
    challenges: list[ChallengeListing]


class Chapter(Schema):
    id: str
    number: int
    title: str
    lessons: list[LessonListing]


class Curriculum(Schema):
    title: str
    chapters: list[Chapter]


class ProgressItem(Schema):
    scenario: str = Field(max_length=100)
    challenge: str = Field(max_length=40)
    state: Literal["tried", "passed"]


class ProgressRow(ProgressItem):
    updated: str


class ProgressIn(Schema):
    items: list[ProgressItem] = Field(max_length=500, description="merged into what is kept; "
                                                                  "`tried` never undoes `passed`")


class ProgressOut(Schema):
    items: list[ProgressRow]


@router.get("/curriculum", response=Curriculum, exclude_unset=True)
def curriculum(request):
    """The built-in lessons in chapters, in the course's order: each lesson's number,
    title, summary, the next lesson, and its challenges (never their answers)."""
    specs = dict(Scenario.objects.filter(builtin=True).values_list("slug", "spec"))
    return curriculum_json(specs)


@router.get("/progress", response={200: ProgressOut, **errors(401)})
def progress(request):
    """The signed-in person's progress: a row per challenge tried or passed."""
    user = require_user(request)
    return {"items": [row.as_json() for row in Progress.objects.filter(user=user)]}


@router.put("/progress", response={200: ProgressOut, **errors(400, 401, 403)})
def progress_merge(request, body: ProgressIn):
    """Merge progress kept elsewhere (the browser's, from before signing in) into the
    signed-in person's; answers with everything kept."""
    user = require_user(request)
    known = dict(Scenario.objects.visible_to(user).values_list("slug", "spec"))
    problems = [{"path": f"items[{i}].scenario", "message": f"no scenario named {item.scenario!r}"}
                for i, item in enumerate(body.items) if item.scenario not in known]
    problems += [{"path": f"items[{i}].challenge", "message": f"{item.scenario!r} has no challenge {item.challenge!r}"}
                 for i, item in enumerate(body.items) if item.scenario in known
                 and item.challenge not in {ch["id"] for ch in known[item.scenario].get("challenges") or []}]
    if problems:
        raise ApiError(400, problems[0]["message"], problems)
    with transaction.atomic():
        for item in body.items:
            Progress.record(user, item.scenario, item.challenge, item.state)
    return {"items": [row.as_json() for row in Progress.objects.filter(user=user)]}
