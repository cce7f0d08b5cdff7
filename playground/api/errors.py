"""Every API error is `{"error": message, "errors": [{"path", "message"}]}` with a 4xx
status: raised anywhere as ApiError, or met as a ninja validation error, a body too
large, an unknown URL. Nothing unexpected leaks a traceback (it is logged; a 500)."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.views import defaults
from ninja.errors import HttpError, ValidationError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Raised anywhere in a view to answer with `status` and a JSON error body."""

    def __init__(self, status, message, errors=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


def error_response(status, message, errors=None):
    return JsonResponse({"error": message, "errors": errors or [{"path": "", "message": message}]}, status=status)


def not_found(what):
    return ApiError(404, f"no such {what}")


def too_big():
    return error_response(413, "the request body is too large")


def require_user(request):
    """The signed-in person, or ApiError 401."""
    if not request.user.is_authenticated:
        raise ApiError(401, "sign in first (/accounts/login/)")
    return request.user


def loc_path(loc):
    """`nodes[0].threads` from a validation error's location, without its source
    (body, query, path) and, for a body, the name of the view's body parameter."""
    source, *rest = loc or ("",)
    if source == "body" and rest:
        rest = rest[1:]
    path = ""
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def validation_problems(exc):
    problems = []
    for error in exc.errors:
        loc = tuple(error.get("loc") or ())
        message = error.get("msg") or "invalid"
        if error.get("type") == "missing" and loc[:1] == ("body",) and len(loc) == 2:
            message = "the body must be a JSON object"
        problems.append({"path": loc_path(loc), "message": message})
    return problems


def install(api):
    """Route every exception a ninja view can raise to the one error shape."""

    @api.exception_handler(ApiError)
    def api_error(request, exc):
        return error_response(exc.status, exc.message, exc.errors)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        problems = validation_problems(exc)
        first = problems[0] if problems else {"path": "", "message": "invalid"}
        where = f"{first['path']}: " if first["path"] else ""
        return error_response(400, f"invalid input: {where}{first['message']}", problems)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        # ninja wraps whatever the body parser raised; ours raises ApiError.
        if isinstance(exc.__cause__, ApiError):
            return api_error(request, exc.__cause__)
        return error_response(exc.status_code, exc.message)

    @api.exception_handler(RequestDataTooBig)
    def request_too_big(request, exc):
        return too_big()

    @api.exception_handler(Http404)
    def unknown(request, exc):
        return error_response(404, f"nothing at {request.path}")

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        log.error("%s %s failed", request.method, request.path, exc_info=exc)
        return error_response(500, "internal error; it has been logged")


# Django's 404, 500 and 400 pages, answered in JSON under /api/ (a script reads those).

def django_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return error_response(404, f"nothing at {request.path}")
    return defaults.page_not_found(request, exception)


def django_server_error(request):
    if request.path.startswith("/api/"):
        return error_response(500, "internal error; it has been logged")
    return defaults.server_error(request)


def django_bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return error_response(400, "bad request")
    return defaults.bad_request(request, exception)
