"""What every synchronisation primitive shares: the engine side (`Resource`), the
snippet's side (`Facade`), and the preamble of every operation (`operation`).

A primitive behaves like Python's `threading` one, so textbook code runs verbatim,
but its state lives under the runtime's monitor: every request, acquire, release,
wait, wake and notify is an event carrying the state after it, and a scheduling
point. A released lock is handed to the longest waiter (FIFO), which keeps runs
fair and the trace easy to follow.

The primitives talk to the monitor only through `self.rt`: `local`, `point`,
`mutex`, `emit_at`, `wait_until`, `wake`, `moved`, `controlled`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..threads import NodeState, ThreadCtx

# The runtime's monitor (monitor.Monitor), named by what a primitive calls on it: the
# primitives sit below the monitor and never import it.
Monitor = Any


# `x_lock = Lock()` is rewritten to `Lock(__pg_name__="x_lock")` (see instrument.py):
# the display name travels in a keyword no snippet can write.
NAME_KEYWORD = "__pg_name__"


def operation(method: Callable[..., Any]) -> Callable[..., Any]:
    """A primitive's operation as the learner calls it: a scheduling point, then
    `method(self, ctx, …)` under the monitor, `ctx` being the calling thread."""

    @functools.wraps(method)
    def run(self: Resource, *args: Any, **kwargs: Any) -> Any:
        rt = self.rt
        ctx = rt.local.ctx
        rt.point(ctx)
        with rt.mutex:
            return method(self, ctx, *args, **kwargs)

    return run


def timeout_of(timeout: float | None) -> float | None:
    """`threading`'s convention: a negative timeout (or None) waits forever."""
    if timeout is None or timeout < 0:
        return None
    return timeout


class Resource:
    """The engine side of a primitive; `rtype` is its type in specs and events."""

    rtype = "resource"
    # Made after the others when declared in a spec (a condition needs its lock first).
    declared_late = False

    def __init__(self, runtime: Monitor, node: NodeState, name: str | None):
        self.rt = runtime
        self.node = node
        self.name = node.unique_name(name, self.rtype)
        self.gid = f"{node.id}/{self.name}"
        self.waiters: list[ThreadCtx] = []
        node.resources[self.name] = self

    @classmethod
    def declare(cls, runtime: Monitor, node: NodeState, res: dict, made: dict[str, Resource]) -> Resource:
        """The resource a spec declares (`{"name": "x_lock", "type": "lock"}`)."""
        return cls(runtime, node, res["name"])

    @staticmethod
    def spec_problems(res: Any, resources: list) -> list[tuple[str, str]]:
        """What is wrong with a declaration in a spec, as (field, message) pairs."""
        return []

    def holders(self) -> list[ThreadCtx]:
        return []

    def value(self) -> int | None:
        return None

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = {"owners": [t.name for t in self.holders()],
                                 "waiting": [t.name for t in self.waiters]}
        value = self.value()
        if value is not None:
            state["value"] = value
        return state

    def event(self, ctx: ThreadCtx, kind: str, **extra: Any) -> None:
        self.rt.emit_at(ctx, kind, resource=self.name, rtype=self.rtype, state=self.state(), **extra)

    def block(self, ctx: ThreadCtx, timeout: float | None) -> bool:
        """Monitor held: wait until another thread grants this resource to `ctx`."""
        ok = self.rt.wait_until(ctx, lambda: ctx.granted is self, self, timeout)
        ctx.granted = None
        return ok

    def grant(self, ctx: ThreadCtx) -> None:
        ctx.granted = self
        self.rt.wake(ctx)

    def wake_all(self, ctx: ThreadCtx, **extra: Any) -> None:
        """Monitor held: `ctx` lets every waiter go on (an event set, a barrier full)."""
        woken, self.waiters = self.waiters, []
        self.event(ctx, "sync.notify", **extra, woken=[t.name for t in woken])
        for t in woken:
            self.event(t, "sync.wake")
            self.grant(t)

    def __repr__(self) -> str:
        return f"<{self.rtype} {self.name}>"


class Facade:
    """What a snippet holds: the engine's object sits in `_impl`, which no snippet can name.

    `class LockFacade(Facade, shown="Lock")`: the learner's name of the class."""

    __slots__ = ("_impl",)

    def __init_subclass__(cls, shown: str | None = None, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if shown is not None:
            cls.__name__ = cls.__qualname__ = shown

    def __init__(self, *args: Any, **kwargs: Any):
        # Only the engine makes facades (see `wrap`): `type(lock)(anything)` must
        # not make a lock around an object of the snippet's choosing.
        raise TypeError(f"use threading.{type(self).__name__}() to make one")

    def __repr__(self) -> str:
        return repr(self._impl)


def wrap(cls: type, impl: Any) -> Any:
    facade = object.__new__(cls)
    facade._impl = impl
    return facade
