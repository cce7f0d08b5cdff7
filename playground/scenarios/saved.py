"""Scenarios saved by signed-in people: what the API does to them, kept out of the views."""

from django.db import IntegrityError, transaction

from .models import Scenario, new_share_id

# Paths under /api/scenarios/ that are not scenarios.
RESERVED_SLUGS = frozenset({"validate"})
MAX_SLUG = 80  # the engine's slug limit


def unique_slug(base):
    """`base`, or `base-2`, `base-3` … : the first that no scenario (or route) holds."""
    base = base[:MAX_SLUG]
    candidate, n = base, 1
    while candidate in RESERVED_SLUGS or Scenario.objects.filter(slug=candidate).exists():
        n += 1
        suffix = f"-{n}"
        candidate = base[:MAX_SLUG - len(suffix)] + suffix
    return candidate


def _fields(spec):
    return {"title": spec.get("title") or spec["slug"], "summary": spec.get("summary") or "",
            "tags": spec.get("tags") or [], "spec": spec}


def save_new(spec, owner):
    """Store a validated spec as `owner`'s; its slug is the spec's, made unique."""
    for _ in range(5):  # another save may take the same slug between the check and the insert
        slug = unique_slug(spec.get("slug") or "untitled")
        spec = {**spec, "slug": slug}
        try:
            with transaction.atomic():
                return Scenario.objects.create(slug=slug, owner=owner, share_id=new_share_id(), **_fields(spec))
        except IntegrityError:
            continue
    raise IntegrityError("could not find a free slug")


def replace(scenario, spec):
    """Put a validated spec in place of a saved scenario's; its slug and share id stay."""
    spec = {**spec, "slug": scenario.slug}
    for name, value in _fields(spec).items():
        setattr(scenario, name, value)
    scenario.save()
    return scenario


def move_aside(slug):
    """A built-in is about to take `slug`: a saved scenario holding it gets another."""
    saved = Scenario.objects.filter(slug=slug, builtin=False).first()
    if saved is not None:
        new = unique_slug(f"{slug}-saved")
        saved.spec = {**saved.spec, "slug": new}
        saved.slug = new
        saved.save(update_fields=["slug", "spec"])
