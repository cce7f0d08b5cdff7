"""A node's memory as the runtime sees it: its shared variables (every read and
write an event and a scheduling point), the sections threads are inside, and
the invariants over both, checked after each controlled step."""

from __future__ import annotations

import copy
from typing import Any

from .events import snapshot
from .invariants import compile_invariants, first_violation
from .monitor import Monitor
from .threads import NodeState, ThreadCtx


class Memory:
    def __init__(self, monitor: Monitor, spec: dict):
        self.m = monitor
        # Bound once: read and write are on the hot path of every run.
        self.local, self.mutex, self.point, self.emit_at = monitor.local, monitor.mutex, monitor.point, monitor.emit_at
        self.fingerprints = monitor.fingerprints
        self.inside: dict[tuple[str, str], int] = {}  # (node, section) -> threads inside
        self.invariant_checks = compile_invariants(spec.get("invariants") or [], list(monitor.nodes.values()))
        self.violation: dict | None = None

    @staticmethod
    def reset(node: NodeState) -> None:
        """The node's memory as its spec starts it (a run, or a restart after a crash)."""
        node.store = {k: copy.deepcopy(v) for k, v in node.spec.get("shared", {}).items()}
        node.last = {k: snapshot(v) for k, v in node.store.items()}

    # -- shared variables --------------------------------------------------
    def read(self, node: NodeState, name: str) -> Any:
        ctx = self.local.ctx
        self.point(ctx)
        with self.mutex:
            try:
                value = node.store[name]
            except KeyError:
                raise NameError(f"shared variable {name!r} is not defined") from None
            shown = node.last[name] = snapshot(value)
            self.emit_at(ctx, "var.read", name=name, value=shown)
            if self.fingerprints:  # a value read may live on the stack, unseen by locals
                ctx.seen = hash((ctx.seen, name, repr(shown)))
        return value

    def write(self, node: NodeState, name: str, value: Any) -> None:
        ctx = self.local.ctx
        self.point(ctx)
        with self.mutex:
            previous = snapshot(node.store.get(name))
            node.store[name] = value
            shown = node.last[name] = snapshot(value)
            self.emit_at(ctx, "var.write", name=name, value=shown, previous=previous)

    def mutated(self, node: NodeState, name: str) -> None:
        """A shared container was changed in place (`items.append(…)`).

        No scheduling point: the change has happened already, so its event
        belongs to the same step as the read of the container just before."""
        ctx = self.local.ctx
        with self.mutex:
            previous = node.last.get(name)
            shown = node.last[name] = snapshot(node.store.get(name))
            self.emit_at(ctx, "var.write", name=name, value=shown, previous=previous, in_place=True)

    # -- sections and invariants ---------------------------------------------
    def enter_section(self, ctx: ThreadCtx, name: str, delta: int) -> None:
        self.point(ctx)
        with self.mutex:
            key = (ctx.node.id, name)
            self.inside[key] = self.inside.get(key, 0) + delta
            self.emit_at(ctx, "section.enter" if delta > 0 else "section.exit", section=name,
                         inside=self.inside[key])

    def check_invariants(self) -> bool:
        """Monitor held: True (and the run ends) when an invariant is false."""
        violation = first_violation(self.invariant_checks, self.inside)
        if violation is None:
            return False
        m = self.m
        self.violation = {**violation, "step": len(m.schedule)}
        m.emit_run("invariant.violated", **self.violation)
        m.stop("violated", f"invariant {violation['invariant']!r} is false")
        return True


class SharedVars:
    """`__shared__` in rewritten snippets: attribute access is variable access."""

    __slots__ = ("_memory", "_node")

    def __init__(self, memory: Memory, node: NodeState):
        object.__setattr__(self, "_memory", memory)
        object.__setattr__(self, "_node", node)

    def __getattr__(self, name: str) -> Any:
        return self._memory.read(self._node, name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._memory.write(self._node, name, value)

    def __delattr__(self, name: str) -> None:
        raise TypeError(f"the shared variable {name!r} cannot be deleted")
