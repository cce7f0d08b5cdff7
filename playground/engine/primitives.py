"""Instrumented locks, semaphores, conditions, events and barriers.

They behave like Python's `threading` ones, so textbook code runs verbatim,
but their state lives under the runtime's monitor: every request, acquire,
release, wait, wake and notify is an event carrying the state after it, and
a scheduling point. A released lock is handed to the longest waiter (FIFO),
which keeps runs fair and the trace easy to follow.
"""

from __future__ import annotations

import time
from typing import Any

from .runtime import Runtime
from .threads import ThreadCtx


class Resource:
    rtype = "resource"

    def __init__(self, runtime: Runtime, node, name: str | None):
        self.rt = runtime
        self.node = node
        self.name = node.unique_name(name, self.rtype)
        self.gid = f"{node.id}/{self.name}"
        self.waiters: list[ThreadCtx] = []
        node.resources[self.name] = self

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

    def __repr__(self) -> str:
        return f"<{self.rtype} {self.name}>"


def _timeout(blocking: bool, timeout: float) -> float | None:
    if timeout is None or timeout < 0:
        return None
    return timeout


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

    def _take(self, ctx: ThreadCtx, blocking: bool, timeout: float | None) -> bool:
        """Monitor held. Returns whether `ctx` now holds the lock."""
        if self.owner is None:
            self.owner, self.count = ctx, 1
            self.event(ctx, "sync.acquire")
            return True
        if self.owner is ctx and self.rtype == "rlock":
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
            got = self._compete(ctx, timeout)
        if got:
            return True
        self.waiters.remove(ctx)
        self.event(ctx, "sync.timeout")
        return False

    def _compete(self, ctx: ThreadCtx, timeout: float | None) -> bool:
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

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        rt = self.rt
        ctx = rt.local.ctx
        rt.point(ctx)
        with rt.mutex:
            got = self._take(ctx, blocking, _timeout(blocking, timeout))
        return got

    def _give_up(self, ctx: ThreadCtx) -> None:
        """Monitor held: release one level; hand the lock to the longest waiter."""
        if self.owner is None:
            raise RuntimeError(f"release of {self.name}, which is not locked")
        if self.rtype == "rlock" and self.owner is not ctx:
            raise RuntimeError(f"{ctx.short} cannot release {self.name}: it is held by {self.owner.short}")
        self.count -= 1
        if self.count > 0:
            self.event(ctx, "sync.release")
            return
        self.owner = None
        self.event(ctx, "sync.release")
        self._hand_over()

    def _hand_over(self) -> None:
        if self.owner is None and self.waiters:
            nxt = self.waiters[0]
            if not self.rt.controlled and nxt.granted is None:
                self.rt.wake(nxt)  # free mode: it competes for the lock (see _compete)
                return
            self.waiters.pop(0)
            self.owner, self.count = nxt, 1
            self.event(nxt, "sync.acquire")
            self.grant(nxt)

    def release(self) -> None:
        rt = self.rt
        ctx = rt.local.ctx
        rt.point(ctx)
        with rt.mutex:
            self._give_up(ctx)

    def locked(self) -> bool:
        return self.owner is not None

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class RLock(Lock):
    rtype = "rlock"

    def value(self):
        return self.count


class Semaphore(Resource):
    rtype = "semaphore"

    def __init__(self, runtime, node, value: int = 1, name=None):
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        super().__init__(runtime, node, name)
        self.initial = self.count = value
        self.owners: list[ThreadCtx] = []

    def holders(self):
        return list(self.owners)

    def value(self):
        return self.count

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        rt = self.rt
        ctx = rt.local.ctx
        rt.point(ctx)
        with rt.mutex:
            if self.count > 0:
                self.count -= 1
                self.owners.append(ctx)
                self.event(ctx, "sync.acquire")
                got = True
            elif not blocking:
                got = False
            else:
                self.waiters.append(ctx)
                self.event(ctx, "sync.request")
                got = self.block(ctx, _timeout(blocking, timeout if timeout is not None else -1))
                if not got:
                    self.waiters.remove(ctx)
                    self.event(ctx, "sync.timeout")
        return got

    def release(self, n: int = 1) -> None:
        rt = self.rt
        ctx = rt.local.ctx
        rt.point(ctx)
        with rt.mutex:
            for _ in range(n):
                if self.rtype == "boundedsemaphore" and self.count >= self.initial:
                    raise ValueError(f"{self.name} released too many times")
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

    __enter__ = Lock.__enter__

    def __exit__(self, *exc) -> None:
        self.release()


