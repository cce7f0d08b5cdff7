"""Controlled turns: in the modes step, replay, random and explore exactly one
thread runs between scheduling points — the one holding the turn — and the
chooser (scheduler.py, or the explorer's) picks who takes the next step. A
message's arrival is a step too: a delivery no thread takes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .framestate import thread_key
from .monitor import Monitor
from .network import Delivery, NodeCrashed
from .threads import FAILED, FINISHED, NEW, PARKED, RUNNING, RunStopped, ThreadCtx


class Turns:
    def __init__(self, monitor: Monitor, chooser: Any, runtime: Any, check_invariants: Callable[[], bool]):
        self.m = monitor
        self.chooser = chooser
        self.runtime = runtime  # what the chooser is shown (the Runtime façade)
        self.check_invariants = check_invariants
        self.turn: ThreadCtx | None = None
        self.scheduling = False  # set once every thread exists: choices may begin
        self.deciding = False  # decide() is under way (a delivery may call back into it)

    def fingerprint(self, ctx: ThreadCtx) -> None:
        """At each scheduling point of the thread (monitor.point): its state, for the explorer."""
        if self.m.fingerprints:
            ctx.fingerprint = thread_key(ctx, self.m.snippet_files, self.m.nodes)

    def park(self, ctx: ThreadCtx) -> None:
        """Give the turn back and wait until the chooser picks this thread."""
        m = self.m
        with m.mutex:
            self.fingerprint(ctx)
            ctx.state = PARKED
            self.release_turn(ctx)
            while self.turn is not ctx and not m.stopping and not ctx.node.crashed:
                ctx.cond.wait()
            if m.stopping:
                raise RunStopped(m.end_status)
            if ctx.node.crashed:
                raise NodeCrashed()
            ctx.state = RUNNING

    def release_turn(self, ctx: ThreadCtx) -> None:
        """Monitor held: the step of `ctx` is over; the next one is chosen now,
        by this thread, so a step costs one thread switch, not two."""
        if self.turn is ctx:
            self.turn = None
        if self.m.controlled:
            self.decide()
        self.m.changed.notify_all()

    def wait_controlled(self, ctx: ThreadCtx, granted: Callable[[], bool]) -> bool:
        """Blocked until granted *and* chosen. A timed wait can also be chosen
        before it is granted: that is its timeout (see `decide`)."""
        m = self.m
        ctx.wait_pred = granted
        try:  # its state is the one taken at this action's scheduling point
            m.check_deadlock(ctx)
            self.release_turn(ctx)
            while self.turn is not ctx:
                if m.stopping:
                    raise RunStopped(m.end_status)
                if ctx.node.crashed:
                    raise NodeCrashed()
                ctx.cond.wait()
            ctx.free_pass = True
            return granted()
        finally:
            ctx.state = RUNNING
            ctx.waiting_on = None
            ctx.forever = False
            ctx.wait_pred = None

    def schedule_steps(self) -> None:
        """Make the first choice, then wait for the run to end."""
        m = self.m
        with m.mutex:
            self.scheduling = True
            self.decide()
            while not m.stopping and any(t.state not in (FINISHED, FAILED) for t in m.threads):
                if not m.wait_changed():
                    break

    def decide(self) -> None:
        """Monitor held: when no thread runs, check invariants and let the chooser pick."""
        m = self.m
        if (not self.scheduling or self.deciding or self.turn is not None or m.stopping
                or any(t.state in (RUNNING, NEW) for t in m.threads)):
            return
        self.deciding = True
        try:
            if self.check_invariants():
                return
            while True:
                enabled = [t for t in m.threads if t.enabled] + m.network.ready()
                if not enabled:
                    # Timeouts are long: one fires only when nothing else can happen first.
                    enabled = [t for t in m.threads if t.may_time_out]
                if not enabled:
                    if any(t.alive for t in m.threads):
                        m.check_deadlock()
                    return
                choice = self.chooser.choose(self.runtime, enabled)
                if choice is None or m.stopping:
                    return
                m.schedule.append(choice.name)
                if m.footprint is not None:  # the explorer has read the last step's
                    m.footprint.clear()
                if isinstance(choice, Delivery):  # a message arrives: a step no thread takes
                    m.emit_run("step", thread=None, deliver=choice.message.id, index=len(m.schedule),
                               enabled=[t.name for t in enabled])
                    m.network.deliver_held(choice)
                    if self.check_invariants():
                        return
                    continue
                m.emit_run("step", thread=choice.name, index=len(m.schedule),
                           enabled=[t.name for t in enabled])
                self.turn = choice
                choice.cond.notify_all()
                return
        finally:
            self.deciding = False
