"""What the explorer needs to know about a step and a thread: what a step touched
(two steps conflict when they touch the same thing and one changes it), and a
thread's local state (for the visited set).

What each kind of event touches is written in the contract (`contract.KINDS`);
an event kind the contract does not know is an error, never a silent guess: a
wrong guess would let the explorer prune schedules it has not seen."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .contract import KINDS, Touch
from .events import snapshot

if TYPE_CHECKING:
    from .threads import ThreadCtx


class UnknownEventKind(LookupError):
    """A thread emitted an event kind that `contract.KINDS` does not list as a thread's."""


def _rule(kind: str, touch: Touch) -> Callable[[Any, dict], tuple]:
    space, field, access = touch
    if space == "thread":
        return lambda ctx, fields: ("thread", ctx.name, "", access)
    if space == "own":
        return lambda ctx, fields: ("own", ctx.name, kind, access)
    return lambda ctx, fields: (space, ctx.node.id, fields[field], access)


_RULES = {name: _rule(name, k.touches) for name, k in KINDS.items() if k.thread and k.touches is not None}


def touches(ctx: ThreadCtx, kind: str, fields: dict) -> tuple:
    """What an event's step touched, and how: (space, owner, name, "r" | "w")."""
    try:
        rule = _RULES[kind]
    except KeyError:
        raise UnknownEventKind(f"{kind!r} is not a thread's event kind in playground/engine/contract.py") from None
    return rule(ctx, fields)


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
