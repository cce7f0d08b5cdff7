"""Scenarios: the built-in lessons and the ones people save.

GET lists the built-ins and the signed-in person's own; a saved scenario opens by its
slug for its owner and by its share id (`s_…`, unguessable) for anyone with the link.
Saving, replacing and deleting need a signed-in session (and its CSRF token)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from playground.engine.spec import SpecError, validate
from playground.runs.limits import timeout_errors
from playground.scenarios import saved
from playground.scenarios.models import Scenario

from .http import ApiError, api_view, not_found, read_json, require_user


def checked_spec(data, too_long="the scenario spec is invalid"):
    """A validated, normalised spec, or ApiError 400 with every error's path."""
    try:
        spec = validate(data)
    except SpecError as exc:
        raise ApiError(400, "the scenario spec is invalid", exc.errors) from None
    errors = timeout_errors(spec)
    if errors:
        raise ApiError(400, too_long, errors)
    return spec


def saved_json(scenario, user, status=200):
    body = scenario.listing(user)
    body["url"] = f"/api/scenarios/{scenario.slug}"
    return JsonResponse(body, status=status)


@api_view("GET", "POST")
def scenario_list(request):
    if request.method == "POST":
        user = require_user(request)
        scenario = saved.save_new(checked_spec(read_json(request)), user)
        return saved_json(scenario, user, status=201)
    scenarios = Scenario.objects.visible_to(request.user)
    return JsonResponse([s.listing(request.user) for s in scenarios], safe=False)


@api_view("GET", "PUT", "DELETE")
def scenario_detail(request, slug):
    scenario = Scenario.objects.find(slug, request.user)
    if scenario is None:
        raise not_found("scenario")
    if request.method == "GET":
        return JsonResponse(scenario.spec)
    user = require_user(request)
    if not scenario.is_owned_by(user):
        raise ApiError(403, "only the person who saved this scenario may change it"
                       + (" (built-in lessons are read-only)" if scenario.builtin else ""))
    if request.method == "DELETE":
        scenario.delete()
        return HttpResponse(status=204)
    return saved_json(saved.replace(scenario, checked_spec(read_json(request))), user)


@api_view("POST")
def scenario_validate(request):
    """For the editor: the errors of a spec, each at its path (and snippet line)."""
    checked_spec(read_json(request))
    return JsonResponse({"ok": True})


@api_view("GET")
def me(request):
    user = request.user
    return JsonResponse({"authenticated": user.is_authenticated,
                         "username": user.get_username() if user.is_authenticated else None,
                         "login": "/accounts/login/", "signup": "/accounts/signup/", "logout": "/accounts/logout/",
                         "sandbox": settings.SANDBOX})
