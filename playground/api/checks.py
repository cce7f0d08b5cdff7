"""Checks: is a lesson's challenge met? A *predict* by the learner's `answer`, a
*break* by their finished `run` (read by id, like anyone may read a run), a *fix* by
exploring their edited `spec` in the sandbox. A signed-in person's result is kept in
their progress (a passed challenge stays passed)."""

from typing import Annotated, Any
from uuid import UUID

from ninja import Router, Schema
from pydantic import Field, WithJsonSchema

from playground.engine import boundary
from playground.engine.challenges import CheckError, check, find_challenge
from playground.engine.spec import SpecError
from playground.runs.models import Run, TraceEvent
from playground.runs.quota import owner_of
from playground.scenarios.models import Progress, Scenario

from . import checkgate
from .errors import ApiError, not_found
from .scenarios import checked_spec
from .schemas import errors

router = Router(tags=["checks"])


class CheckIn(Schema):
    scenario: str = Field(description="the lesson's slug (a built-in, one of your saved scenarios, or a share id)")
    challenge: str = Field(description="the challenge's id in the lesson's `challenges`")
    spec: Annotated[Any, WithJsonSchema({"type": "object", "description": "fix: your edited playground.scenario/1 spec"})] = None
    run: Annotated[Any, WithJsonSchema({"type": "string", "format": "uuid",
                                        "description": "break: the id of your finished run"})] = None
    answer: Annotated[Any, WithJsonSchema({"description": "predict: your answer (a choice, a value, or a list "
                                                          "of every choice you think right)"})] = None


class Witness(Schema):
    schedule: list[str] = Field(description="replays with POST /api/runs {scenario: spec, mode: replay, schedule}")
    outcome: dict[str, Any] = Field(description="how it ends: status, shared, outputs, serial?")
    verdict: dict[str, Any] | None = Field(None, description="the replayed run's verdict")
    replays: bool | None = Field(None, description="the replay ended in this outcome")
    scenario: dict[str, Any] | None = Field(None, description="fix: the spec as checked (the goal's `never` "
                                                              "conditions watched as invariants): replay on this")


class CheckOut(Schema):
    passed: bool
    message: str
    explored: int = Field(description="schedules explored (1 for a break: your run; 0 for a stated answer)")
    exhaustive: bool = Field(description="every schedule was covered")
    covered: str = Field(description="what the check covered, in words")
    witness: Witness | None = Field(None, description="the shortest failing schedule found (fix), or your run (break)")
    answer: Any = Field(None, description="predict: the right answer, once you have given yours")
    failing: int | None = Field(None, description="fix: how many distinct outcomes still go wrong")
    outcomes: int | None = Field(None, description="fix: how many distinct outcomes were found")
    witness_length: int | None = Field(None, description="fix: steps of the witness returned (the shortest)")
    longest_witness: int | None = Field(None, description="fix: steps of the longest failing witness found")
    refused: bool | None = Field(None, description="fix: refused because it no longer does the lesson's work")


def _run_events(run_id):
    try:
        run_uuid = UUID(str(run_id))
    except ValueError:
        raise ApiError(400, "run must be a run id", [{"path": "run", "message": "not a run id"}]) from None
    run = Run.objects.filter(id=run_uuid).first()
    if run is None:
        raise not_found("run")
    if run.source != Run.Source.EXECUTION:
        raise ApiError(400, "a break is checked from a run the playground executed, not an upload",
                       [{"path": "run", "message": "an uploaded trace"}])
    if not run.is_final:
        raise ApiError(409, f"the run is still {run.status}; check it when it has finished")
    events = list(TraceEvent.objects.filter(run=run).order_by("seq").values_list("data", flat=True))
    return events, run.spec or None


def judge(lesson_spec, challenge, *, spec=None, run=None, answer=None, run_events=None):
    """The checker's answer on one challenge of a (validated) lesson: a fix on the edited
    `spec`, a break on the finished `run` (an id; `run_events(id)` gives its events and
    spec, by default any executed run's), a predict on the `answer`; ApiError otherwise.
    POST /api/checks and a classroom seat's checks (classroom_students.py) both call it."""
    edited = events = None
    if challenge["kind"] == "fix":
        if not isinstance(spec, dict):
            raise ApiError(400, "a fix is checked on your edited scenario",
                           [{"path": "spec", "message": "give the edited playground.scenario/1 spec"}])
        edited = checked_spec(spec)
    elif challenge["kind"] == "break":
        if run is None:
            raise ApiError(400, "a break is checked from your run", [{"path": "run", "message": "give the run's id"}])
        events, edited = (run_events or _run_events)(run)
    try:
        return check(lesson_spec, challenge, edited_spec=edited, events=events, answer=answer)
    except (CheckError, SpecError) as exc:
        raise ApiError(400, str(exc), exc.errors) from None
    except boundary.BoundaryUnavailable as exc:
        raise ApiError(503, f"the sandbox is not available here: {exc}") from None


@router.post("/checks", response={200: CheckOut, **errors(400, 404, 409, 413, 429, 503)}, exclude_none=True)
def check_challenge(request, body: CheckIn):
    """Check one challenge of a lesson. **predict**: `answer` against the lesson's (a
    computed answer is found by exploring the lesson). **break**: your finished `run`
    (by id) must show the goal — a verdict, a status, a condition that became true, an
    event, a printed line — on the lesson's own code (unless the challenge allows
    edits; faults and run settings may differ). **fix**: your edited `spec` is explored
    in the sandbox, exhaustively when the space allows (else as many schedules as the
    budget gives — `covered` says which); it passes when no outcome breaks the goal,
    otherwise `witness` is the shortest failing schedule found, replayable with
    `POST /api/runs {"scenario": spec, "mode": "replay", "schedule": …}`. A fix that no
    longer does the lesson's work (deleting a withdrawal) is refused. A signed-in
    person's result is kept (GET /api/progress). Explorations are shared out: one
    exploring check per person at a time (429), and when the server's CHECKS_MAX_RUNNING
    are all busy a check waits for one, up to CHECKS_WAIT_SECONDS (then 503)."""
    row = Scenario.objects.find(body.scenario, request.user)
    if row is None:
        raise not_found("scenario")
    challenge = find_challenge(row.spec, body.challenge)
    if challenge is None:
        raise not_found("challenge")
    user, visitor = owner_of(request)
    with checkgate.gate(challenge, f"user:{user.pk}" if user else f"visitor:{visitor}"):
        result = judge(row.spec, challenge, spec=body.spec, run=body.run, answer=body.answer)
    if request.user.is_authenticated:
        Progress.record(request.user, row.slug, challenge["id"],
                        Progress.State.PASSED if result["passed"] else Progress.State.TRIED)
    return result
