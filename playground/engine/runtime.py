"""The runtime: nodes, their memory, their threads, and the run's life.

One monitor (`Runtime.mutex`, a real lock) guards every state change the
learner can see: a shared variable, a lock's owner, a thread blocking. Events
are emitted while it is held, so the numbered trace is a true linear history
and every `state` in it is consistent. Snippet code itself never runs under
the monitor: real threads really interleave between scheduling points.
"""

from __future__ import annotations

import random
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from . import waitfor
from .events import EventLog, NodeClock, snapshot
from .instrument import SnippetRefused, instrument

NEW, RUNNING, BLOCKED, FINISHED, FAILED = "new", "running", "blocked", "finished", "failed"
# Room for the threads to unwind after the run has ended.
UNWIND_S = 1.0
# Free-mode preemption: how long a yielding thread waits at most for another to move.
PREEMPT_MAX_S = 0.05
PREEMPT_POLL_S = 0.0001


class RunStopped(BaseException):
    """Raised in a thread when the run ends under it (deadlock, timeout, cancel).

    A BaseException so that a snippet's `except Exception:` cannot swallow it.
    """


class ThreadCtx:
    """What the runtime knows about one thread of a node."""

    rtype = "thread"

    def __init__(self, node: NodeState, short: str, snippet: str, mutex: threading.Lock, seed: str):
        self.node = node
        self.short = short
        self.name = f"{node.id}/{short}"
        self.gid = self.name
        self.snippet = snippet
        self.line: int | None = None
        self.cond = threading.Condition(mutex)
        self.state = NEW
        self.waiting_on: Any = None
        self.forever = False
        self.granted: Any = None
        self.sleeping = False
        self.outputs: list[str] = []
        self.rng = random.Random(seed)
        self.os_thread: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        return self.state in (RUNNING, BLOCKED)

    def holders(self) -> list[ThreadCtx]:  # joining a thread waits for that thread
        return [self] if self.state in (NEW, RUNNING, BLOCKED) else []


class NodeState:
    """A computer: its own memory, resources, globals and threads."""

    def __init__(self, spec: dict):
        self.id: str = spec["id"]
        self.spec = spec
        self.store: dict[str, Any] = {}
        self.last: dict[str, Any] = {}  # JSON of each variable as last shown
        self.clock = NodeClock(self.id)
        self.resources: dict[str, Any] = {}
        self.globals: dict[str, Any] = {}
        self.threads: list[ThreadCtx] = []
        self.auto_names: dict[str, int] = {}

    def unique_name(self, wanted: str | None, rtype: str) -> str:
        """Display names are unique per node: `x_lock`, or `x_lock#2` when reused."""
        base = wanted or rtype
        count = self.auto_names.get(base, 0) + 1
        self.auto_names[base] = count
        if wanted and count == 1:
            return base
        return f"{base}#{count}" if wanted else f"{base}{count}"


class SharedVars:
    """`__shared__` in rewritten snippets: attribute access is variable access."""

    __slots__ = ("_runtime", "_node")

    def __init__(self, runtime: Runtime, node: NodeState):
        object.__setattr__(self, "_runtime", runtime)
        object.__setattr__(self, "_node", node)

    def __getattr__(self, name: str) -> Any:
        return self._runtime.read(self._node, name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._runtime.write(self._node, name, value)

    def __delattr__(self, name: str) -> None:
        raise TypeError(f"the shared variable {name!r} cannot be deleted")


def _caused_by_stop(exc: BaseException) -> bool:
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, RunStopped):
            return True
        exc = exc.__context__
        seen += 1
    return False


