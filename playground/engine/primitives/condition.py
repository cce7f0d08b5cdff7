"""`threading.Condition`: wait until notified, then take the lock back."""

from __future__ import annotations

from typing import Any

from ..threads import ThreadCtx
from .base import NAME_KEYWORD, Facade, Resource, operation, wrap
from .lock import Lock, LockFacade
from .rlock import RLock, RLockFacade


class Condition(Resource):
    rtype = "condition"
    declared_late = True  # its lock is made first

    def __init__(self, runtime, node, lock: Lock | None = None, name=None):
        super().__init__(runtime, node, name)
        self.lock = lock if lock is not None else RLock(runtime, node, f"{self.name}.lock")
        self.saved: dict[int, int] = {}

    @classmethod
    def declare(cls, runtime, node, res: dict, made: dict) -> Condition:
        return cls(runtime, node, made.get(res.get("lock")), res["name"])

    @staticmethod
    def spec_problems(res: Any, resources: list) -> list[tuple[str, str]]:
        if res.lock is None:
            return []
        target = next((r for r in resources if r.name == res.lock), None)
        if target is None or target.type not in ("lock", "rlock"):
            return [("lock", f"{res.lock!r} is not a lock or rlock of this node")]
        return []

    def acquire(self, *args, **kwargs) -> bool:
        return self.lock.acquire(*args, **kwargs)

    def release(self) -> None:
        self.lock.release()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def check_owner(self, ctx: ThreadCtx, what: str) -> None:
        if self.lock.owner is not ctx:
            raise RuntimeError(f"cannot {what} on {self.name} without holding {self.lock.name}")

    @operation
    def wait(self, ctx: ThreadCtx, timeout: float | None = None) -> bool:
        rt, lock = self.rt, self.lock
        self.check_owner(ctx, "wait")
        depth, lock.count = lock.count, 1
        self.waiters.append(ctx)
        self.event(ctx, "sync.wait")
        lock.give_up(ctx)
        # First a notify (granted becomes self, or the lock if it was free)…
        notified = rt.wait_until(ctx, lambda: ctx.granted is not None, self, timeout)
        if not notified:  # timed out: leave the queue, take the lock back the usual way
            self.waiters.remove(ctx)
            lock.take(ctx, True, None)
        elif ctx.granted is not lock:  # …then the lock, once the notifier lets go
            rt.wait_until(ctx, lambda: ctx.granted is lock, lock, None)
        ctx.granted = None
        lock.count = depth
        return notified

    def wait_for(self, predicate, timeout: float | None = None):
        result = predicate()
        while not result:
            if not self.wait(timeout) and timeout is not None:
                return predicate()
            result = predicate()
        return result

    @operation
    def notify(self, ctx: ThreadCtx, n: int = 1) -> None:
        rt = self.rt
        self.check_owner(ctx, "notify")
        woken = self.waiters[:n]
        del self.waiters[:n]
        self.event(ctx, "sync.notify", woken=[t.name for t in woken])
        for t in woken:
            self.event(t, "sync.wake")
            t.granted = self
            rt.wake(t)
            self.lock.waiters.append(t)
            rt.moved(t, self.lock)

    def notify_all(self) -> None:
        self.notify(len(self.waiters))

    notifyAll = notify_all


class ConditionFacade(Facade, shown="Condition"):
    __slots__ = ()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self._impl.acquire(blocking, timeout)

    def release(self) -> None:
        self._impl.release()

    def wait(self, timeout: float | None = None) -> bool:
        return self._impl.wait(timeout)

    def wait_for(self, predicate, timeout: float | None = None):
        return self._impl.wait_for(predicate, timeout)

    def notify(self, n: int = 1) -> None:
        self._impl.notify(n)

    def notify_all(self) -> None:
        self._impl.notify_all()

    notifyAll = notify_all

    def __enter__(self) -> ConditionFacade:
        self._impl.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._impl.release()


def lock_of(lock: Any) -> Any:
    """The engine lock behind a Condition's lock: only a Lock or RLock of the playground."""
    if lock is None:
        return None
    if type(lock) is not LockFacade and type(lock) is not RLockFacade:  # identity: a metaclass's __eq__ cannot say yes
        raise TypeError("Condition(lock) needs a threading.Lock() or threading.RLock()")
    return lock._impl


def constructor(engine: type[Condition], runtime, node):
    """`threading.Condition` for the snippets of `node`."""

    def Condition(lock=None, **kw):
        return wrap(ConditionFacade, engine(runtime, node, lock_of(lock), kw.pop(NAME_KEYWORD, None)))

    return Condition
