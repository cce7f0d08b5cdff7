"""The built-in lessons: playground/scenarios/library/*.json, validated by the engine."""

import json
from pathlib import Path

from django.db import transaction

from playground.engine.spec import SpecError, validate

from .models import Scenario
from .saved import move_aside

LIBRARY_DIR = Path(__file__).resolve().parent / "library"


def read_library(directory=LIBRARY_DIR):
    """(path, spec) for every valid file; raises SpecError naming the file for a bad one."""
    specs = []
    for path in sorted(Path(directory).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise SpecError([{"path": path.name, "message": f"not JSON: {exc}"}]) from None
        try:
            specs.append((path, validate(data)))
        except SpecError as exc:
            raise SpecError([{"path": f"{path.name}: {e['path']}", "message": e["message"]} for e in exc.errors]) from None
    return specs


@transaction.atomic
def load_library(directory=LIBRARY_DIR):
    """Create or update a built-in Scenario per file; running it twice changes nothing.
    Returns (created, updated) counts."""
    created = updated = 0
    for path, spec in read_library(directory):
        slug = spec.get("slug") or path.stem
        fields = {"title": spec.get("title") or slug, "summary": spec.get("summary") or "",
                  "tags": spec.get("tags") or [], "spec": spec, "builtin": True}
        move_aside(slug)  # a person's saved scenario never stands in a lesson's way
        existing = Scenario.objects.filter(slug=slug).first()
        if existing is None:
            Scenario.objects.create(slug=slug, **fields)
            created += 1
        elif any(getattr(existing, k) != v for k, v in fields.items()):
            Scenario.objects.filter(pk=existing.pk).update(**fields)
            updated += 1
    return created, updated
