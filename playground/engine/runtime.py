"""The runtime: nodes, their memory, their threads, and the run's life.

One monitor (`Runtime.mutex`, a real lock) guards every state change the
learner can see: a shared variable, a lock's owner, a thread blocking. Events
are emitted while it is held, so the numbered trace is a true linear history
and every `state` in it is consistent. Snippet code itself never runs under
the monitor: real threads really interleave between scheduling points.
"""

from __future__ import annotations

import copy
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from . import waitfor
from .events import EventLog, snapshot
from .footprint import fingerprint, touches
from .instrument import SnippetRefused, instrument
from .invariants import compile_invariants, first_violation
from .network import Delivery, Network, NodeCrashed
from .threads import (
    BLOCKED,
    FAILED,
    FINISHED,
    NEW,
    PARKED,
    RUNNING,
    NodeState,
    RunStopped,
    ThreadCtx,
    WorkerPool,
    caused_by_stop,
    describe_error,
)

CONTROLLED_MODES = ("step", "replay", "random", "explore")
# Room for the threads to unwind after the run has ended.
UNWIND_S = 1.0
MAX_EVENTS = 1_000_000  # per run: beyond this a trace is no longer something to look at
MAX_THREADS = 200  # alive at once: enough for any lesson, far from the memory limit
# Free-mode preemption: how long a yielding thread waits at most for another to move.
PREEMPT_MAX_S = 0.05
PREEMPT_POLL_S = 0.0001


