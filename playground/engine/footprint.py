"""What the explorer needs to know about a step and a thread: what a step touched
(two steps conflict when they touch the same thing and one changes it), and a
thread's local state (for the visited set)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .events import snapshot

if TYPE_CHECKING:
    from .threads import ThreadCtx


def touches(ctx: ThreadCtx, kind: str, fields: dict) -> tuple:
    """What an event's step touched, and how: two steps conflict when they
    touch the same thing and one of them changes it."""
    if kind == "var.read":
        return ("var", ctx.node.id, fields["name"], "r")
    if kind == "var.write":
        return ("var", ctx.node.id, fields["name"], "w")
    if "resource" in fields:
        return ("res", ctx.node.id, fields["resource"], "w")
    if kind.startswith("section."):
        return ("section", ctx.node.id, fields.get("section"), "w")
    if kind.startswith("thread."):
        return ("thread", ctx.name, "", "w")
    return ("own", ctx.name, kind, "r")


def conflict(a: set, b: set) -> bool:
    """Do two steps' footprints conflict (same object, at least one write)?"""
    for x in a:
        for y in b:
            if x[:3] == y[:3] and (x[3] == "w" or y[3] == "w"):
                return True
    return False


def _plain(value: Any) -> bool:
    return isinstance(value, (int, float, str, bool, type(None), list, tuple, dict, set))


def fingerprint(snippet_files: dict) -> tuple:
    """A thread's local state: where it is in each snippet frame and its plain locals."""
    parts = []
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename in snippet_files:
            local = {k: snapshot(v) for k, v in frame.f_locals.items() if _plain(v) and not k.startswith("__")}
            parts.append((frame.f_code.co_filename, frame.f_code.co_firstlineno, frame.f_lasti,
                          repr(sorted(local.items()))))
        frame = frame.f_back
    return tuple(parts)
