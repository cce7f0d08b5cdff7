"""Django's 404 and 500 pages, answered in JSON under /api/ (a script reads those)."""

from django.views import defaults

from .http import error_response


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return error_response(404, f"nothing at {request.path}")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return error_response(500, "internal error; it has been logged")
    return defaults.server_error(request)


def bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return error_response(400, "bad request")
    return defaults.bad_request(request, exception)