class BoundedSemaphore(Semaphore):
    rtype = "boundedsemaphore"


class Condition(Resource):
    rtype = "condition"

    def __init__(self, runtime, node, lock: Lock | None = None, name=None):
        super().__init__(runtime, node, name)
        self.lock = lock if lock is not None else RLock(runtime, node, f"{self.name}.lock")
        self.saved: dict[int, int] = {}

    def acquire(self, *args, **kwargs) -> bool:
        return self.lock.acquire(*args, **kwargs)

    def release(self) -> None:
        self.lock.release()

    __enter__ = Lock.__enter__

    def __exit__(self, *exc) -> None:
        self.release()

    def _check_owner(self, ctx: ThreadCtx, what: str) -> None:
        if self.lock.owner is not ctx:
            raise RuntimeError(f"cannot {what} on {self.name} without holding {self.lock.name}")

    def wait(self, timeout: float | None = None) -> bool:
        rt = self.rt
        ctx = rt.local.ctx
        rt.point(ctx)
        lock = self.lock
        with rt.mutex:
            self._check_owner(ctx, "wait")
            depth, lock.count = lock.count, 1
            self.waiters.append(ctx)
            self.event(ctx, "sync.wait")
            lock._give_up(ctx)
            # First a notify (granted becomes self, or the lock if it was free)…
            notified = rt.wait_until(ctx, lambda: ctx.granted is not None, self, timeout)
            if not notified:  # timed out: leave the queue, take the lock back the usual way
                self.waiters.remove(ctx)
                lock._take(ctx, True, None)
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

    def notify(self, n: int = 1) -> None:
        rt = self.rt
        ctx = rt.local.ctx
        rt.point(ctx)
        with rt.mutex:
            self._check_owner(ctx, "notify")
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


class Event(Resource):
    rtype = "event"

    def __init__(self, runtime, node, name=None):
        super().__init__(runtime, node, name)
        self.flag = False

    def value(self):
        return int(self.flag)

    def is_set(self) -> bool:
        return self.flag

    isSet = is_set

    def set(self) -> None:
        rt = self.rt
        ctx = rt.local.ctx
        rt.point(ctx)
        with rt.mutex:
            self.flag = True
            woken, self.waiters = self.waiters, []
            self.event(ctx, "sync.notify", action="set", woken=[t.name for t in woken])
            for t in woken:
                self.event(t, "sync.wake")
                self.grant(t)

    def clear(self) -> None:
        rt = self.rt
        ctx = rt.local.ctx
        rt.point(ctx)
        with rt.mutex:
            self.flag = False
            self.event(ctx, "sync.notify", action="clear")

    def wait(self, timeout: float | None = None) -> bool:
        rt = self.rt
        ctx = rt.local.ctx
        rt.point(ctx)
        with rt.mutex:
            if self.flag:
                result = True
            else:
                self.waiters.append(ctx)
                self.event(ctx, "sync.wait")
                result = self.block(ctx, timeout)
                if not result:
                    self.waiters.remove(ctx)
        return result


class BrokenBarrierError(RuntimeError):
    pass


class Barrier(Resource):
    rtype = "barrier"

    def __init__(self, runtime, node, parties: int, action=None, timeout=None, name=None):
        super().__init__(runtime, node, name)
        self.parties = parties
        self.arrived = 0

    def value(self):
        return self.parties - len(self.waiters)

    @property
    def n_waiting(self) -> int:
        return len(self.waiters)

    def wait(self, timeout: float | None = None) -> int:
        rt = self.rt
        ctx = rt.local.ctx
        rt.point(ctx)
        with rt.mutex:
            index = len(self.waiters)
            if index + 1 < self.parties:
                self.waiters.append(ctx)
                self.event(ctx, "sync.wait")
                if not self.block(ctx, timeout):
                    self.waiters.remove(ctx)
                    raise BrokenBarrierError(f"{self.name}: timed out waiting for the other parties")
            else:
                woken, self.waiters = self.waiters, []
                self.event(ctx, "sync.notify", woken=[t.name for t in woken])
                for t in woken:
                    self.event(t, "sync.wake")
                    self.grant(t)
        return index
