"""Classrooms, the teacher's side: a teacher opens a class, pushes activities, opens
votes, reveals, explores, spotlights, renames and removes students, exports and ends it
(the students' side: classroom_students.py; who is asking: classroom_access.py). The
rules live in playground/classroom (actions.py, state.py); this is their HTTP face.

Who may see what: a teacher sees only their own classes; anyone else asking about a class
by its code with a teacher's action (another teacher guessing codes, a visitor) gets 404,
the same as for a code that does not exist, so that codes do not leak. A student of the
class asking for a teacher's action gets 403 (they know the code already)."""

import csv
import io
from typing import Annotated, Any, Literal

import segno
from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field, WithJsonSchema

from playground.classroom import actions, board, state
from playground.classroom.models import Classroom

from . import runs as runs_api  # a module: runs.py imports this one too (the seat hook)
from .classroom_access import (
    Code,
    Payload,
    activity_of,
    class_seat,
    links,
    open_class,
    open_teacher_class,
    refused,
    seat_of,
    teacher_class,
)
from .classroom_students import seat_for_run, start_seat_run  # noqa: F401  (POST /api/runs calls them here)
from .errors import ApiError, require_user
from .scenarios import checked_spec
from .schemas import errors

router = Router(tags=["classrooms"])


class ClassroomIn(Schema):
    title: str = Field(min_length=1, max_length=200)


class ClassroomCreated(Schema):
    code: str = Field(description="the 6-character join code (no look-alike characters)")
    title: str
    join_url: str = Field(description="the page students open (what the QR code holds)")
    screen_url: str = Field(description="the projector page (signed-in teacher only)")
    qr: str = Field(description="the QR code of join_url, as SVG")
    ws: str = Field(description="the dashboard's WebSocket")
    screen_ws: str = Field(description="the projector's WebSocket")
    url: str


class ActivityIn(Schema):
    scenario: Annotated[Any, WithJsonSchema({"oneOf": [{"type": "string", "description": "a scenario slug"},
                                                       {"type": "object", "description": "a scenario spec"}]})]
    mode: Literal["predict", "break", "fix", "run"]
    challenge: str | None = Field(None, max_length=100, description="a challenge id of the scenario's `challenges`")
    question: dict[str, Any] | None = Field(None, description='{"text", "choices"?: [...]}; for predict, taken '
                                                              "from the predict challenge when left out")
    editing: Literal["locked", "open"] = "locked"


class EditingIn(Schema):
    editing: Literal["locked", "open"]


class VoteIn(Schema):
    activity: int
    vote: Literal[1, 2]
    open: bool = Field(True, description="true opens the vote (closing the one before); false closes it")


class RevealIn(Schema):
    activity: int
    vote: Literal[1, 2] | None = Field(None, description="the current vote when left out")


class ActivityRef(Schema):
    activity: int


class SpotlightIn(Schema):
    run: str | None = Field(description="a run of the class (a student's or the exploration); null clears")
    show_name: bool = Field(False, description="show the student's name on the projector")


class RenameIn(Schema):
    name: str = Field(min_length=1, max_length=40)


# --- the class -------------------------------------------------------------------------------------

@router.post("/classrooms", response={201: ClassroomCreated, **errors(400, 401, 403)})
def classroom_create(request, body: ClassroomIn):
    """A teacher (a user in the `teachers` group) opens a class: its join code, join link,
    QR code, projector page and WebSockets."""
    user = require_user(request)
    if not actions.is_teacher(user):
        raise ApiError(403, "only teachers open classes (python manage.py createteacher NAME)")
    try:
        classroom = actions.create_classroom(user, body.title.strip() or "Class")
    except actions.Refused as exc:
        raise refused(exc) from None
    return Status(201, links(request, classroom))


@router.get("/classrooms", response={200: list[Payload], **errors(401)})
def classroom_list(request):
    """The signed-in teacher's classes, newest first."""
    user = require_user(request)
    return [{**links(request, c), "open": c.is_open, "created": state.stamp(c.created),
             "ended": state.stamp(c.ended)} for c in Classroom.objects.filter(teacher=user)[:200]]


