"""Thread life: compiling the snippets, setting each node up, making, starting and
ending threads — a snippet's error is an event, never a crash."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .instrument import SnippetRefused, instrument
from .memory import Memory
from .monitor import Monitor
from .network import NodeCrashed
from .threads import (
    FAILED,
    FINISHED,
    RUNNING,
    NodeState,
    RunStopped,
    ThreadCtx,
    caused_by_stop,
    describe_error,
)
from .turns import Turns


class ThreadLife:
    def __init__(self, monitor: Monitor, turns: Turns, memory: Memory, *, build_globals: Callable[[Any, NodeState], dict],
                 runtime: Any, compiled: dict | None, python_wall: bool, max_threads: int):
        self.m = monitor
        self.turns = turns
        self.memory = memory
        self.build_globals = build_globals
        self.runtime = runtime  # what the snippet API is given (the Runtime façade)
        self.python_wall = python_wall
        self.max_threads = max_threads
        self.gate = threading.Event()  # the first threads start together
        # Compiled now, before a sandbox forbids compiling: (node, snippet) -> code or the refusal.
        self.compiled: dict[tuple[str, str], Any] = {}
        if compiled is not None:
            self.compiled = compiled
            monitor.snippet_files.update({f"<{node}/{snippet}>": snippet for node, snippet in compiled})
            return
        for node in monitor.nodes.values():
            sources = [("setup", node.spec.get("setup", ""))] + [
                (t["name"], t["code"]) for t in node.spec.get("threads", [])]
            for snippet, code in sources:
                try:
                    self.compiled[node.id, snippet] = self.compile_snippet(node, snippet, code)
                except (SyntaxError, SnippetRefused) as exc:
                    self.compiled[node.id, snippet] = exc

    def compile_snippet(self, node: NodeState, snippet: str, code: str):
        filename = f"<{node.id}/{snippet}>"
        self.m.snippet_files[filename] = snippet
        return instrument(code, frozenset(node.spec.get("shared", {})), filename, python_wall=self.python_wall)

    # -- setting nodes up ------------------------------------------------------
    def prepare(self) -> list[tuple[ThreadCtx, Callable[[], Any]]]:
        """Set each node up; return the threads to start."""
        pending = []
        for node in self.m.nodes.values():
            self.memory.reset(node)  # each run starts from the spec, untouched
            node.globals = self.build_globals(self.runtime, node)
            setup_error = self.run_setup(node)
            for thread in node.spec.get("threads", []):
                ctx = self.new_thread(node, thread["name"], thread["name"])
                pending.append((ctx, self.thread_body(node, ctx, thread["code"], setup_error)))
        return pending

    def run_setup(self, node: NodeState) -> Any:
        """Run a node's setup code in the calling thread; return its error, if any."""
        m = self.m
        setup_ctx = ThreadCtx(node, "setup", "setup", m.mutex, f"{m.seed}/{node.id}/setup")
        m.local.ctx = setup_ctx
        try:
            code = self.compiled[node.id, "setup"]
            if isinstance(code, BaseException):
                raise code
            exec(code, node.globals)
        except (RunStopped, NodeCrashed):
            return "stopped"
        except BaseException as exc:
            setup_ctx.line = self.error_line(exc)
            with m.mutex:
                m.emit_at(setup_ctx, "thread.failed", error=describe_error(exc))
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

    # -- threads -----------------------------------------------------------
    def new_thread(self, node: NodeState, short: str, snippet: str) -> ThreadCtx:
        m = self.m
        if sum(t.state not in (FINISHED, FAILED) for t in m.threads) >= self.max_threads:
            raise RuntimeError(f"a run may have at most {self.max_threads} threads alive at once")
        taken = {t.short for t in node.threads if t.state not in (FINISHED, FAILED)}  # a restart reuses names
        name, n = short, 1
        while name in taken or name == "setup":
            n += 1
            name = f"{short}-{n}"
        ctx = ThreadCtx(node, name, snippet, m.mutex, f"{m.seed}/{node.id}/{name}")
        node.threads.append(ctx)
        m.threads.append(ctx)
        return ctx

    def start_thread(self, ctx: ThreadCtx, body: Callable[[], Any], *, gated: bool) -> None:
        def main() -> None:
            self.m.local.ctx = ctx
            if gated:
                self.gate.wait()
            self.thread_main(ctx, body)

        ctx.state = RUNNING  # alive from now: counts for deadlock detection
        pool = self.m.probes.pool
        if pool is not None:
            pool.run(main)
        else:
            ctx.os_thread = threading.Thread(target=main, name=ctx.name, daemon=True)
            ctx.os_thread.start()

    def thread_main(self, ctx: ThreadCtx, body: Callable[[], Any]) -> None:
        m = self.m
        error: BaseException | None = None
        stopped = crashed = False
        try:
            if m.controlled:
                self.turns.park(ctx)  # a new thread waits to be chosen like any other
                ctx.free_pass = True
            with m.mutex:
                m.emit_at(ctx, "thread.started")
            m.point(ctx, local=True)
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
        with m.mutex:
            self.ended(ctx, error, stopped, crashed)

    def ended(self, ctx: ThreadCtx, error: BaseException | None, stopped: bool, crashed: bool) -> None:
        """Monitor held: the thread's last event; its joiners wake; the next step is chosen."""
        m = self.m
        if crashed or (error is not None and ctx.node.crashed):
            ctx.state = FAILED
            ctx.crashed = True
            m.emit_at(ctx, "thread.failed", error="stopped: its node crashed")
        elif error is not None:
            ctx.state = FAILED
            line = self.error_line(error)
            if line is not None:
                ctx.line = line
            m.emit_at(ctx, "thread.failed", error=describe_error(error))
        elif stopped:
            ctx.state = FAILED
            m.emit_at(ctx, "thread.failed", error=f"stopped: the run ended ({m.end_status})")
        else:
            ctx.state = FINISHED
            m.emit_at(ctx, "thread.finished")
        ctx.cond.notify_all()
        for t in m.threads:  # wake joiners
            if t.waiting_on is ctx:
                m.wake(t)
        m.check_deadlock()
        self.turns.release_turn(ctx)
        m.changed.notify_all()

    def error_line(self, exc: BaseException) -> int | None:
        """The deepest line of snippet code in the error's traceback."""
        if isinstance(exc, SnippetRefused):
            return exc.line
        if isinstance(exc, SyntaxError):
            return exc.lineno
        line = None
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename in self.m.snippet_files:
                line = tb.tb_lineno
            tb = tb.tb_next
        return line
