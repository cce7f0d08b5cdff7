"""How much trace a visitor or an account may keep, and who owns a run.

A run belongs to the signed-in person who started it, or else to the visitor's browser
session (its session key). The sum of the owner's stored traces (`Run.trace_bytes`,
kept up to date by the worker) is compared with their cap before a new run or upload;
past it the caller is refused (429) with what to do. Runs already going may take the
owner past the cap by at most their own per-run cap: the check is made when a run
starts, not while it runs.
"""

from django.conf import settings
from django.db.models import Sum

from .models import Run

MB = 1_000_000


def owner_of(request):
    """(user or None, visitor session key or ""): whom a new run or upload belongs to.
    A visitor without a session gets one, so that their runs are theirs from now on."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, ""
    session = getattr(request, "session", None)
    if session is None:
        return None, ""
    if not session.session_key:
        session["visitor"] = True  # modified: the response carries the session cookie
        session.save()
    return None, session.session_key or ""


def runs_of(user, visitor):
    if user is not None:
        return Run.objects.filter(owner=user)
    return Run.objects.filter(owner__isnull=True, visitor=visitor)


def stored_bytes(user, visitor):
    if user is None and not visitor:
        return 0
    return runs_of(user, visitor).aggregate(total=Sum("trace_bytes"))["total"] or 0


def over_quota(user, visitor):
    """None, or the message for an owner whose stored traces have reached their cap."""
    if user is None and not visitor:
        return None
    cap = settings.RUNS_ACCOUNT_MAX_TRACE_BYTES if user is not None else settings.RUNS_VISITOR_MAX_TRACE_BYTES
    used = stored_bytes(user, visitor)
    if used < cap:
        return None
    who = "your account" if user is not None else "a visitor"
    advice = ("delete some of them (DELETE /api/runs/<id>)" if user is not None else
              f"delete some of them (DELETE /api/runs/<id>), sign in, or wait: visitors' runs are deleted "
              f"after {settings.RUNS_VISITOR_RETENTION_DAYS:g} days")
    return (f"your stored runs take {used / MB:.1f} MB and {who} may keep at most {cap / MB:g} MB of traces; "
            f"{advice}")
