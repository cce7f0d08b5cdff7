"""A student's seat travels in a signed cookie, one per classroom: `seat-<CODE>` holding
`<seat id>:<seat secret>`, signed with the project's SECRET_KEY (django.core.signing)
under a salt that names the classroom's row, so a cookie of one class (or of an ended
class whose code came back) never opens another. Removing a seat ends its cookie: the
seat is found removed and refused (403), and its sockets are closed.

The cookie is HttpOnly and SameSite=Lax: another site's page cannot make a student's
browser send it with a POST (the students' CSRF protection; they have no session)."""

from django.core import signing

from .models import Classroom, Seat

MAX_AGE = 60 * 60 * 24 * 2  # a class lasts hours; a cookie two days


def cookie_name(code):
    return f"seat-{code}"


def _signer(classroom):
    return signing.get_cookie_signer(salt=f"playground.classroom.seat.{classroom.pk}")


def set_cookie(response, seat, secure=False):
    value = _signer(seat.classroom).sign(f"{seat.pk}:{seat.secret}")
    response.set_cookie(cookie_name(seat.classroom.code), value, max_age=MAX_AGE, httponly=True,
                        samesite="Lax", secure=secure, path="/")


class SeatRefused(Exception):
    """A cookie that was valid once names a seat that has been removed."""


def seat_from_cookies(cookies, classroom):
    """The seat a classroom's cookie names, or None (no cookie, a forged or foreign one).
    A removed seat raises SeatRefused: its student is told so rather than taken for a stranger."""
    value = cookies.get(cookie_name(classroom.code))
    if not value:
        return None
    try:
        seat_id, secret = _signer(classroom).unsign(value, max_age=MAX_AGE).split(":", 1)
        seat = Seat.objects.filter(pk=int(seat_id), classroom=classroom).first()
    except (signing.BadSignature, ValueError):
        return None
    if seat is None or seat.secret != secret:
        return None
    if seat.removed is not None:
        raise SeatRefused("the teacher removed you from this class")
    seat.classroom = classroom
    return seat


def open_seats(cookies):
    """The seats of open classes that a request's cookies name (for POST /api/runs, which
    carries no code), the most recently joined first."""
    codes = [name[len("seat-"):] for name in cookies if name.startswith("seat-")]
    found = []
    for classroom in Classroom.objects.filter(code__in=codes[:20], ended__isnull=True):
        seat = seat_from_cookies(cookies, classroom)  # may raise SeatRefused
        if seat is not None:
            found.append(seat)
    return sorted(found, key=lambda seat: seat.joined, reverse=True)