class Runtime:
    def __init__(self, spec: dict, sink: Callable[[dict], Any], *, build_globals: Callable | None = None,
                 chooser: Any = None, compiled: dict | None = None, quiet: bool = False,
                 python_wall: bool = True):
        self.spec = spec
        # False only in tests of the operating-system wall alone: no source check, real builtins.
        # A keyword argument of the engine's own calls, never read from a spec.
        self.python_wall = python_wall
        self.settings = spec["run"]
        self.mutex = threading.Lock()
        self.changed = threading.Condition(self.mutex)  # the main thread waits on it
        self.log = EventLog(sink)
        self.local = threading.local()
        self.nodes: dict[str, NodeState] = {n["id"]: NodeState(n) for n in spec["nodes"]}
        self.threads: list[ThreadCtx] = []
        self.snippet_files: dict[str, str] = {}
        self.stopping = False
        self.closed = False
        self.end_status: str | None = None
        self.end_error: str | None = None
        self.preempt = float(self.settings.get("preempt") or 0.0)
        self.seed = self.settings.get("seed", 1)
        self.deadline = time.monotonic() + self.settings.get("timeout_ms", 10_000) / 1000
        self.gate = threading.Event()
        self.schedule: list[str] = []
        # Controlled modes: exactly one thread runs between scheduling points,
        # the one holding the turn; the chooser picks it.
        self.mode = self.settings.get("mode", "free")
        self.controlled = self.mode in CONTROLLED_MODES
        self.turn: ThreadCtx | None = None
        if chooser is None and self.controlled:
            from .scheduler import chooser_for
            chooser = chooser_for(self.settings)
        self.chooser = chooser
        self.quiet = quiet  # the explorer's re-executions: no events, just the outcome
        self.footprint: set | None = None  # what the current step touched (explorer)
        self.fingerprints = False  # record threads' local state at each point (explorer)
        self.deadlock: dict | None = None
        self.violation: dict | None = None
        self.inside: dict[tuple[str, str], int] = {}
        self.scheduling = False  # set once every thread exists: choices may begin
        self.pool: WorkerPool | None = None  # the explorer reuses OS threads across executions
        self.deciding = False
        if build_globals is None:
            from .snippet_api import build_globals
        self.build_globals = build_globals
        self.invariant_checks = compile_invariants(spec.get("invariants") or [], list(self.nodes.values()))
        self.network = Network(self, spec)
        # Compiled now, before a sandbox forbids compiling: (node, snippet) -> code or the refusal.
        self.compiled: dict[tuple[str, str], Any] = {}
        if compiled is not None:
            self.compiled = compiled
            self.snippet_files = {f"<{node}/{snippet}>": snippet for node, snippet in compiled}
        for node in self.nodes.values() if compiled is None else ():
            sources = [("setup", node.spec.get("setup", ""))] + [
                (t["name"], t["code"]) for t in node.spec.get("threads", [])]
            for snippet, code in sources:
                try:
                    self.compiled[node.id, snippet] = self.compile_snippet(node, snippet, code)
                except (SyntaxError, SnippetRefused) as exc:
                    self.compiled[node.id, snippet] = exc

    # -- events ------------------------------------------------------------
    def current(self) -> ThreadCtx:
        return self.local.ctx

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
        if log.seq >= MAX_EVENTS:  # the threads stop at their next step; what they do till then is not shown
            self.stop("failed", f"the run produced {MAX_EVENTS:,} events and was stopped (an endless loop?)")
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

    # -- scheduling --------------------------------------------------------
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
                return
            self.park(ctx)
        elif self.preempt and ctx.rng.random() < self.preempt:
            self.yield_to_others(ctx)

    def park(self, ctx: ThreadCtx) -> None:
        """Controlled modes: give the turn back and wait until the chooser picks this thread."""
        with self.mutex:
            if self.fingerprints:
                ctx.fingerprint = (ctx.steps, ctx.seen, fingerprint(self.snippet_files))
            ctx.steps += 1
            ctx.state = PARKED
            self.release_turn(ctx)
            while self.turn is not ctx and not self.stopping and not ctx.node.crashed:
                ctx.cond.wait()
            if self.stopping:
                raise RunStopped(self.end_status)
            if ctx.node.crashed:
                raise NodeCrashed()
            ctx.state = RUNNING

    def release_turn(self, ctx: ThreadCtx) -> None:
        """Monitor held: the step of `ctx` is over; the next one is chosen now,
        by this thread, so a step costs one thread switch, not two."""
        if self.turn is ctx:
            self.turn = None
        if self.controlled:
            self.decide()
        self.changed.notify_all()

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

    def wait_until(self, ctx: ThreadCtx, granted: Callable[[], bool], resource: Any,
                   timeout: float | None = None) -> bool:
        """Block the calling thread (monitor held) until `granted()`; False on timeout."""
        ctx.state = BLOCKED
        ctx.waiting_on = resource
        ctx.forever = timeout is None
        if self.controlled:
            return self.wait_controlled(ctx, granted)
        try:
            self.check_deadlock(ctx)
            deadline = self.deadline if timeout is None else min(self.deadline, time.monotonic() + timeout)
            while not granted():
                if self.stopping:
                    raise RunStopped(self.end_status)
                if ctx.node.crashed:
                    raise NodeCrashed()
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

    def wait_controlled(self, ctx: ThreadCtx, granted: Callable[[], bool]) -> bool:
        """Controlled modes: blocked until granted *and* chosen. A timed wait can
        also be chosen before it is granted: that is its timeout (see `decide`)."""
        ctx.wait_pred = granted
        try:
            if self.fingerprints:
                ctx.fingerprint = (ctx.steps, ctx.seen, fingerprint(self.snippet_files))
            ctx.steps += 1
            self.check_deadlock(ctx)
            self.release_turn(ctx)
            while self.turn is not ctx:
                if self.stopping:
                    raise RunStopped(self.end_status)
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

    @staticmethod
    def wake(ctx: ThreadCtx) -> None:
        """Monitor held: a blocked thread may go on; it no longer counts as stuck."""
        ctx.forever = False
        ctx.cond.notify_all()

    def moved(self, ctx: ThreadCtx, resource: Any) -> None:
        """A blocked thread now waits for another resource (condition → its lock)."""
        ctx.waiting_on = resource

    def check_deadlock(self, ctx: ThreadCtx | None = None) -> None:
        """Monitor held: end the run if threads can never go on."""
        if self.stopping:
            return
        if ctx is not None:
            cycle = waitfor.find_cycle(ctx)
            if cycle:
                self.declare_deadlock([waitfor.edge(t) for t in cycle], "cycle")
                return
        if self.network.busy():
            return  # a message on its way (or a fault to come) may still wake someone
        stuck = waitfor.all_blocked(self.threads)
        if stuck:
            self.declare_deadlock([waitfor.edge(t) for t in stuck], "all-blocked")

    def declare_deadlock(self, cycle: list[dict], reason: str) -> None:
        resources = [r for node in self.nodes.values() for r in node.resources.values()]
        self.deadlock = {"cycle": cycle, "reason": reason, "message": waitfor.describe(cycle)}
        self.emit_run("deadlock", cycle=cycle, graph=waitfor.graph(self.threads, resources),
                      reason=reason, message=self.deadlock["message"], step=len(self.schedule))
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

    def cancel(self) -> None:
        with self.mutex:
            self.stop("cancelled", "cancelled by the user")

    def control(self, message: dict) -> None:
        """A control message from outside (the browser, via the worker)."""
        if message.get("type") == "cancel":
            self.cancel()
        elif message.get("type") == "fault":
            self.network.fault(message)
        elif self.chooser is not None and hasattr(self.chooser, "control"):
            with self.mutex:
                self.chooser.control(message)
                self.changed.notify_all()

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
            self.emit_at(ctx, "var.write", name=name, value=shown, previous=previous)

    # -- threads -----------------------------------------------------------
    def new_thread(self, node: NodeState, short: str, snippet: str) -> ThreadCtx:
        if sum(t.state not in (FINISHED, FAILED) for t in self.threads) >= MAX_THREADS:
            raise RuntimeError(f"a run may have at most {MAX_THREADS} threads alive at once")
        taken = {t.short for t in node.threads if t.state not in (FINISHED, FAILED)}  # a restart reuses names
        name, n = short, 1
        while name in taken or name == "setup":
            n += 1
            name = f"{short}-{n}"
        ctx = ThreadCtx(node, name, snippet, self.mutex, f"{self.seed}/{node.id}/{name}")
        node.threads.append(ctx)
        self.threads.append(ctx)
        return ctx

    def start_thread(self, ctx: ThreadCtx, body: Callable[[], Any], *, gated: bool) -> None:
        def main() -> None:
            self.local.ctx = ctx
            if gated:
                self.gate.wait()
            self.thread_main(ctx, body)

        ctx.state = RUNNING  # alive from now: counts for deadlock detection
        if self.pool is not None:
            self.pool.run(main)
        else:
            ctx.os_thread = threading.Thread(target=main, name=ctx.name, daemon=True)
            ctx.os_thread.start()

    def thread_main(self, ctx: ThreadCtx, body: Callable[[], Any]) -> None:
        error: BaseException | None = None
        stopped = crashed = False
        try:
            if self.controlled:
                self.park(ctx)  # a new thread waits to be chosen like any other
                ctx.free_pass = True
            with self.mutex:
                self.emit_at(ctx, "thread.started")
            self.point(ctx, local=True)
            body()
        except RunStopped:
            stopped = True
        except NodeCrashed:
            crashed = True
        except BaseException as exc:  # a snippet's error is an event, never a crash
            if caused_by_stop(exc):  # e.g. a `with lock:` exit while unwinding a stop
                stopped = True
            else:
                error = exc
        with self.mutex:
            if crashed or (error is not None and ctx.node.crashed):
                ctx.state = FAILED
                ctx.crashed = True
                self.emit_at(ctx, "thread.failed", error="stopped: its node crashed")
            elif error is not None:
                ctx.state = FAILED
                line = self.error_line(error)
                if line is not None:
                    ctx.line = line
                self.emit_at(ctx, "thread.failed", error=describe_error(error))
            elif stopped:
                ctx.state = FAILED
                self.emit_at(ctx, "thread.failed", error=f"stopped: the run ended ({self.end_status})")
            else:
                ctx.state = FINISHED
                self.emit_at(ctx, "thread.finished")
            ctx.cond.notify_all()
            for t in self.threads:  # wake joiners
                if t.waiting_on is ctx:
                    self.wake(t)
            self.check_deadlock()
            self.release_turn(ctx)
            self.changed.notify_all()

    def error_line(self, exc: BaseException) -> int | None:
        """The deepest line of snippet code in the error's traceback."""
        if isinstance(exc, SnippetRefused):
            return exc.line
        if isinstance(exc, SyntaxError):
            return exc.lineno
        line = None
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename in self.snippet_files:
                line = tb.tb_lineno
            tb = tb.tb_next
        return line

    # -- the run -----------------------------------------------------------
    def compile_snippet(self, node: NodeState, snippet: str, code: str):
        filename = f"<{node.id}/{snippet}>"
        self.snippet_files[filename] = snippet
        return instrument(code, frozenset(node.spec.get("shared", {})), filename, python_wall=self.python_wall)

    def prepare(self) -> list[tuple[ThreadCtx, Callable[[], Any]]]:
        """Compile every snippet, set each node up; return the threads to start."""
        pending = []
        for node in self.nodes.values():
            for name, value in node.spec.get("shared", {}).items():
                node.store[name] = copy.deepcopy(value)  # each run starts from the spec, untouched
                node.last[name] = snapshot(value)
            node.globals = self.build_globals(self, node)
            setup_error = self.run_setup(node)
            for thread in node.spec.get("threads", []):
                ctx = self.new_thread(node, thread["name"], thread["name"])
                pending.append((ctx, self.thread_body(node, ctx, thread["code"], setup_error)))
        return pending

    def run_setup(self, node: NodeState) -> Any:
        """Run a node's setup code in the calling thread; return its error, if any."""
        setup_ctx = ThreadCtx(node, "setup", "setup", self.mutex, f"{self.seed}/{node.id}/setup")
        self.local.ctx = setup_ctx
        try:
            code = self.compiled[node.id, "setup"]
            if isinstance(code, BaseException):
                raise code
            exec(code, node.globals)
        except (RunStopped, NodeCrashed):
            return "stopped"
        except BaseException as exc:
            setup_ctx.line = self.error_line(exc)
            with self.mutex:
                self.emit_at(setup_ctx, "thread.failed", error=describe_error(exc))
            return exc
        return None

    def thread_body(self, node: NodeState, ctx: ThreadCtx, code: str, setup_error: Any) -> Callable[[], Any]:
        compiled = self.compiled[node.id, ctx.snippet]
        problem = compiled if isinstance(compiled, BaseException) else None
        namespace = dict(node.globals)  # a thread's own names, over the node's
        namespace["__builtins__"] = node.new_builtins()  # and its own builtins: no thread can poison another's

        def body() -> None:
            if setup_error is not None:
                raise RuntimeError("the node's setup code failed, so this thread cannot run")
            if problem is not None:
                raise problem
            exec(compiled, namespace)

        return body

    def run(self) -> dict:
        """Run the scenario to its end; return the `run.finished` event."""
        with self.mutex:
            self.emit_run(
                "run.started", mode=self.settings.get("mode", "free"), seed=self.seed,
                scenario=self.spec.get("slug"),
                nodes=[{"id": n["id"], "role": n.get("role", "process")} for n in self.spec["nodes"]],
                threads=[f"{n['id']}/{t['name']}" for n in self.spec["nodes"] for t in n.get("threads", [])],
            )
        pending = self.prepare()
        for ctx, body in pending:
            self.start_thread(ctx, body, gated=True)
        self.network.start()
        self.gate.set()
        if self.controlled:
            self.schedule_steps()
        else:
            with self.mutex:
                while not self.stopping and (any(t.state != FINISHED and t.state != FAILED for t in self.threads)
                                             or self.network.restart_pending()):
                    if not self.wait_changed():
                        break
        self.unwind()
        return self.finish()

    def wait_changed(self) -> bool:
        """Monitor held: wait for something to happen; False when the run's time is up."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.stop("timeout", "the run reached its time limit")
            return False
        self.changed.wait(remaining)
        return True

    def schedule_steps(self) -> None:
        """Controlled modes: make the first choice, then wait for the run to end."""
        with self.mutex:
            self.scheduling = True
            self.decide()
            while not self.stopping and any(t.state not in (FINISHED, FAILED) for t in self.threads):
                if not self.wait_changed():
                    break

    def decide(self) -> None:
        """Monitor held: when no thread runs, check invariants and let the chooser pick."""
        if (not self.scheduling or self.deciding or self.turn is not None or self.stopping
                or any(t.state in (RUNNING, NEW) for t in self.threads)):
            return
        self.deciding = True
        try:
            if self.check_invariants():
                return
            while True:
                enabled = [t for t in self.threads if t.enabled] + list(self.network.held)
                if not enabled:
                    # Timeouts are long: one fires only when nothing else can happen first.
                    enabled = [t for t in self.threads if t.may_time_out]
                if not enabled:
                    if any(t.alive for t in self.threads):
                        self.check_deadlock()
                    return
                choice = self.chooser.choose(self, enabled)
                if choice is None or self.stopping:
                    return
                self.schedule.append(choice.name)
                if self.footprint is not None:
                    self.footprint = set()
                if isinstance(choice, Delivery):  # a message arrives: a step no thread takes
                    self.emit_run("step", thread=None, deliver=choice.message.id, index=len(self.schedule),
                                  enabled=[t.name for t in enabled])
                    self.network.deliver_held(choice)
                    if self.check_invariants():
                        return
                    continue
                self.emit_run("step", thread=choice.name, index=len(self.schedule),
                              enabled=[t.name for t in enabled])
                self.turn = choice
                choice.cond.notify_all()
                return
        finally:
            self.deciding = False

    # -- crashes and restarts ------------------------------------------------
    def crash_node(self, node_id: str | None) -> None:
        """The node stops: its threads end at their next step, its memory and inbox are lost."""
        with self.mutex:
            node = self.nodes.get(node_id or "")
            if node is None or node.crashed or self.closed:
                return
            node.crashed = True
            node.store, node.last = {}, {}  # its memory is lost (a restart starts from the spec)
            self.network.crashed_node(node.id)
            self.emit_run("node.crash", node=node.id)
            for t in node.threads:
                t.cond.notify_all()
            self.changed.notify_all()

    def restart_node(self, node_id: str | None) -> None:
        """A crashed node comes back with fresh memory: setup runs again, then its threads."""
        with self.mutex:
            node = self.nodes.get(node_id or "")
            if node is None or not node.crashed or self.closed or self.stopping:
                return
            node.crashed = False
            self.network.crashed.discard(node.id)
            node.store = {k: copy.deepcopy(v) for k, v in node.spec.get("shared", {}).items()}
            node.last = {k: snapshot(v) for k, v in node.store.items()}
            node.resources, node.auto_names = {}, {}
            self.emit_run("node.restart", node=node.id)
            boot = [(self.new_thread(node, t["name"], t["name"]), t) for t in node.spec.get("threads", [])]

        def start() -> None:
            node.globals = self.build_globals(self, node)
            setup_error = self.run_setup(node)
            with self.mutex:
                for thread_ctx, spec in boot:
                    self.start_thread(thread_ctx, self.thread_body(node, thread_ctx, spec["code"], setup_error),
                                      gated=False)

        threading.Thread(target=start, name=f"restart-{node.id}", daemon=True).start()

    # -- invariants and sections -------------------------------------------
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
        self.violation = {**violation, "step": len(self.schedule)}
        self.emit_run("invariant.violated", **self.violation)
        self.stop("violated", f"invariant {violation['invariant']!r} is false")
        return True

    def unwind(self) -> None:
        """Give stopped threads a moment to leave; a thread stuck in a loop is left behind."""
        until = time.monotonic() + UNWIND_S
        with self.mutex:
            while any(t.state not in (FINISHED, FAILED) for t in self.threads):
                remaining = until - time.monotonic()
                if remaining <= 0:
                    break
                self.changed.wait(remaining)

    def finish(self) -> dict:
        with self.mutex:
            status, error = self.end_status, self.end_error
            if status is None:
                failed = [t for t in self.threads if t.state == FAILED and not t.crashed]
                status = "failed" if failed else "completed"
                if failed:
                    error = f"{failed[0].name} failed"
            shared = {node.id: {k: snapshot(v) for k, v in node.store.items()} for node in self.nodes.values()}
            outputs = {t.name: list(t.outputs) for t in self.threads}
            fields: dict[str, Any] = {"status": status, "shared": shared, "outputs": outputs,
                                      "schedule": list(self.schedule)}
            if error:
                fields["error"] = error
            event = self.emit_run("run.finished", **fields)
            self.closed = True
        self.network.close()
        return event
