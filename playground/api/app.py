"""The JSON API under /api/, on django-ninja: a router per job (runs, scenarios,
traces), pydantic schemas in and out, every error through one set of handlers
(errors.py), and the OpenAPI document and its docs page for free."""

from functools import wraps

from django.middleware.csrf import CsrfViewMiddleware
from ninja import NinjaAPI

from . import checks, classroom_students, classrooms, curriculum, errors, runs, scenarios, traces
from .jsonbody import StrictJsonParser

DESCRIPTION = """\
The playground's HTTP API: scenarios (built-in lessons and saved ones), runs and their
events, traces in and out; the lessons in chapters (`/api/curriculum`), their challenges
checked (`POST /api/checks`) and each account's progress (`/api/progress`). The WebSocket
`/ws/runs/{id}/?after=N` streams a run live (see the project's CONTRACT.md).

**Classrooms** (`/api/classrooms…`, README "Classroom"): a teacher (a user in the
`teachers` group) opens a class and gets a join code; students join with it and a name and
are known by the signed cookie `seat-<CODE>` from then on (their `POST /api/runs` are the
seat's, at most CLASSROOM_MAX_RUNNING at once and CLASSROOM_MAX_RUNS_PER_MINUTE). Only the
class's teacher pushes, votes, reveals, spotlights, exports or ends; for anyone else but its
students a class they do not teach is 404, as if the code did not exist. WebSockets:
`/ws/classrooms/{code}/` (dashboard or student) and `/ws/classrooms/{code}/screen` (projector).
The dashboard socket sends the whole dashboard first (`state`, as `GET /api/classrooms/{code}`)
and a whole `dashboard` per flush; opened with `?deltas=1` it sends per flush only
`{"type": "seats", "students": [the seats that changed], "removed": [ids], "summary"?: {"outcomes",
"gallery", "activity": {"id", "tallies", "shift", "exploration"}}}` and the whole dashboard again
when the activity changes, on `refresh` and on every reconnect.

**Errors** are JSON, `{"error": message, "errors": [{"path", "message"}]}`, with a 4xx
status: 400 bad input (each problem at its path: a spec field, a query parameter, a
trace line), 401 not signed in, 403 not allowed, 404 unknown, 405 wrong method,
409 conflict, 413 too large, 429 too many. Bad input is never a 500.

**Who may do what.** A run belongs to whoever started it: the signed-in account, or
else the visitor's browser session (its session cookie). Anyone holding a run's id may
read it, its events and its trace, like a share link; `GET /api/runs` lists only your
own runs, and only you may cancel or delete them (403 otherwise; the WebSocket's
`cancel` obeys the same rule). Saved scenarios are changed only by the person who saved
them and open for anyone by their share id.

**CSRF.** A request made with a signed-in session cookie that changes something must
carry the `csrftoken` cookie's value as the `X-CSRFToken` header; a visitor's needs
none.

**Challenges.** A lesson's spec may carry `challenges`: `{"id", "kind": "predict"|"break"|"fix",
"text", "hints"?, "choices"?, "answer"? (predict), "goal"? (break, fix), "keeps"? (fix),
"edit"? (break: may be reached by editing the code), "start"? (fix: the broken code to
begin from)}`. Break goals (all must hold in the run): `verdict` (`lost-update`,
`non-serial`, `deadlock-cycle`, `stuck`, `violated`, `failed`, …, or a list), `status`,
`condition` (an expression over the node's shared variables and `inside('name')` that
must become true at some step), `event` (`{"kind": "msg.drop", …fields to match}`),
`output` (a printed line contains it). Fix goals (every explored outcome must complete
and meet them): `serial` (every outcome equals one of the serial outcomes),
`never` (an expression, watched after every step), `no_deadlock`, `status`. Keeps (or
the fix is refused): `serial_outcomes` (the same serial outcomes as the lesson),
`outputs` (lines every outcome still prints), `shared` (values every outcome still
ends with); the lesson's threads must stay. A predict `answer` is a value, a list of
every right choice, or `{"from": "explore", "value": "node.variable"}`. It never reaches a
learner before they answer: `GET /api/scenarios/{slug}` (unless the scenario is the
caller's own), classroom activities and stored runs carry predict challenges without
`answer`, and checks judge against the stored lesson. A spec may leave `answer` out (a
copy of a lesson saved from what it was served): its check answers 400 "no answer to
check against".

This schema is at `/api/openapi.json`, the interactive docs at `/api/docs`.
"""


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def csrf_refusal(request):
    """Why Django's CSRF check refuses this request, or None. Only requests made with a
    signed-in session are checked (as Django REST framework's SessionAuthentication
    does): those are the ones a cross-site page could make on someone's behalf."""
    user = getattr(request, "user", None)
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or user is None or not user.is_authenticated:
        return None
    check = _CsrfCheck(lambda req: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


def csrf_guard(run):
    @wraps(run)
    def guarded(request, *args, **kwargs):
        refusal = csrf_refusal(request)
        if refusal:
            return errors.error_response(403, f"CSRF check failed: {refusal}; send the csrftoken cookie's value "
                                              "(or the page's csrf-token meta) as the X-CSRFToken header")
        return run(request, *args, **kwargs)

    return guarded


def json_405(view):
    """ninja answers a wrong method with a text 405; the API answers in JSON."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response["Allow"]
            response = errors.error_response(405, f"{request.method} is not allowed here; use {allowed}")
            response["Allow"] = allowed
        return response

    return answer


api = NinjaAPI(title="Playground API", version="1", description=DESCRIPTION, parser=StrictJsonParser(),
               urls_namespace="api")
errors.install(api)
api.add_decorator(csrf_guard, mode="view")
api.add_router("", scenarios.router)
api.add_router("", runs.router)
api.add_router("", traces.router)
api.add_router("", checks.router)
api.add_router("", curriculum.router)
api.add_router("", classrooms.router)
api.add_router("", classroom_students.router)


def urlpatterns():
    patterns = api.urls[0]
    for pattern in patterns:
        if getattr(pattern.callback, "csrf_exempt", False):  # the API's own views, not the docs
            pattern.callback = json_405(pattern.callback)
    return patterns
