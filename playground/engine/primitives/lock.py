"""`threading.Lock`: one owner; a released lock goes to the longest waiter."""

from __future__ import annotations

import time
from typing import Any

from ..threads import ThreadCtx
from .base import NAME_KEYWORD, Facade, Resource, operation, timeout_of, wrap


class Lock(Resource):
    rtype = "lock"

    def __init__(self, runtime, node, name=None):
        super().__init__(runtime, node, name)
        self.owner: ThreadCtx | None = None
        self.count = 0

    def holders(self):
        return [self.owner] if self.owner is not None else []

    def value(self):
        return 0 if self.owner is not None else 1

    def state(self) -> dict[str, Any]:  # the most frequent event of all: kept short
        owner = self.owner
        return {"owners": [owner.name] if owner is not None else [],
                "waiting": [t.name for t in self.waiters], "value": self.value()}

    # -- what a reentrant lock does differently (see RLock) ---------------------------
    def reenter(self, ctx: ThreadCtx) -> bool:
        """The owner asks again: a plain lock makes it wait (for ever, if nobody else releases)."""
        return False

    def check_release(self, ctx: ThreadCtx) -> None:
        """Any thread may release a plain lock."""

    # -- acquiring ----------------------------------------------------------------------
    def take(self, ctx: ThreadCtx, blocking: bool, timeout: float | None) -> bool:
        """Monitor held. Returns whether `ctx` now holds the lock."""
        if self.owner is None:
            self.owner, self.count = ctx, 1
            self.event(ctx, "sync.acquire")
            return True
        if self.owner is ctx and self.reenter(ctx):
            self.count += 1
            self.event(ctx, "sync.acquire")
            return True
        if not blocking:
            return False
        self.waiters.append(ctx)
        self.event(ctx, "sync.request")
        if self.rt.controlled:  # handed over in line: every run is exact and replayable
            got = self.block(ctx, timeout)
        else:
            got = self.compete(ctx, timeout)
        if got:
            return True
        self.waiters.remove(ctx)
        self.event(ctx, "sync.timeout")
        return False

    def compete(self, ctx: ThreadCtx, timeout: float | None) -> bool:
        """Free mode: woken when the lock comes free, the waiter races for it like a
        real lock's waiter does; the releasing thread may well win it back first."""
        rt = self.rt
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            ok = rt.wait_until(ctx, lambda: self.owner is None or ctx.granted is self, self, remaining)
            if ctx.granted is self:  # handed over (after a condition wait)
                ctx.granted = None
                return True
            if self.owner is None:
                self.waiters.remove(ctx)
                self.owner, self.count = ctx, 1
                self.event(ctx, "sync.acquire")
                return True
            if not ok:
                return False

    @operation
    def acquire(self, ctx: ThreadCtx, blocking: bool = True, timeout: float = -1) -> bool:
        return self.take(ctx, blocking, timeout_of(timeout))

    # -- releasing ----------------------------------------------------------------------
    def give_up(self, ctx: ThreadCtx) -> None:
        """Monitor held: release one level; hand the lock to the longest waiter."""
        if self.owner is None:
            raise RuntimeError(f"release of {self.name}, which is not locked")
        self.check_release(ctx)
        self.count -= 1
        if self.count > 0:
            self.event(ctx, "sync.release")
            return
        self.owner = None
        self.event(ctx, "sync.release")
        self.hand_over()

    def hand_over(self) -> None:
        if self.owner is None and self.waiters:
            nxt = self.waiters[0]
            if not self.rt.controlled and nxt.granted is None:
                self.rt.wake(nxt)  # free mode: it competes for the lock (see compete)
                return
            self.waiters.pop(0)
            self.owner, self.count = nxt, 1
            self.event(nxt, "sync.acquire")
            self.grant(nxt)

    @operation
    def release(self, ctx: ThreadCtx) -> None:
        self.give_up(ctx)

    def locked(self) -> bool:
        return self.owner is not None

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class LockFacade(Facade, shown="Lock"):
    __slots__ = ()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self._impl.acquire(blocking, timeout)

    def release(self) -> None:
        self._impl.release()

    def locked(self) -> bool:
        return self._impl.locked()

    def __enter__(self) -> LockFacade:
        self._impl.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._impl.release()


def constructor(engine: type[Lock], runtime, node):
    """`threading.Lock` for the snippets of `node`."""

    def Lock(**kw):
        return wrap(LockFacade, engine(runtime, node, kw.pop(NAME_KEYWORD, None)))

    return Lock
