"""What every API view shares: JSON bodies in, JSON answers out, errors as 4xx JSON."""

import json
import logging
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Raised anywhere in a view to answer with `status` and a JSON error body."""

    def __init__(self, status, message, errors=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


def error_response(status, message, errors=None, **extra):
    body = {"error": message, "errors": errors or [{"path": "", "message": message}], **extra}
    return JsonResponse(body, status=status)


def api_view(*methods):
    """A JSON view accepting only `methods`. It never answers with an HTML page and
    never leaks a traceback: unexpected errors are logged and answered in JSON."""

    def decorate(view):
        # A visitor's request carries no identity to abuse, so it needs no CSRF token;
        # a signed-in person's (session cookie) unsafe request does: see csrf_refusal.
        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                response = error_response(405, f"{request.method} is not allowed here; use {', '.join(methods)}")
                response["Allow"] = ", ".join(methods)
                return response
            refusal = csrf_refusal(request)
            if refusal:
                return error_response(403, f"CSRF check failed: {refusal}; send the csrftoken cookie's value "
                                           "(or the page's csrf-token meta) as the X-CSRFToken header")
            try:
                return view(request, *args, **kwargs)
            except ApiError as exc:
                return error_response(exc.status, exc.message, exc.errors)
            except RequestDataTooBig:
                return too_big()
            except Exception:
                log.exception("%s %s failed", request.method, request.path)
                return error_response(500, "internal error; it has been logged")

        return wrapped

    return decorate


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


def require_user(request):
    """The signed-in person, or ApiError 401."""
    if not request.user.is_authenticated:
        raise ApiError(401, "sign in first (/accounts/login/)")
    return request.user


def too_big():
    return error_response(413, "the request body is too large")


def read_json(request):
    """The request body as a JSON object, or ApiError 400/413."""
    body = request.body  # raises RequestDataTooBig past DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"malformed JSON: {exc}") from None
    except RecursionError:  # "[" * 100000: Python's decoder gives up; the request is still bad input
        raise ApiError(400, "malformed JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    return data


def query_int(request, name, default, minimum=0, maximum=None):
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number", [{"path": name, "message": "not a whole number"}]) from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ApiError(400, f"{name} must be {bounds}", [{"path": name, "message": f"must be {bounds}"}])
    return value


def not_found(what):
    return ApiError(404, f"no such {what}")
