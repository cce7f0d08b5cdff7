"""Classrooms, the students' side: joining with the code (a signed cookie per class),
answering the open vote, checking the activity's challenge (the checker of POST
/api/checks, the result kept on the seat for the dashboard), and the hook through which
POST /api/runs makes a run the seat's. The rules live in playground/classroom."""

from typing import Annotated, Any, Literal

from django.db import transaction
from django.http import JsonResponse
from ninja import Router, Schema, Status
from pydantic import Field, WithJsonSchema

from playground.classroom import actions, seats
from playground.classroom.models import Activity, SeatRun
from playground.engine.challenges import find_challenge

from . import checkgate, checks
from .classroom_access import Code, Payload, activity_of, open_class, refused, seat_of, student_seat
from .errors import ApiError
from .schemas import errors

router = Router(tags=["classrooms"])


class JoinIn(Schema):
    name: str = Field(min_length=1, max_length=40, description="a display name, unique within the class")


class Joined(Schema):
    seat: int
    name: str
    code: str
    ws: str
    rejoined: bool = Field(False, description="true: the cookie already held a seat of this class")


class AnswerIn(Schema):
    activity: int
    answer: Annotated[Any, WithJsonSchema({"oneOf": [{"type": "string", "maxLength": 200}, {"type": "number"}]})]
    vote: Literal[1, 2] | None = Field(None, description="the open vote when left out")


class SeatCheckIn(Schema):
    activity: int
    challenge: str | None = Field(None, max_length=100, description="a challenge of the activity's scenario; "
                                                                     "the activity's own when left out")
    run: Annotated[Any, WithJsonSchema({"type": "string", "format": "uuid",
                                        "description": "break: the id of your finished run in this class"})] = None
    spec: Annotated[Any, WithJsonSchema({"type": "object", "description": "fix: your edited scenario spec"})] = None
    answer: Annotated[Any, WithJsonSchema({"description": "predict: your answer"})] = None


@router.post("/classrooms/{code}/join", response={200: Joined, 201: Joined, **errors(400, 403, 404, 409)})
def classroom_join(request, code: Code, body: JoinIn):
    """Anyone with the code takes a seat with a display name (409 if the name is taken) and
    gets the seat's signed cookie `seat-<CODE>`; coming back with it gives the same seat (200)."""
    classroom = open_class(code)
    if classroom is None:
        raise ApiError(404, "no open classroom with that code (it may have ended)")
    seat = seat_of(request, classroom)
    if seat is not None:
        return Status(200, {"seat": seat.pk, "name": seat.name, "code": classroom.code,
                            "ws": f"/ws/classrooms/{classroom.code}/", "rejoined": True})
    try:
        seat = actions.join(classroom, body.name)
    except actions.Refused as exc:
        raise refused(exc) from None
    response = JsonResponse({"seat": seat.pk, "name": seat.name, "code": classroom.code,
                             "ws": f"/ws/classrooms/{classroom.code}/", "rejoined": False}, status=201)
    seats.set_cookie(response, seat, secure=request.is_secure())
    return response


@router.post("/classrooms/{code}/answers", response={200: Payload, **errors(400, 403, 404, 409)})
def answer_give(request, code: Code, body: AnswerIn):
    """A student answers the current activity's open vote (again, to change it, while it is
    open); a closed or unopened vote is 409."""
    seat = student_seat(request, code)
    activity = activity_of(seat.classroom, body.activity)
    if activity.pk != seat.classroom.activity_id:
        raise ApiError(409, "this is not the current activity", [{"path": "activity", "message": "not current"}])
    if not isinstance(body.answer, str | int | float) or isinstance(body.answer, bool) or len(str(body.answer)) > 200:
        raise ApiError(400, "an answer is a string or a number", [{"path": "answer", "message": "a string or number"}])
    try:
        vote = actions.answer(seat, activity, body.answer, body.vote)
    except actions.Refused as exc:
        raise refused(exc) from None
    return {"activity": activity.pk, "vote": vote, "answer": body.answer}


def seat_run_events(seat):
    """A break is checked on one of the seat's own finished runs (404 for anyone else's)."""
    def events(run_id):
        if not SeatRun.objects.filter(run_id=str(run_id), seat=seat).exists():
            raise ApiError(404, "no such run of yours in this class", [{"path": "run", "message": "not your run"}])
        return checks._run_events(run_id)
    return events


@router.post("/classrooms/{code}/checks", response={200: Payload, **errors(400, 403, 404, 409, 429, 503)})
def seat_check(request, code: Code, body: SeatCheckIn):
    """A student checks the current activity's challenge (or another challenge of its
    scenario) with the checker of POST /api/checks: a **break** on one of their own finished
    `run`s, a **fix** on their edited `spec` (only while the teacher lets the class edit),
    a **predict** on an `answer`. The result is kept on the seat: the dashboard's `challenge`
    shows it (`{"source": "check", "challenge", "kind", "passed", "message"}`). Answers
    `{"activity", "challenge", "kind", "passed", "message", …}` (what POST /api/checks says)."""
    seat = student_seat(request, code)
    activity = activity_of(seat.classroom, body.activity)
    if activity.pk != seat.classroom.activity_id:
        raise ApiError(409, "this is not the current activity", [{"path": "activity", "message": "not current"}])
    challenge_id = body.challenge or activity.challenge
    if not challenge_id:
        raise ApiError(400, "this activity has no challenge; name one of its scenario's",
                       [{"path": "challenge", "message": "give a challenge id"}])
    challenge = find_challenge(activity.spec, challenge_id)
    if challenge is None:
        raise ApiError(404, f"the activity's scenario has no challenge {challenge_id!r}",
                       [{"path": "challenge", "message": "no such challenge"}])
    if challenge["kind"] == "fix" and activity.editing == Activity.Editing.LOCKED:
        raise ApiError(403, "the teacher has locked the code of this activity; a fix needs it open")
    with checkgate.gate(challenge, f"seat:{seat.pk}"):
        result = checks.judge(activity.spec, challenge, spec=body.spec, run=body.run, answer=body.answer,
                              run_events=seat_run_events(seat))
    actions.record_check(seat, activity, challenge, result, run_id=body.run if challenge["kind"] == "break" else None)
    return {"activity": activity.pk, "challenge": challenge["id"], "kind": challenge["kind"], **result}


# --- the hook in POST /api/runs -------------------------------------------------------------------------

def seat_for_run(request):
    """The seat a run is started from (the newest open class's cookie), or None."""
    try:
        found = seats.open_seats(request.COOKIES)
    except seats.SeatRefused as exc:
        raise ApiError(403, str(exc)) from None
    return found[0] if found else None


def start_seat_run(seat, spec, create):
    """Create the run through `create()` under the class's limits, and link it to the seat."""
    refusal = actions.editing_refusal(seat, spec)
    if refusal:
        raise ApiError(403, refusal)
    with transaction.atomic():
        refusal = actions.run_refusal(seat)
        if refusal:
            raise ApiError(429, refusal)
        run = create()
        actions.link_run(seat, run)
    return run
