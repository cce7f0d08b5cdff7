"""Who is asking about a classroom, for the classrooms' HTTP face (classrooms.py: the
class and the teacher's actions; classroom_students.py: joining, answers, checks and the
seat hook of POST /api/runs).

Who may see what: a teacher sees only their own classes; anyone else asking about a class
by its code with a teacher's action (another teacher guessing codes, a visitor) gets 404,
the same as for a code that does not exist, so that codes do not leak. A student of the
class asking for a teacher's action gets 403 (they know the code already)."""

from typing import Annotated, Any

from pydantic import Field

from playground.classroom import seats
from playground.classroom.models import Activity, Classroom, Seat

from .errors import ApiError

Payload = dict[str, Any]
Code = Annotated[str, Field(min_length=1, max_length=12)]


def refused(exc):
    return ApiError(exc.status, exc.message, [{"path": exc.path, "message": exc.message}])


def open_class(code):
    return Classroom.objects.filter(code=code.upper(), ended__isnull=True).first()


def seat_of(request, classroom):
    """The caller's seat in the class, or None; a removed seat is refused (403)."""
    try:
        return seats.seat_from_cookies(request.COOKIES, classroom)
    except seats.SeatRefused as exc:
        raise ApiError(403, str(exc)) from None


def teacher_class(request, code, verb="do that", open_only=False):
    """The caller's own class, or 403 for one of its students, or 404 for everyone else."""
    user = request.user
    if user.is_authenticated:
        mine = Classroom.objects.filter(code=code.upper(), teacher=user)
        classroom = mine.filter(ended__isnull=True).first() or (None if open_only else mine.first())
        if classroom is not None:
            return classroom
    classroom = open_class(code)
    if classroom is not None and seat_of(request, classroom) is not None:
        raise ApiError(403, f"only the class's teacher may {verb}")
    raise ApiError(404, "no such classroom")


def open_teacher_class(request, code, verb):
    classroom = teacher_class(request, code, verb)
    if not classroom.is_open:
        raise ApiError(409, "this class has ended")
    return classroom


def student_seat(request, code):
    classroom = open_class(code)
    if classroom is None:
        raise ApiError(404, "no open classroom with that code (it may have ended)")
    seat = seat_of(request, classroom)
    if seat is None:
        raise ApiError(403, f"join the class first (POST /api/classrooms/{classroom.code}/join)")
    return seat


def activity_of(classroom, activity_id, path="activity"):
    activity = Activity.objects.filter(pk=activity_id, classroom=classroom).select_related("classroom").first()
    if activity is None:
        raise ApiError(404, "no such activity in this class", [{"path": path, "message": "no such activity"}])
    activity.classroom = classroom
    return activity


def links(request, classroom):
    base = request.build_absolute_uri("/")[:-1]
    code = classroom.code
    return {"code": code, "title": classroom.title, "join_url": f"{base}/classrooms/{code}/",
            "screen_url": f"{base}/classrooms/{code}/screen", "qr": f"/api/classrooms/{code}/qr.svg",
            "ws": f"/ws/classrooms/{code}/", "screen_ws": f"/ws/classrooms/{code}/screen",
            "url": f"/api/classrooms/{code}"}


def class_seat(classroom, seat_id):
    seat = Seat.objects.filter(pk=seat_id, classroom=classroom, removed__isnull=True).first()
    if seat is None:
        raise ApiError(404, "no such student in this class")
    seat.classroom = classroom
    return seat