@router.get("/classrooms/{code}", response={200: Payload, **errors(400, 403, 404)})
def classroom_detail(request, code: Code):
    """Its teacher gets the dashboard: `{"role": "teacher", "code", "title", "open", "students": [{"id",
    "name", "connected", "last_seen", "joined", "status", "answers": {"1", "2"}, "run": {"id", "status", "ws",
    "outcome": {"key", "label"}}, "challenge", "runs"}], "activity": {…, "tallies", "shift", "exploration"},
    "outcomes": [{"key", "label", "count"}], "gallery": [{"key", "label", "status", "shared", "count",
    "students", "runs", "run"}], "spotlight", "activities"}`. A student gets `{"role": "student", "seat":
    {…, "runs": [...]}, "activity", "revealed", "spotlight"}`: their own seat and runs only. Status is
    idle, editing, running, or the latest run's final status (completed, deadlock, violated, failed, …)."""
    user = request.user
    if user.is_authenticated:
        mine = Classroom.objects.filter(code=code.upper(), teacher=user)
        classroom = mine.filter(ended__isnull=True).first() or mine.first()
        if classroom is not None:
            return {**board.dashboard(classroom), **links(request, classroom)}
    classroom = open_class(code)
    seat = seat_of(request, classroom) if classroom is not None else None
    if seat is None:
        raise ApiError(404, "no such classroom")
    return {**state.student_view(seat), "ws": f"/ws/classrooms/{classroom.code}/"}


@router.get("/classrooms/{code}/qr.svg", response={200: None, **errors(400, 404)},
            openapi_extra={"responses": {"200": {"description": "the QR code of the join link",
                                                 "content": {"image/svg+xml": {"schema": {"type": "string"}}}}}})
def classroom_qr(request, code: Code):
    """The QR code of the join link, as SVG, for the projector (the class's teacher)."""
    classroom = teacher_class(request, code, "show the QR code")
    buffer = io.BytesIO()
    segno.make(links(request, classroom)["join_url"], error="m").save(
        buffer, kind="svg", scale=10, border=2, xmldecl=False, svgclass="classroom-qr", title=f"Join {classroom.code}")
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@router.post("/classrooms/{code}/end", response={200: Payload, **errors(400, 403, 404)})
def classroom_end(request, code: Code):
    """The teacher ends the class: its code stops working, every socket is told and closed."""
    classroom = teacher_class(request, code, "end the class", open_only=True)
    actions.end(classroom)
    classroom.refresh_from_db()
    return {"code": classroom.code, "ended": state.stamp(classroom.ended)}


# --- students ----------------------------------------------------------------------------------------

@router.patch("/classrooms/{code}/students/{int:seat_id}", response={200: Payload, **errors(400, 403, 404, 409)})
def student_rename(request, code: Code, seat_id: int, body: RenameIn):
    """The teacher renames a student (409 if the name is taken)."""
    seat = class_seat(open_teacher_class(request, code, "rename a student"), seat_id)
    try:
        actions.rename(seat, body.name)
    except actions.Refused as exc:
        raise refused(exc) from None
    return {"seat": seat.pk, "name": seat.name}


@router.delete("/classrooms/{code}/students/{int:seat_id}", response={204: None, **errors(400, 403, 404)})
def student_remove(request, code: Code, seat_id: int):
    """The teacher removes a student: their cookie stops working (403) and their sockets close."""
    actions.remove(class_seat(open_teacher_class(request, code, "remove a student"), seat_id))
    return HttpResponse(status=204)


# --- activities ----------------------------------------------------------------------------------------

def question_of(body, spec):
    question = body.question
    challenge = None
    if body.challenge:
        challenge = next((c for c in spec.get("challenges") or [] if isinstance(c, dict)
                          and c.get("id") == body.challenge), None)
        if challenge is None:
            raise ApiError(400, f"the scenario has no challenge {body.challenge!r}",
                           [{"path": "challenge", "message": "no such challenge in the scenario"}])
    if question is None and body.mode == "predict" and challenge is not None:
        question = {"text": challenge.get("text", ""), "choices": challenge.get("choices")}
    if question is None:
        if body.mode == "predict":
            raise ApiError(400, "a predict activity needs a question (or a predict challenge)",
                           [{"path": "question", "message": "give {\"text\", \"choices\"?} or a challenge"}])
        return None
    text, choices = question.get("text"), question.get("choices")
    if not isinstance(text, str) or not text.strip() or len(text) > 2000:
        raise ApiError(400, "the question needs a text", [{"path": "question.text", "message": "a text of 1–2000 characters"}])
    if choices is not None and (not isinstance(choices, list) or not 2 <= len(choices) <= 12
                                or not all(isinstance(c, str | int | float) for c in choices)):
        raise ApiError(400, "choices must be 2 to 12 strings or numbers",
                       [{"path": "question.choices", "message": "2 to 12 strings or numbers"}])
    return {"text": text.strip(), "choices": choices}