def describe_error(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Runtime:
    def __init__(self, spec: dict, sink: Callable[[dict], Any], *, build_globals: Callable | None = None):
        self.spec = spec
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
        if build_globals is None:
            from .snippet_api import build_globals
        self.build_globals = build_globals
        # Compiled now, before a sandbox forbids compiling: (node, snippet) -> code or the refusal.
        self.compiled: dict[tuple[str, str], Any] = {}
        for node in self.nodes.values():
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
        snippet, line = self.where(ctx)
        return self.log.emit(kind, ctx.node.id, ctx.name, ctx.node.clock, line=line, snippet=snippet, **fields)

    def emit_run(self, kind: str, **fields: Any) -> dict | None:
        if self.closed:
            return None
        return self.log.emit(kind, **fields)

    # -- scheduling --------------------------------------------------------
    def point(self, ctx: ThreadCtx) -> None:
        """A scheduling point: the run may end here, or the thread may yield."""
        if self.stopping:
            raise RunStopped(self.end_status)
        if self.preempt and ctx.rng.random() < self.preempt:
            self.yield_to_others(ctx)

    def yield_to_others(self, ctx: ThreadCtx) -> None:
        """Preemption in free mode: pause until another thread has taken a step.

        A random sleep would only shuffle timings; waiting for someone else's
        progress makes the interleavings that expose races really happen.
        """
        others = [t for t in self.threads if t is not ctx and t.state == RUNNING and not t.sleeping]
        if not others:
            return
        start = self.log.seq
        give_up = time.monotonic() + PREEMPT_MAX_S
        while self.log.seq == start and not self.stopping and time.monotonic() < give_up:
            time.sleep(PREEMPT_POLL_S)

    def wait_until(self, ctx: ThreadCtx, granted: Callable[[], bool], resource: Any,
                   timeout: float | None = None) -> bool:
        """Block the calling thread (monitor held) until `granted()`; False on timeout."""
        ctx.state = BLOCKED
        ctx.waiting_on = resource
        ctx.forever = timeout is None
        try:
            self.check_deadlock(ctx)
            deadline = self.deadline if timeout is None else min(self.deadline, time.monotonic() + timeout)
            while not granted():
                if self.stopping:
                    raise RunStopped(self.end_status)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if timeout is None:  # the run's own time is up
                        self.stop("timeout", "the run reached its time limit")
                        raise RunStopped(self.end_status)
                    return False
                ctx.cond.wait(remaining)
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
        stuck = waitfor.all_blocked(self.threads)
        if stuck:
            self.declare_deadlock([waitfor.edge(t) for t in stuck], "all-blocked")

    def declare_deadlock(self, cycle: list[dict], reason: str) -> None:
        resources = [r for node in self.nodes.values() for r in node.resources.values()]
        self.emit_run("deadlock", cycle=cycle, graph=waitfor.graph(self.threads, resources),
                      reason=reason, message=waitfor.describe(cycle))
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

    # -- shared variables --------------------------------------------------
    def read(self, node: NodeState, name: str) -> Any:
        ctx = self.local.ctx
        with self.mutex:
            try:
                value = node.store[name]
            except KeyError:
                raise NameError(f"shared variable {name!r} is not defined") from None
            shown = node.last[name] = snapshot(value)
            self.emit_at(ctx, "var.read", name=name, value=shown)
        self.point(ctx)
        return value

    def write(self, node: NodeState, name: str, value: Any) -> None:
        ctx = self.local.ctx
        with self.mutex:
            previous = snapshot(node.store.get(name))
            node.store[name] = value
            shown = node.last[name] = snapshot(value)
            self.emit_at(ctx, "var.write", name=name, value=shown, previous=previous)
        self.point(ctx)

    def mutated(self, node: NodeState, name: str) -> None:
        """A shared container was changed in place (`items.append(…)`)."""
        ctx = self.local.ctx
        with self.mutex:
            previous = node.last.get(name)
            shown = node.last[name] = snapshot(node.store.get(name))
            self.emit_at(ctx, "var.write", name=name, value=shown, previous=previous)
        self.point(ctx)

    # -- threads -----------------------------------------------------------
    def new_thread(self, node: NodeState, short: str, snippet: str) -> ThreadCtx:
        taken = {t.short for t in node.threads}
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
        ctx.os_thread = threading.Thread(target=main, name=ctx.name, daemon=True)
        ctx.os_thread.start()

    def thread_main(self, ctx: ThreadCtx, body: Callable[[], Any]) -> None:
        error: BaseException | None = None
        stopped = False
        with self.mutex:
            self.emit_at(ctx, "thread.started")
        try:
            self.point(ctx)
            body()
        except RunStopped:
            stopped = True
        except BaseException as exc:  # a snippet's error is an event, never a crash
            if _caused_by_stop(exc):  # e.g. a `with lock:` exit while unwinding a stop
                stopped = True
            else:
                error = exc
        with self.mutex:
            if error is not None:
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
        return instrument(code, frozenset(node.spec.get("shared", {})), filename)

    def prepare(self) -> list[tuple[ThreadCtx, Callable[[], Any]]]:
        """Compile every snippet, set each node up; return the threads to start."""
        pending = []
        for node in self.nodes.values():
            for name, value in node.spec.get("shared", {}).items():
                node.store[name] = value
                node.last[name] = snapshot(value)
            node.globals = self.build_globals(self, node)
            setup_ctx = ThreadCtx(node, "setup", "setup", self.mutex, f"{self.seed}/{node.id}/setup")
            self.local.ctx = setup_ctx
            setup_error = None
            try:
                code = self.compiled[node.id, "setup"]
                if isinstance(code, BaseException):
                    raise code
                exec(code, node.globals)
            except RunStopped:
                setup_error = "stopped"
            except BaseException as exc:
                setup_error = exc
                setup_ctx.line = self.error_line(exc)
                with self.mutex:
                    self.emit_at(setup_ctx, "thread.failed", error=describe_error(exc))
            for thread in node.spec.get("threads", []):
                ctx = self.new_thread(node, thread["name"], thread["name"])
                pending.append((ctx, self.thread_body(node, ctx, thread["code"], setup_error)))
        return pending

    def thread_body(self, node: NodeState, ctx: ThreadCtx, code: str, setup_error: Any) -> Callable[[], Any]:
        compiled = self.compiled[node.id, ctx.snippet]
        problem = compiled if isinstance(compiled, BaseException) else None
        namespace = dict(node.globals)  # a thread's own names, over the node's

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
        self.gate.set()
        with self.mutex:
            while not self.stopping and any(t.state != FINISHED and t.state != FAILED for t in self.threads):
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    self.stop("timeout", "the run reached its time limit")
                    break
                self.changed.wait(remaining)
        self.unwind()
        return self.finish()

    def unwind(self) -> None:
        """Give stopped threads a moment to leave; a thread stuck in a loop is left behind."""
        until = time.monotonic() + UNWIND_S
        for t in self.threads:
            if t.os_thread is not None:
                t.os_thread.join(max(0.0, until - time.monotonic()))

    def finish(self) -> dict:
        with self.mutex:
            status, error = self.end_status, self.end_error
            if status is None:
                failed = [t for t in self.threads if t.state == FAILED]
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
            return event
