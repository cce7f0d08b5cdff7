"""Scenarios: the built-in lessons and the ones people save.

GET lists the built-ins and the signed-in person's own; a saved scenario opens by its
slug for its owner and by its share id (`s_…`, unguessable) for anyone with the link.
Saving, replacing and deleting need a signed-in session (and its CSRF token)."""

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from ninja import Body, Router, Status

from playground.engine.spec import SpecError, validate, without_answers
from playground.runs.limits import timeout_errors
from playground.scenarios import saved
from playground.scenarios.models import Scenario

from .errors import ApiError, not_found, require_user
from .schemas import Me, Ok, Saved, ScenarioListing, Spec, errors

router = Router(tags=["scenarios"])

SpecBody = Body[dict[str, Any]]


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


def saved_json(scenario, user):
    return {**scenario.listing(user), "url": f"/api/scenarios/{scenario.slug}"}


@router.get("/me", response=Me, tags=["accounts"])
def me(request):
    """Who the caller is, and where to sign in, sign up and sign out."""
    user = request.user
    return {"authenticated": user.is_authenticated,
            "username": user.get_username() if user.is_authenticated else None,
            "login": "/accounts/login/", "signup": "/accounts/signup/", "logout": "/accounts/logout/",
            "sandbox": settings.SANDBOX}


@router.get("/scenarios", response=list[ScenarioListing], exclude_unset=True)
def scenario_list(request):
    """The built-in lessons and, for a signed-in person, their own saved scenarios."""
    return [s.listing(request.user) for s in Scenario.objects.visible_to(request.user)]


@router.post("/scenarios", response={201: Saved, **errors(400, 401, 403, 413)}, exclude_unset=True)
def scenario_save(request, spec: SpecBody):
    """Save a playground.scenario/1 spec as the signed-in person's (its slug made unique):
    201 with its `slug`, `share_id` (anyone with it may open it) and `url`."""
    user = require_user(request)
    return Status(201, saved_json(saved.save_new(checked_spec(spec), user), user))


@router.post("/scenarios/validate", response={200: Ok, **errors(400, 413)})
def scenario_validate(request, spec: SpecBody):
    """For the editor: `{"ok": true}`, or 400 with each error at its path (and snippet line)."""
    checked_spec(spec)
    return {"ok": True}


@router.get("/scenarios/{slug:slug}", response={200: Spec, **errors(404)})
def scenario_detail(request, slug: str):
    """A scenario's spec, by a built-in's slug, one's own saved slug, or a share id. Its
    predict challenges come without their answers unless it is the caller's own."""
    scenario = find(request, slug)
    return scenario.spec if scenario.is_owned_by(request.user) else without_answers(scenario.spec)


@router.put("/scenarios/{slug:slug}", response={200: Saved, **errors(400, 401, 403, 404, 413)},
            exclude_unset=True)
def scenario_replace(request, slug: str, spec: SpecBody):
    """Its owner replaces a saved scenario's spec (built-ins are read-only)."""
    scenario, user = owned(request, slug)
    return saved_json(saved.replace(scenario, checked_spec(spec)), user)


@router.delete("/scenarios/{slug:slug}", response={204: None, **errors(401, 403, 404)})
def scenario_delete(request, slug: str):
    """Its owner deletes a saved scenario (built-ins are read-only)."""
    scenario, _ = owned(request, slug)
    scenario.delete()
    return HttpResponse(status=204)


def find(request, slug):
    scenario = Scenario.objects.find(slug, request.user)
    if scenario is None:
        raise not_found("scenario")
    return scenario


def owned(request, slug):
    scenario = find(request, slug)
    user = require_user(request)
    if not scenario.is_owned_by(user):
        raise ApiError(403, "only the person who saved this scenario may change it"
                       + (" (built-in lessons are read-only)" if scenario.builtin else ""))
    return scenario, user
