"""`threading.Event`: a flag; waiting for it blocks until it is set."""

from __future__ import annotations

from ..threads import ThreadCtx
from .base import NAME_KEYWORD, Facade, Resource, operation, wrap


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

    @operation
    def set(self, ctx: ThreadCtx) -> None:
        self.flag = True
        self.wake_all(ctx, action="set")

    @operation
    def clear(self, ctx: ThreadCtx) -> None:
        self.flag = False
        self.event(ctx, "sync.notify", action="clear")

    @operation
    def wait(self, ctx: ThreadCtx, timeout: float | None = None) -> bool:
        if self.flag:
            return True
        self.waiters.append(ctx)
        self.event(ctx, "sync.wait")
        result = self.block(ctx, timeout)
        if not result:
            self.waiters.remove(ctx)
        return result


class EventFacade(Facade, shown="Event"):
    __slots__ = ()

    def is_set(self) -> bool:
        return self._impl.is_set()

    isSet = is_set

    def set(self) -> None:
        self._impl.set()

    def clear(self) -> None:
        self._impl.clear()

    def wait(self, timeout: float | None = None) -> bool:
        return self._impl.wait(timeout)


def constructor(engine: type[Event], runtime, node):
    """`threading.Event` for the snippets of `node`."""

    def Event(**kw):
        return wrap(EventFacade, engine(runtime, node, kw.pop(NAME_KEYWORD, None)))

    return Event
