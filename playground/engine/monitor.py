"""The monitor: one real lock (`mutex`) guards every state change the learner can
see — a shared variable, a lock's owner, a thread blocking. Events are emitted
while it is held, so the numbered trace is a true linear history and every
`state` in it is consistent. Snippet code itself never runs under the monitor:
real threads really interleave between scheduling points.

Here: emitting events, scheduling points, blocking and waking, deadlock checks,
and stopping the run. Under control, a scheduling point and a wait hand over to
the turns (turns.py).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from . import waitfor
from .events import EventLog
from .footprint import touches
from .network import NodeCrashed
from .probes import Probes
from .threads import BLOCKED, RUNNING, NodeState, RunStopped, ThreadCtx

CONTROLLED_MODES = ("step", "replay", "random", "explore")
# Free-mode preemption: how long a yielding thread waits at most for another to move.
PREEMPT_MAX_S = 0.05
PREEMPT_POLL_S = 0.0001
PACE_POLL_S = 0.05


class Monitor:
    def __init__(self, spec: dict, sink: Callable[[dict], Any], probes: Probes, nodes: dict[str, NodeState],
                 threads: list[ThreadCtx], max_events: int):
        settings = spec["run"]
        self.mutex = threading.Lock()
        self.changed = threading.Condition(self.mutex)  # the main thread waits on it
        self.log = EventLog(sink)
        self.local = threading.local()
        self.nodes = nodes
        self.threads = threads
        self.snippet_files: dict[str, str] = {}  # code filename -> snippet name
        self.schedule: list[str] = []  # the steps taken (controlled runs)
        self.max_events = max_events  # per run: beyond this a trace is no longer something to look at
        self.stopping = False
        self.closed = False
        self.end_status: str | None = None
        self.end_error: str | None = None
        self.deadlock: dict | None = None
        self.preempt = float(settings.get("preempt") or 0.0)
        self.seed = settings.get("seed", 1)
        self.deadline = time.monotonic() + settings.get("timeout_ms", 10_000) / 1000
        # Controlled modes: exactly one thread runs between scheduling points (turns.py).
        self.mode = settings.get("mode", "free")
        self.controlled = self.mode in CONTROLLED_MODES
        # Free mode: at most `pace` steps a second across the run (a slow-motion run to watch).
        self.pace = float(settings.get("pace") or 0.0) if not self.controlled else 0.0
        self.pace_lock = threading.Lock()
        self.next_slot = 0.0  # monotonic time at which the next paced step may go
        self.probes = probes
        self.quiet, self.footprint, self.fingerprints = probes.quiet, probes.footprint, probes.fingerprints
        self.turns: Any = None  # set by the runtime: turns.Turns, which imports this module
        self.network: Any = None  # set by the runtime; asked whether a message may still wake someone

    # -- events ------------------------------------------------------------
    def where(self, ctx: ThreadCtx) -> tuple[str, int | None]:
        """The snippet and line the thread is at: read off the Python stack."""
        if getattr(self.local, "ctx", None) is ctx:
            files = self.snippet_files
            frame = sys._getframe(2)
            while frame is not None:
                snippet = files.get(frame.f_code.co_filename)
                if snippet is not None:
                    ctx.snippet, ctx.line = snippet, frame.f_lineno
                    break
                frame = frame.f_back
        return ctx.snippet, ctx.line

    def emit_at(self, ctx: ThreadCtx, kind: str, **fields: Any) -> dict | None:
        """A node-level event by `ctx` (monitor held)."""
        if self.closed:
            return None
        if self.footprint is not None:
            self.footprint.add(touches(ctx, kind, fields))
        clock = ctx.node.clock
        clock.lamport += 1
        clock.vc[clock.node] += 1
        if self.quiet:  # messages carry clocks even when nobody watches
            return None
        # The hot path of every run: built in one go rather than through EventLog.emit.
        snippet, line = self.where(ctx)
        log = self.log
        if log.seq >= self.max_events:  # the threads stop at their next step; what they do till then is not shown
            self.stop("failed", f"the run produced {self.max_events:,} events and was stopped (an endless loop?)")
            return None
        log.seq += 1
        event = {"seq": log.seq, "t": round(time.perf_counter() - log.t0, 6), "kind": kind,
                 "node": clock.node, "thread": ctx.name, "lamport": clock.lamport, "vc": dict(clock.vc),
                 "line": line, "snippet": snippet, **fields}
        log.sink(event)
        return event

    def emit_run(self, kind: str, **fields: Any) -> dict | None:
        if self.closed or (self.quiet and kind != "run.finished"):
            return None
        return self.log.emit(kind, **fields)

    # -- scheduling points ---------------------------------------------------
    def point(self, ctx: ThreadCtx, local: bool = False) -> None:
        """A scheduling point: the run may end here, or the thread may yield.

        `local`: after something only this thread sees (its start, a print, a
        sleep). Under control, such a step joins the next one: it commutes with
        everything, so a separate choice would only multiply the schedules.
        """
        if self.stopping:
            raise RunStopped(self.end_status)
        if ctx.node.crashed:
            raise NodeCrashed()
        if self.controlled:
            if local:
                return
            if ctx.free_pass:  # just chosen to start or to wake: this action is that step
                ctx.free_pass = False
                self.turns.fingerprint(ctx)
                return
            self.turns.park(ctx)
            return
        if self.pace and not local:
            self.paced(ctx)
        if self.preempt and ctx.rng.random() < self.preempt:
            self.yield_to_others(ctx)

    def paced(self, ctx: ThreadCtx) -> None:
        """Slow motion (free mode): each step takes the next free slot, 1/pace seconds
        after the one before, whichever thread takes it; the thread waits for its slot."""
        with self.pace_lock:
            slot = max(time.monotonic(), self.next_slot)
            self.next_slot = slot + 1.0 / self.pace
        while True:
            wait = slot - time.monotonic()
            if wait <= 0:
                return
            time.sleep(min(wait, PACE_POLL_S))  # short naps: a cancel or a crash is seen at once
            if self.stopping:
                raise RunStopped(self.end_status)
            if ctx.node.crashed:
                raise NodeCrashed()

    def yield_to_others(self, ctx: ThreadCtx) -> None:
        """Preemption in free mode: pause until another thread has taken a step.

        A random sleep would only shuffle timings; waiting for someone else's
        progress makes the interleavings that expose races really happen.
        Only a thread with someone runnable to yield to waits, so two
        threads never stand aside for each other.
        """
        start = self.log.seq
        others = [t for t in self.threads  # a thread yielding since before the last event has been served
                  if t is not ctx and t.state == RUNNING and not t.sleeping and t.yielding != start]
        if not others:
            return
        ctx.yielding = start
        try:
            give_up = time.monotonic() + PREEMPT_MAX_S
            while self.log.seq == start and not self.stopping and time.monotonic() < give_up:
                time.sleep(PREEMPT_POLL_S)
        finally:
            ctx.yielding = None

    # -- blocking and waking -----------------------------------------------------
    def wait_until(self, ctx: ThreadCtx, granted: Callable[[], bool], resource: Any,
                   timeout: float | None = None) -> bool:
        """Block the calling thread (monitor held) until `granted()`; False on timeout."""
        ctx.state = BLOCKED
        ctx.waiting_on = resource
        ctx.forever = timeout is None
        if self.controlled:
            return self.turns.wait_controlled(ctx, granted)
        try:
            self.check_deadlock(ctx)
            deadline = self.deadline if timeout is None else min(self.deadline, time.monotonic() + timeout)
            while True:
                # A crash first: what was handed over just before it (a message) is lost with
                # the node, so no event of this thread comes after the node's crash.
                if ctx.node.crashed:
                    raise NodeCrashed()
                if granted():
                    break
                if self.stopping:
                    raise RunStopped(self.end_status)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if timeout is None:  # the run's own time is up
                        self.stop("timeout", "the run reached its time limit")
                        raise RunStopped(self.end_status)
                    return False
                ctx.cond.wait(remaining)
                if not ctx.forever and timeout is None and not granted():
                    ctx.forever = True  # woken, but another thread got there first: stuck again?
                    self.check_deadlock(ctx)
            return True
        finally:
            ctx.state = RUNNING
            ctx.waiting_on = None
            ctx.forever = False

    @staticmethod
    def wake(ctx: ThreadCtx) -> None:
        """Monitor held: a blocked thread may go on; it no longer counts as stuck."""
        ctx.forever = False
        ctx.cond.notify_all()

    @staticmethod
    def moved(ctx: ThreadCtx, resource: Any) -> None:
        """A blocked thread now waits for another resource (condition → its lock)."""
        ctx.waiting_on = resource

    def wait_changed(self) -> bool:
        """Monitor held: wait for something to happen; False when the run's time is up."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.stop("timeout", "the run reached its time limit")
            return False
        self.changed.wait(remaining)
        return True

    # -- the end -------------------------------------------------------------------
    def check_deadlock(self, ctx: ThreadCtx | None = None) -> None:
        """Monitor held: end the run if threads can never go on."""
        if self.stopping:
            return
        if ctx is not None:
            cycle = waitfor.find_cycle(ctx)
            if cycle:
                self.declare_deadlock(cycle, "cycle", waitfor.CYCLE)
                return
        if self.network.busy():
            return  # a message on its way (or a fault to come) may still wake someone
        stuck = waitfor.all_blocked(self.threads)
        if stuck:
            kind, shown = waitfor.classify(stuck)
            self.declare_deadlock(shown, "cycle" if kind == waitfor.CYCLE else "all-blocked", kind)

    def declare_deadlock(self, threads: list[ThreadCtx], reason: str, kind: str) -> None:
        """Monitor held: the run ends in a deadlock. `reason`: how it was found (a cycle
        through the thread that just blocked, or every live thread blocked); `kind`: what
        it is (waitfor.DEADLOCK_KINDS), which the message says."""
        cycle = [waitfor.edge(t) for t in threads]
        resources = [r for node in self.nodes.values() for r in node.resources.values()]
        graph = waitfor.graph(self.threads, resources)
        message = waitfor.explain(cycle, kind, {n["id"]: n for n in graph["nodes"]})
        self.deadlock = {"cycle": cycle, "reason": reason, "deadlock_kind": kind, "message": message}
        self.emit_run("deadlock", cycle=cycle, graph=graph, reason=reason, deadlock_kind=kind, message=message,
                      step=len(self.schedule))
        self.stop("deadlock")

    def stop(self, status: str, error: str | None = None) -> None:
        """Monitor held: end the run; every blocked or sleeping thread wakes and unwinds."""
        if self.stopping:
            return
        self.stopping = True
        self.end_status = status
        self.end_error = error
        for t in self.threads:
            t.cond.notify_all()
        self.changed.notify_all()
