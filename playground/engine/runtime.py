"""The runtime: nodes, their memory, their threads, and the run's life.

A short façade over the parts that do the work, each in its own module:

- `monitor.Monitor`: the one real lock, events, scheduling points, blocking, deadlocks, stopping;
- `turns.Turns`: controlled modes, one thread at a time, the chooser's picks;
- `memory.Memory`: shared variables, sections, invariants;
- `lifecycle.ThreadLife`: compiling snippets, setting nodes up, threads from start to end;
- `crashes.Crashes`: a node's crash and restart;
- `probes.Probes`: what the explorer watches (passed in; a plain run watches nothing).

The primitives hold the monitor; the snippet API, the network and the choosers
hold this façade and call the names it binds below.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from .contract import run_finished
from .crashes import Crashes
from .events import snapshot
from .lifecycle import ThreadLife
from .memory import Memory
from .monitor import Monitor
from .network import Network
from .probes import Probes
from .scheduler import chooser_for
from .snippet_api import build_globals as snippet_globals
from .threads import FAILED, FINISHED, NodeState, ThreadCtx
from .turns import Turns

# Room for the threads to unwind after the run has ended.
UNWIND_S = 1.0
MAX_EVENTS = 1_000_000  # per run: beyond this a trace is no longer something to look at
MAX_THREADS = 200  # alive at once: enough for any lesson, far from the memory limit


def new_seed() -> int:
    """A seed for a free run that was given none (within the spec's range)."""
    return secrets.randbelow(2**31)


class Runtime:
    def __init__(self, spec: dict, sink: Callable[[dict], Any], *, build_globals: Callable | None = None,
                 chooser: Any = None, compiled: dict | None = None, probes: Probes | None = None,
                 python_wall: bool = True, judge: Any = None):
        if spec["run"].get("seed") is None:  # a free run without a seed: a new one, reported
            spec = dict(spec, run=dict(spec["run"], seed=new_seed()))
        self.spec = spec
        self.settings = spec["run"]
        # What says the run's verdict (verdicts.Judge, fed the events on the way); None: the plain one.
        self.judge = judge
        # False only in tests of the operating-system wall alone: no source check, real builtins.
        # A keyword argument of the engine's own calls, never read from a spec.
        self.python_wall = python_wall
        self.nodes: dict[str, NodeState] = {n["id"]: NodeState(n) for n in spec["nodes"]}
        self.threads: list[ThreadCtx] = []
        m = self.monitor = Monitor(spec, sink, probes or Probes(), self.nodes, self.threads, MAX_EVENTS)
        if chooser is None and m.controlled:
            chooser = chooser_for(self.settings)
        self.memory = Memory(m, spec)
        self.turns = m.turns = Turns(m, chooser, self, self.memory.check_invariants)
        self.life = ThreadLife(m, self.turns, self.memory, build_globals=build_globals or snippet_globals,
                               runtime=self, compiled=compiled, python_wall=python_wall, max_threads=MAX_THREADS)
        # What the snippet API, the network and the choosers call.
        self.mutex, self.changed, self.local, self.log = m.mutex, m.changed, m.local, m.log
        self.mode, self.controlled, self.seed = m.mode, m.controlled, m.seed
        self.schedule, self.footprint, self.snippet_files = m.schedule, m.footprint, m.snippet_files
        self.point, self.emit_at, self.emit_run, self.stop = m.point, m.emit_at, m.emit_run, m.stop
        self.wait_until, self.wake, self.moved, self.wait_changed = m.wait_until, m.wake, m.moved, m.wait_changed
        self.check_deadlock = m.check_deadlock
        self.read, self.write, self.mutated = self.memory.read, self.memory.write, self.memory.mutated
        self.enter_section, self.inside = self.memory.enter_section, self.memory.inside
        self.new_thread, self.start_thread = self.life.new_thread, self.life.start_thread
        self.compiled, self.chooser = self.life.compiled, chooser
        self.network = m.network = Network(self, spec)
        self.crashes = Crashes(m, self.life, self.memory, self.network)
        self.crash_node, self.restart_node = self.crashes.crash_node, self.crashes.restart_node

    # What changes during the run is read from its part.
    stopping = property(lambda self: self.monitor.stopping)
    end_status = property(lambda self: self.monitor.end_status)
    deadlock = property(lambda self: self.monitor.deadlock)
    violation = property(lambda self: self.memory.violation)

    def run(self) -> dict:
        """Run the scenario to its end; return the `run.finished` event."""
        m = self.monitor
        with m.mutex:
            m.emit_run(
                "run.started", mode=self.settings.get("mode", "free"), seed=m.seed,
                scenario=self.spec.get("slug"),
                nodes=[{"id": n["id"], "role": n.get("role", "process")} for n in self.spec["nodes"]],
                threads=[f"{n['id']}/{t['name']}" for n in self.spec["nodes"] for t in n.get("threads", [])],
            )
        pending = self.life.prepare()
        for ctx, body in pending:
            self.life.start_thread(ctx, body, gated=True)
        self.network.start()
        self.life.gate.set()
        if m.controlled:
            self.turns.schedule_steps()
        else:
            with m.mutex:
                while not m.stopping and (any(t.state != FINISHED and t.state != FAILED for t in self.threads)
                                          or self.network.restart_pending()):
                    if not m.wait_changed():
                        break
        self.unwind()
        return self.finish()

    def unwind(self) -> None:
        """Give stopped threads a moment to leave; a thread stuck in a loop is left behind."""
        m = self.monitor
        until = time.monotonic() + UNWIND_S
        with m.mutex:
            while any(t.state not in (FINISHED, FAILED) for t in self.threads):
                remaining = until - time.monotonic()
                if remaining <= 0:
                    break
                m.changed.wait(remaining)

    def finish(self) -> dict:
        m = self.monitor
        with m.mutex:
            status, error = m.end_status, m.end_error
            if status is None:
                failed = [t for t in self.threads if t.state == FAILED and not t.crashed]
                status = "failed" if failed else "completed"
                if failed:
                    error = f"{failed[0].name} failed"
            shared = {node.id: {k: snapshot(v) for k, v in node.store.items()} for node in self.nodes.values()}
            outputs = {t.name: list(t.outputs) for t in self.threads}
            fields = run_finished(status, error, shared=shared, outputs=outputs, schedule=list(m.schedule),
                                  seed=m.seed)
        judge = self.judge if not m.quiet else None
        if judge is not None:
            judge.prepare(fields)  # may run the serial orders: not under this run's monitor
        with m.mutex:
            if judge is not None:
                fields["verdict"] = judge.verdict(fields)
            event = m.emit_run("run.finished", **fields)
            m.closed = True
        self.network.close()
        return event

    def cancel(self) -> None:
        with self.monitor.mutex:
            self.monitor.stop("cancelled", "cancelled by the user")

    def control(self, message: dict) -> None:
        """A control message from outside (the browser, via the worker)."""
        if message.get("type") == "cancel":
            self.cancel()
        elif message.get("type") == "fault":
            self.network.fault(message)
        elif self.chooser is not None and hasattr(self.chooser, "control"):
            with self.monitor.mutex:
                self.chooser.control(message)
                self.monitor.changed.notify_all()
