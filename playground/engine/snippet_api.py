"""The names a snippet sees: `print`, `sleep`, `me`, `spawn`, `threading`, its
node's resources, and the hidden hooks the instrumented code calls."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

from . import primitives as P
from .instrument import MUTATED, NAME_KEYWORD, SHARED
from .runtime import Runtime
from .safety import make_builtins, snippet_modules
from .threads import BLOCKED, FAILED, FINISHED, RunStopped, SharedVars

MAX_PRINT = 4000


class SnippetThread:
    """`threading.Thread` for snippets: a real OS thread the runtime knows."""

    def __init__(self, target=None, name=None, args=(), kwargs=None, daemon=None, *, _api=None):
        self._api = _api
        self._target, self._args, self._kwargs = target, tuple(args), dict(kwargs or {})
        self._wanted = name
        self._ctx = None
        self.daemon = daemon

    @property
    def name(self) -> str:
        return self._ctx.short if self._ctx is not None else (self._wanted or "Thread")

    def run(self) -> None:
        if self._target is not None:
            self._target(*self._args, **self._kwargs)

    def start(self) -> None:
        if self._ctx is not None:
            raise RuntimeError("threads can only be started once")
        rt, node = self._api.runtime, self._api.node
        parent = rt.local.ctx
        rt.point(parent)
        base = self._wanted or getattr(self._target, "__name__", None) or "Thread"
        with rt.mutex:
            if rt.stopping:
                raise RunStopped(rt.end_status)
            self._ctx = rt.new_thread(node, base if base.isidentifier() else "Thread", parent.snippet)
            rt.start_thread(self._ctx, self.run, gated=False)

    def join(self, timeout: float | None = None) -> None:
        rt = self._api.runtime
        ctx = rt.local.ctx
        rt.point(ctx)
        if self._ctx is None:
            raise RuntimeError("cannot join a thread before it is started")
        if self._ctx is ctx:
            raise RuntimeError("a thread cannot join itself")
        target = self._ctx
        with rt.mutex:
            if target.state not in (FINISHED, FAILED):
                rt.wait_until(ctx, lambda: target.state in (FINISHED, FAILED), target, timeout)

    def is_alive(self) -> bool:
        return self._ctx is not None and self._ctx.state not in (FINISHED, FAILED)


class Section:
    def __init__(self, runtime: Runtime, name: str):
        self.runtime, self.name = runtime, name

    def __enter__(self) -> Section:
        self.runtime.enter_section(self.runtime.local.ctx, self.name, +1)
        return self

    def __exit__(self, *exc) -> None:
        self.runtime.enter_section(self.runtime.local.ctx, self.name, -1)


class SnippetAPI:
    """Builds one node's globals; one instance per node."""

    def __init__(self, runtime: Runtime, node):
        self.runtime = runtime
        self.node = node

    # print / sleep -----------------------------------------------------------
    def print(self, *args: Any, sep: str = " ", end: str = "\n", file: Any = None, flush: bool = False) -> None:
        text = (sep if sep is not None else " ").join(str(a) for a in args)
        if len(text) > MAX_PRINT:  # a page of text per print is plenty; a trace is not a log file
            text = text[:MAX_PRINT] + f"… ({len(text) - MAX_PRINT} more characters)"
        rt = self.runtime
        ctx = rt.local.ctx
        with rt.mutex:
            ctx.outputs.append(text)
            rt.emit_at(ctx, "output", text=text)
        rt.point(ctx, local=True)

    def sleep(self, seconds: float = 0) -> None:
        rt = self.runtime
        ctx = rt.local.ctx
        rt.point(ctx)
        seconds = float(seconds)
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        if rt.controlled:  # time is the chooser's: under control a sleep takes no time
            rt.point(ctx, local=True)
            return
        until = time.monotonic() + seconds
        with rt.mutex:
            ctx.sleeping = True
            try:
                while not rt.stopping:
                    remaining = until - time.monotonic()
                    if remaining <= 0:
                        break
                    ctx.cond.wait(remaining)
            finally:
                ctx.sleeping = False

    def section(self, name: str) -> Section:
        """`with section('critical'):` marks code that invariants can count with inside('critical')."""
        return Section(self.runtime, str(name))

    # messages -----------------------------------------------------------------
    def send(self, to: str, content: Any = None) -> str:
        """Send `content` (JSON) to node `to` over their link; returns the message id."""
        return self.runtime.network.send(self.runtime.local.ctx, to, content)

    def recv(self, timeout: float | None = None):
        """The next message for this node (waits; None after `timeout` seconds)."""
        if timeout is not None and timeout < 0:
            raise ValueError("timeout must be non-negative")
        return self.runtime.network.recv(self.runtime.local.ctx, timeout)

    def reply(self, message, content: Any = None) -> str:
        return self.send(message.sender, content)

    def broadcast(self, content: Any = None) -> list[str]:
        return [self.send(n, content) for n in self.neighbors()]

    def neighbors(self) -> list[str]:
        return self.runtime.network.neighbors(self.node.id)

    def current_thread(self) -> SimpleNamespace:
        ctx = self.runtime.local.ctx
        return SimpleNamespace(name=ctx.short, ident=id(ctx), full_name=ctx.name)

    def spawn(self, fn, *args: Any, name: str | None = None, **kwargs: Any) -> SnippetThread:
        thread = SnippetThread(target=fn, args=args, kwargs=kwargs, name=name, _api=self)
        thread.start()
        return thread

    # threading ---------------------------------------------------------------
    def threading_namespace(self) -> SimpleNamespace:
        rt, node, api = self.runtime, self.node, self

        def named(kw: dict) -> str | None:
            return kw.pop(NAME_KEYWORD, None)

        def Lock(**kw):
            return P.Lock(rt, node, named(kw))

        def RLock(**kw):
            return P.RLock(rt, node, named(kw))

        def Semaphore(value: int = 1, **kw):
            return P.Semaphore(rt, node, value, named(kw))

        def BoundedSemaphore(value: int = 1, **kw):
            return P.BoundedSemaphore(rt, node, value, named(kw))

        def Condition(lock=None, **kw):
            return P.Condition(rt, node, lock, named(kw))

        def Event(**kw):
            return P.Event(rt, node, named(kw))

        def Barrier(parties: int, action=None, timeout=None, **kw):
            return P.Barrier(rt, node, parties, name=named(kw))

        class Thread(SnippetThread):
            def __init__(self, target=None, name=None, args=(), kwargs=None, *, daemon=None):
                super().__init__(target, name, args, kwargs, daemon, _api=api)

        return SimpleNamespace(
            Lock=Lock, RLock=RLock, Semaphore=Semaphore, BoundedSemaphore=BoundedSemaphore,
            Condition=Condition, Event=Event, Barrier=Barrier, Thread=Thread,
            BrokenBarrierError=P.BrokenBarrierError, current_thread=self.current_thread,
            get_ident=lambda: self.current_thread().ident,
        )

    def declared_resources(self) -> dict[str, Any]:
        """The resources named in the spec, by name."""
        rt, node = self.runtime, self.node
        made: dict[str, Any] = {}
        specs = node.spec.get("resources", [])
        for res in sorted(specs, key=lambda r: r["type"] == "condition"):  # locks before conditions
            kind, name = res["type"], res["name"]
            if kind == "lock":
                made[name] = P.Lock(rt, node, name)
            elif kind == "rlock":
                made[name] = P.RLock(rt, node, name)
            elif kind == "semaphore":
                made[name] = P.Semaphore(rt, node, res.get("value") if res.get("value") is not None else 1, name)
            elif kind == "boundedsemaphore":
                made[name] = P.BoundedSemaphore(rt, node, res.get("value") if res.get("value") is not None else 1,
                                                name)
            elif kind == "condition":
                made[name] = P.Condition(rt, node, made.get(res.get("lock")), name)
            elif kind == "event":
                made[name] = P.Event(rt, node, name)
            elif kind == "barrier":
                made[name] = P.Barrier(rt, node, res["parties"], name=name)
        return made

    def globals(self) -> dict[str, Any]:
        rt, node = self.runtime, self.node
        threading_ns = self.threading_namespace()
        modules = snippet_modules(f"{rt.seed}/{node.id}", self.sleep, threading_ns)
        api = {"print": self.print, "sleep": self.sleep, "me": node.id, "spawn": self.spawn,
               "current_thread": self.current_thread, "section": self.section, "send": self.send,
               "recv": self.recv, "reply": self.reply, "broadcast": self.broadcast, "neighbors": self.neighbors}
        namespace: dict[str, Any] = {
            "__builtins__": make_builtins(modules, api),
            "__name__": "playground",
            SHARED: SharedVars(rt, node),
            MUTATED: lambda name: rt.mutated(node, name),
        }
        namespace.update(api)
        namespace.update(self.declared_resources())
        return namespace


def build_globals(runtime: Runtime, node) -> dict[str, Any]:
    return SnippetAPI(runtime, node).globals()


__all__ = ["build_globals", "SnippetThread", "BLOCKED"]
