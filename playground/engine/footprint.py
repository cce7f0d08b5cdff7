"""What the explorer needs to know about a step: what it touched (two steps conflict
when they touch the same thing and one changes it), and what a wait it began touches.
A thread's state for the visited set is framestate.py's.

What each kind of event touches is written in the contract (`contract.KINDS`);
an event kind the contract does not know is an error, never a silent guess: a
wrong guess would let the explorer prune schedules it has not seen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .contract import KINDS, Touch

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
    if field is None:
        return lambda ctx, fields: (space, ctx.node.id, "", access)
    return lambda ctx, fields: (space, ctx.node.id, fields[field], access)


_RULES = {name: _rule(name, k.touches) for name, k in KINDS.items() if k.thread and k.touches is not None}


def touches(ctx: ThreadCtx, kind: str, fields: dict) -> tuple:
    """What an event's step touched, and how: (space, owner, name, "r" | "w")."""
    try:
        rule = _RULES[kind]
    except KeyError:
        raise UnknownEventKind(f"{kind!r} is not a thread's event kind in playground/engine/contract.py") from None
    return rule(ctx, fields)


# A footprint that conflicts with every other (a timeout that made something possible again).
EVERYTHING = ("*", "", "", "w")


def conflict(a: set, b: set) -> bool:
    """Do two steps' footprints conflict (same object, at least one write; or EVERYTHING)?"""
    if EVERYTHING in a or EVERYTHING in b:
        return True
    for x in a:
        for y in b:
            if x[:3] == y[:3] and (x[3] == "w" or y[3] == "w"):
                return True
    return False


def waits(threads: list, name: str | None) -> set:
    """What a step that ended with its thread waiting touched: the thing it waits on (an
    inbox, a resource, a thread it joins). The wait's order among others matters (who gets
    the next message, the lock), and a wait often emits no event of its own."""
    for ctx in threads:
        if ctx.name == name:
            res = ctx.waiting_on
            if res is None or ctx.state != "blocked":
                return set()
            rtype = getattr(res, "rtype", "")
            if rtype == "inbox":  # who is handed the next arrival: dependent on arrivals and takers
                return {("inbox", ctx.node.id, "", "w"), ("take", ctx.node.id, "", "w")}
            if rtype == "thread":
                return {("thread", res.name, "", "w")}
            return {("res", ctx.node.id, getattr(res, "name", ""), "w")}
    return set()
