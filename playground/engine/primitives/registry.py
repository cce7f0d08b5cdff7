"""Every synchronisation primitive a scenario can use, in one list.

A new primitive starts here: its module (engine class, facade, snippet
constructor) and one line in `PRIMITIVES`. The spec's resource types, the
snippet's `threading` namespace, the names the instrumentation passes a display
name to, and the frontend's type list (`python -m playground.engine.contract
typescript`) all come from this list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from . import barrier, condition, event, lock, rlock, semaphore
from .base import Facade, Resource, wrap


class Primitive(NamedTuple):
    rtype: str  # its type in specs and in events' `rtype`
    constructor: str  # its name in `threading` (and as a bare name in snippets)
    engine: type[Resource]
    facade: type[Facade]
    # (engine class, runtime, node) -> the snippet's constructor, a plain function
    make_constructor: Callable[..., Callable[..., Any]]


PRIMITIVES: tuple[Primitive, ...] = (
    Primitive("lock", "Lock", lock.Lock, lock.LockFacade, lock.constructor),
    Primitive("rlock", "RLock", rlock.RLock, rlock.RLockFacade, rlock.constructor),
    Primitive("semaphore", "Semaphore", semaphore.Semaphore, semaphore.SemaphoreFacade, semaphore.constructor),
    Primitive("boundedsemaphore", "BoundedSemaphore", semaphore.BoundedSemaphore,
              semaphore.BoundedSemaphoreFacade, semaphore.bounded_constructor),
    Primitive("condition", "Condition", condition.Condition, condition.ConditionFacade, condition.constructor),
    Primitive("event", "Event", event.Event, event.EventFacade, event.constructor),
    Primitive("barrier", "Barrier", barrier.Barrier, barrier.BarrierFacade, barrier.constructor),
)

BY_RTYPE: dict[str, Primitive] = {p.rtype: p for p in PRIMITIVES}
RESOURCE_TYPES: tuple[str, ...] = tuple(BY_RTYPE)
CONSTRUCTORS: tuple[str, ...] = tuple(p.constructor for p in PRIMITIVES)
FACADE_OF: dict[type, type] = {p.engine: p.facade for p in PRIMITIVES}
# What else a snippet's `threading` offers besides the constructors and Thread.
EXCEPTIONS = {"BrokenBarrierError": barrier.BrokenBarrierError}


def facade(impl: Resource) -> Any:
    """What a snippet holds for the engine's `impl`."""
    return wrap(FACADE_OF[type(impl)], impl)


def constructors(runtime: Any, node: Any) -> dict[str, Callable[..., Any]]:
    """`threading.Lock`, `threading.Semaphore`, … for the snippets of `node`."""
    return {p.constructor: p.make_constructor(p.engine, runtime, node) for p in PRIMITIVES}


def declare(runtime: Any, node: Any, resources: list[dict]) -> dict[str, Any]:
    """The resources a node's spec declares, made in order (a condition after its lock),
    as facades by name."""
    made: dict[str, Resource] = {}
    for res in sorted(resources, key=lambda r: BY_RTYPE[r["type"]].engine.declared_late):
        made[res["name"]] = BY_RTYPE[res["type"]].engine.declare(runtime, node, res, made)
    return {name: facade(impl) for name, impl in made.items()}


def spec_problems(res: Any, resources: list) -> list[tuple[str, str]]:
    """What is wrong with one declared resource of a spec (pydantic models), as (field, message)."""
    return BY_RTYPE[res.type].engine.spec_problems(res, resources)
