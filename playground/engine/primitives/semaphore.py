"""`threading.Semaphore` and `threading.BoundedSemaphore`: a count of permits."""

from __future__ import annotations

from typing import Any

from ..threads import ThreadCtx
from .base import NAME_KEYWORD, Facade, Resource, operation, timeout_of, wrap


class Semaphore(Resource):
    rtype = "semaphore"

    def __init__(self, runtime, node, value: int = 1, name=None):
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        super().__init__(runtime, node, name)
        self.initial = self.count = value
        self.owners: list[ThreadCtx] = []

    @classmethod
    def declare(cls, runtime, node, res: dict, made: dict) -> Semaphore:
        return cls(runtime, node, res.get("value") if res.get("value") is not None else 1, res["name"])

    def holders(self):
        return list(self.owners)

    def value(self):
        return self.count

    def check_release(self) -> None:
        """A plain semaphore may be released more often than it was acquired."""

    @operation
    def acquire(self, ctx: ThreadCtx, blocking: bool = True, timeout: float | None = None) -> bool:
        if self.count > 0:
            self.count -= 1
            self.owners.append(ctx)
            self.event(ctx, "sync.acquire")
            return True
        if not blocking:
            return False
        self.waiters.append(ctx)
        self.event(ctx, "sync.request")
        got = self.block(ctx, timeout_of(timeout))
        if not got:
            self.waiters.remove(ctx)
            self.event(ctx, "sync.timeout")
        return got

    @operation
    def release(self, ctx: ThreadCtx, n: int = 1) -> None:
        for _ in range(n):
            self.check_release()
            if ctx in self.owners:
                self.owners.remove(ctx)
            elif self.owners:
                self.owners.pop(0)
            self.count += 1
            self.event(ctx, "sync.release")
            if self.waiters:
                nxt = self.waiters.pop(0)
                self.count -= 1
                self.owners.append(nxt)
                self.event(nxt, "sync.acquire")
                self.grant(nxt)

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class BoundedSemaphore(Semaphore):
    rtype = "boundedsemaphore"

    def check_release(self) -> None:
        if self.count >= self.initial:
            raise ValueError(f"{self.name} released too many times")


class SemaphoreFacade(Facade, shown="Semaphore"):
    __slots__ = ()

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        return self._impl.acquire(blocking, timeout)

    def release(self, n: int = 1) -> None:
        self._impl.release(n)

    def __enter__(self) -> SemaphoreFacade:
        self._impl.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._impl.release()


class BoundedSemaphoreFacade(SemaphoreFacade, shown="BoundedSemaphore"):
    __slots__ = ()


def constructor(engine: type[Semaphore], runtime, node):
    """`threading.Semaphore` for the snippets of `node`."""

    def Semaphore(value: int = 1, **kw):
        return wrap(SemaphoreFacade, engine(runtime, node, value, kw.pop(NAME_KEYWORD, None)))

    return Semaphore


def bounded_constructor(engine: type[BoundedSemaphore], runtime, node):
    """`threading.BoundedSemaphore` for the snippets of `node`."""

    def BoundedSemaphore(value: int = 1, **kw):
        return wrap(BoundedSemaphoreFacade, engine(runtime, node, value, kw.pop(NAME_KEYWORD, None)))

    return BoundedSemaphore
