"""`threading.Barrier`: `parties` threads wait until the last of them arrives."""

from __future__ import annotations

from typing import Any

from ..threads import ThreadCtx
from .base import NAME_KEYWORD, Facade, Resource, operation, wrap


class BrokenBarrierError(RuntimeError):
    pass


class Barrier(Resource):
    rtype = "barrier"

    def __init__(self, runtime, node, parties: int, action=None, timeout=None, name=None):
        super().__init__(runtime, node, name)
        self.parties = parties
        self.arrived = 0

    @classmethod
    def declare(cls, runtime, node, res: dict, made: dict) -> Barrier:
        return cls(runtime, node, res["parties"], name=res["name"])

    @staticmethod
    def spec_problems(res: Any, resources: list) -> list[tuple[str, str]]:
        return [("parties", "a barrier needs its number of parties")] if res.parties is None else []

    def value(self):
        return self.parties - len(self.waiters)

    @property
    def n_waiting(self) -> int:
        return len(self.waiters)

    @operation
    def wait(self, ctx: ThreadCtx, timeout: float | None = None) -> int:
        index = len(self.waiters)
        if index + 1 < self.parties:
            self.waiters.append(ctx)
            self.event(ctx, "sync.wait")
            if not self.block(ctx, timeout):
                self.waiters.remove(ctx)
                raise BrokenBarrierError(f"{self.name}: timed out waiting for the other parties")
        else:
            self.wake_all(ctx)
        return index


class BarrierFacade(Facade, shown="Barrier"):
    __slots__ = ()

    @property
    def parties(self) -> int:
        return self._impl.parties

    @property
    def n_waiting(self) -> int:
        return self._impl.n_waiting

    def wait(self, timeout: float | None = None) -> int:
        return self._impl.wait(timeout)


def constructor(engine: type[Barrier], runtime, node):
    """`threading.Barrier` for the snippets of `node`."""

    def Barrier(parties: int, action=None, timeout=None, **kw):
        return wrap(BarrierFacade, engine(runtime, node, parties, name=kw.pop(NAME_KEYWORD, None)))

    return Barrier
