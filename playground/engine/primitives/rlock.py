"""`threading.RLock`: its owner may take it again; only the owner releases it."""

from __future__ import annotations

from ..threads import ThreadCtx
from .base import NAME_KEYWORD, wrap
from .lock import Lock, LockFacade


class RLock(Lock):
    rtype = "rlock"

    def value(self):
        return self.count

    def reenter(self, ctx: ThreadCtx) -> bool:
        return True

    def check_release(self, ctx: ThreadCtx) -> None:
        if self.owner is not ctx:
            raise RuntimeError(f"{ctx.short} cannot release {self.name}: it is held by {self.owner.short}")


class RLockFacade(LockFacade, shown="RLock"):
    __slots__ = ()


def constructor(engine: type[RLock], runtime, node):
    """`threading.RLock` for the snippets of `node`."""

    def RLock(**kw):
        return wrap(RLockFacade, engine(runtime, node, kw.pop(NAME_KEYWORD, None)))

    return RLock