@router.post("/classrooms/{code}/activities", response={201: Payload, **errors(400, 403, 404, 409)})
def activity_push(request, code: Code, body: ActivityIn):
    """The teacher pushes an activity; every student socket receives it at once
    (`{"type": "activity", "activity": {...}}`). A question opens vote 1."""
    classroom = open_teacher_class(request, code, "push an activity")
    raw, slug = runs_api.spec_from_request({"scenario": body.scenario}, request.user)
    spec = checked_spec(raw)
    question = question_of(body, {**spec, "challenges": spec.get("challenges") or raw.get("challenges")})
    activity = actions.push(classroom, spec, slug, body.mode, body.challenge, question, body.editing)
    return Status(201, state.activity_public(activity))


@router.patch("/classrooms/{code}/activities/{int:activity_id}", response={200: Payload, **errors(400, 403, 404, 409)})
def activity_editing(request, code: Code, activity_id: int, body: EditingIn):
    """The teacher locks or opens the activity's code (students receive the activity again)."""
    activity = activity_of(open_teacher_class(request, code, "lock or unlock the code"), activity_id)
    actions.set_editing(activity, body.editing)
    return state.activity_public(activity)


@router.post("/classrooms/{code}/votes", response={200: Payload, **errors(400, 403, 404, 409)})
def vote_set(request, code: Code, body: VoteIn):
    """The teacher opens vote 2 (closing vote 1) or closes the open vote. A closed vote
    never opens again; everyone receives `{"type": "vote", "activity", "vote", "open"}`."""
    activity = activity_of(open_teacher_class(request, code, "open or close a vote"), body.activity)
    try:
        actions.set_vote(activity, body.vote, body.open)
    except actions.Refused as exc:
        raise refused(exc) from None
    return {"activity": activity.pk, "vote": activity.vote, "open": activity.vote_open}


@router.post("/classrooms/{code}/reveal", response={200: Payload, **errors(400, 403, 404, 409)})
def vote_reveal(request, code: Code, body: RevealIn):
    """The teacher reveals a vote's tally (and closes that vote): students and the projector
    receive `{"type": "reveal", "reveal": {"activity", "revealed", "tallies", "exploration"}}`."""
    activity = activity_of(open_teacher_class(request, code, "reveal the votes"), body.activity)
    try:
        return actions.reveal(activity, body.vote)
    except actions.Refused as exc:
        raise refused(exc) from None


@router.post("/classrooms/{code}/explore", response={201: Payload, **errors(400, 403, 404, 409, 429)})
def activity_explore(request, code: Code, body: ActivityRef):
    """The teacher runs the activity's exhaustive exploration: a normal run (mode explore)
    of theirs, linked to the activity; its outcomes appear beside the votes (dashboard,
    and the next reveal). Spotlight it to show it running on the projector."""
    activity = activity_of(open_teacher_class(request, code, "run the exploration"), body.activity)
    run = actions.explore(activity, request.user)
    return Status(201, {"run": str(run.id), "ws": run.ws_path, "url": f"/api/runs/{run.id}", "activity": activity.pk})


@router.post("/classrooms/{code}/spotlight", response={200: Payload, **errors(400, 403, 404)})
def spotlight_set(request, code: Code, body: SpotlightIn):
    """The teacher puts a run of the class on the projector (the student's name only with
    `show_name`), or clears it with `"run": null`. Everyone receives `{"type": "spotlight", "spotlight"}`."""
    classroom = open_teacher_class(request, code, "spotlight a run")
    try:
        return {"spotlight": actions.spotlight(classroom, body.run, body.show_name)}
    except actions.Refused as exc:
        raise refused(exc) from None
    except (ValueError, TypeError):
        raise ApiError(404, "no such run in this class", [{"path": "run", "message": "no such run"}]) from None


@router.get("/classrooms/{code}/results", response={200: Payload, **errors(400, 403, 404)},
            openapi_extra={"responses": {"200": {"description": "JSON, or CSV with format=csv", "content": {
                "application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}}}})
def classroom_results(request, code: Code, fmt: Literal["json", "csv"] = Query("json", alias="format")):
    """The teacher's export: one row per student and activity with the answers of each vote,
    status, outcome, challenge result and run ids (CSV columns: seat, name, activity, mode,
    scenario, challenge, vote1, vote2, status, outcome, challenge_passed, runs)."""
    classroom = teacher_class(request, code, "export the results")
    data = state.results(classroom)
    if fmt == "json":
        return data
    out = io.StringIO()
    csv.writer(out).writerows(state.csv_rows(data))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="classroom-{classroom.code}.csv"'
    return response

