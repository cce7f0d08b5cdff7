"""Template context every page gets."""

from django.conf import settings


def sandbox(request):
    # Pages warn, in plain words, when snippets run without the operating-system wall.
    return {"sandbox_unisolated": settings.SANDBOX == "python-only"}
