"""The names a snippet sees: `print`, `sleep`, `me`, `spawn`, `threading`, its
node's resources, and the hidden hooks the instrumented code calls.

`runtime` below is the Runtime façade (runtime.py), which imports this module:
it is never imported from here.

Everything a snippet can touch is a thin facade: the API functions are plain
functions (no bound `__self__`), and locks, threads, sections and messages are
classes with `__slots__` whose one private slot holds the engine's object. The
source check, the snippet's getattr and the format guard refuse every name
starting with an underscore, so no public path leads from a facade to the
runtime, a node, a socket or compiled code.
"""

from __future__ import annotations

import math
import time
from types import SimpleNamespace
from typing import Any

from .instrument import MUTATED, SHARED
from .memory import SharedVars
from .primitives import registry
from .primitives.base import Facade, wrap
from .safety import make_builtins, real_builtins, snippet_modules
from .threads import BLOCKED, FAILED, FINISHED, RunStopped

MAX_PRINT = 4000
MAX_SLEEP_S = 3600
# now() adds this to a node's clock so that its values look like times (2024-01-01 UTC);
# fixed, so that a replay gives the same values.
EPOCH = 1_704_067_200.0


def seconds(value: Any, what: str = "sleep()") -> float:
    """A learner's number of seconds, checked: a clear error for inf, nan, -1, '1'."""
    number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan
    if not (math.isfinite(number) and 0 <= number <= MAX_SLEEP_S):  # checked on a real float, not on `value`
        raise ValueError(f"{what} needs a number of seconds between 0 and {MAX_SLEEP_S}, not {value!r}")
    return number


# -- facades (the primitives' own are in primitives/) ---------------------------

class Section(Facade):
    """`with section('critical'):`; its engine side is `(api, name)`."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return self._impl[1]

    def __enter__(self) -> Section:
        api, name = self._impl
        api.runtime.enter_section(api.runtime.local.ctx, name, +1)
        return self

    def __exit__(self, *exc: Any) -> None:
        api, name = self._impl
        api.runtime.enter_section(api.runtime.local.ctx, name, -1)


class Message:
    """What `recv()` returns: the message's data, copied out of the network's own object."""

    __slots__ = ("id", "sender", "recipient", "content", "lamport", "vc")

    def __init__(self, id: str, sender: str, recipient: str, content: Any, lamport: int, vc: dict):
        self.id, self.sender, self.recipient, self.content = id, sender, recipient, content
        self.lamport, self.vc = lamport, vc

    def __repr__(self) -> str:
        return f"Message({self.id} {self.sender}→{self.recipient}: {self.content!r})"


class ThreadRun:
    """The engine side of a snippet's `threading.Thread`."""

    def __init__(self, api: SnippetAPI, target=None, name=None, args=(), kwargs=None):
        self.api = api
        self.target, self.args, self.kwargs = target, tuple(args), dict(kwargs or {})
        self.wanted = name
        self.ctx = None

    @property
    def name(self) -> str:
        return self.ctx.short if self.ctx is not None else (self.wanted or "Thread")

    def start(self, run) -> None:
        if self.ctx is not None:
            raise RuntimeError("threads can only be started once")
        rt, node = self.api.runtime, self.api.node
        parent = rt.local.ctx
        rt.point(parent)
        base = self.wanted or getattr(self.target, "__name__", None) or "Thread"
        with rt.mutex:
            if rt.stopping:
                raise RunStopped(rt.end_status)
            self.ctx = rt.new_thread(node, base if isinstance(base, str) and base.isidentifier() else "Thread",
                                     parent.snippet)
            self.ctx.vtime = parent.vtime  # a new thread starts at its parent's (virtual) time
            rt.start_thread(self.ctx, run, gated=False)

    def join(self, timeout: float | None = None) -> None:
        rt = self.api.runtime
        ctx = rt.local.ctx
        rt.point(ctx)
        if self.ctx is None:
            raise RuntimeError("cannot join a thread before it is started")
        if self.ctx is ctx:
            raise RuntimeError("a thread cannot join itself")
        target = self.ctx
        with rt.mutex:
            if target.state not in (FINISHED, FAILED):
                rt.wait_until(ctx, lambda: target.state in (FINISHED, FAILED), target, timeout)
            if rt.controlled and target.state in (FINISHED, FAILED):
                ctx.vtime = max(ctx.vtime, target.vtime)  # virtual time: not before the joined thread's end

    def is_alive(self) -> bool:
        return self.ctx is not None and self.ctx.state not in (FINISHED, FAILED)


class SnippetThread:
    """`threading.Thread` for snippets: a real OS thread the runtime knows.

    Each node gets its own subclass (`thread_class`), which knows the node; a
    learner's subclass that overrides `run` and skips `__init__` still works.
    """

    __slots__ = ("_run", "daemon", "__dict__")  # __dict__: a learner's subclass may add attributes

    def _new_run(self, *args: Any) -> ThreadRun:
        raise NotImplementedError

    def _engine(self) -> ThreadRun:
        try:
            return self._run
        except AttributeError:  # a subclass whose __init__ did not call Thread's
            self._run = self._new_run()
            return self._run

    @property
    def name(self) -> str:
        return self._engine().name

    def run(self) -> None:
        engine = self._engine()
        if engine.target is not None:
            engine.target(*engine.args, **engine.kwargs)

    def start(self) -> None:
        self._engine().start(self.run)

    def join(self, timeout: float | None = None) -> None:
        self._engine().join(timeout)

    def is_alive(self) -> bool:
        return self._engine().is_alive()


def thread_class(api: SnippetAPI) -> type:
    class Thread(SnippetThread):
        __slots__ = ()

        def __init__(self, target=None, name=None, args=(), kwargs=None, *, daemon=None):
            self._run = ThreadRun(api, target, name, args, kwargs)
            self.daemon = daemon

        def _new_run(self) -> ThreadRun:
            return ThreadRun(api)

    return Thread


class SnippetAPI:
    """Builds one node's globals; one instance per node."""

    def __init__(self, runtime: Any, node):
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

    def sleep(self, duration: float = 0) -> None:
        duration = seconds(duration)
        rt = self.runtime
        ctx = rt.local.ctx
        rt.point(ctx)
        if rt.controlled:  # time is the chooser's: under control a sleep takes no time...
            ctx.vtime += duration  # ...but the thread's virtual clock (now()) moves on
            rt.point(ctx, local=True)
            return
        until = time.monotonic() + duration
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

    def now(self) -> float:
        """This node's physical clock, in seconds: the run's time × (1 + drift) + offset,
        after EPOCH. Free runs: real time since the run started. Controlled runs: the
        thread's virtual time (its sleeps, and the arrival of the messages it received),
        so a replay reads the same values."""
        rt = self.runtime
        clock = self.node.spec.get("clock") or {}
        elapsed = rt.local.ctx.vtime if rt.controlled else time.perf_counter() - rt.log.t0
        drift, offset = clock.get("drift_ppm") or 0, clock.get("offset_ms") or 0
        return EPOCH + elapsed * (1 + drift / 1_000_000) + offset / 1000

    def section(self, name: str) -> Section:
        """`with section('critical'):` marks code that invariants can count with inside('critical')."""
        return wrap(Section, (self, str(name)))

    # messages -----------------------------------------------------------------
    def send(self, to: str, content: Any = None) -> str:
        """Send `content` (JSON) to node `to` over their link; returns the message id."""
        return self.runtime.network.send(self.runtime.local.ctx, to, content)

    def recv(self, timeout: float | None = None) -> Message | None:
        """The next message for this node (waits; None after `timeout` seconds)."""
        if timeout is not None:
            timeout = seconds(timeout, "recv(timeout)")
        ctx = self.runtime.local.ctx
        got = self.runtime.network.recv(ctx, timeout)
        if got is None:
            if self.runtime.controlled and timeout:
                ctx.vtime += timeout  # it waited that long, in virtual time
            return None
        return Message(got.id, got.sender, got.recipient, got.content, got.lamport, dict(got.vc))

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
        thread = self.thread_class(target=fn, args=args, kwargs=kwargs, name=name)
        thread.start()
        return thread

    # threading ---------------------------------------------------------------
    def threading_namespace(self) -> SimpleNamespace:
        """`import threading`: factories of facades over the runtime's primitives (primitives/registry.py)."""
        return SimpleNamespace(
            **registry.constructors(self.runtime.monitor, self.node), Thread=self.thread_class,
            **registry.EXCEPTIONS, current_thread=self.functions()["current_thread"],
            get_ident=lambda: self.current_thread().ident,
        )

    def declared_resources(self) -> dict[str, Any]:
        """The resources named in the spec, by name."""
        return registry.declare(self.runtime.monitor, self.node, self.node.spec.get("resources", []))

    def functions(self) -> dict[str, Any]:
        """The snippet API as plain functions: a bound method would carry `__self__`, this object."""
        api = self

        def print(*args: Any, sep: str = " ", end: str = "\n", file: Any = None, flush: bool = False) -> None:
            api.print(*args, sep=sep, end=end)

        def sleep(seconds: float = 0) -> None:
            api.sleep(seconds)

        def now() -> float:
            return api.now()

        def section(name: str) -> Section:
            return api.section(name)

        def send(to: str, content: Any = None) -> str:
            return api.send(to, content)

        def recv(timeout: float | None = None) -> Message | None:
            return api.recv(timeout)

        def reply(message, content: Any = None) -> str:
            return api.reply(message, content)

        def broadcast(content: Any = None) -> list[str]:
            return api.broadcast(content)

        def neighbors() -> list[str]:
            return api.neighbors()

        def current_thread() -> SimpleNamespace:
            return api.current_thread()

        def spawn(fn, *args: Any, name: str | None = None, **kwargs: Any) -> SnippetThread:
            return api.spawn(fn, *args, name=name, **kwargs)

        return {"print": print, "sleep": sleep, "now": now, "section": section, "send": send, "recv": recv, "reply": reply,
                "broadcast": broadcast, "neighbors": neighbors, "current_thread": current_thread,
                "spawn": spawn}

    def globals(self) -> dict[str, Any]:
        rt, node = self.runtime, self.node
        self.thread_class = thread_class(self)
        api = {"me": node.id, **self.functions()}
        modules = snippet_modules(f"{rt.seed}/{node.id}", api["sleep"], self.threading_namespace())

        def new_builtins() -> dict[str, Any]:
            if not rt.python_wall:  # tests of the operating-system wall alone
                return real_builtins(api)
            return make_builtins(modules, api)

        node.new_builtins = new_builtins  # every thread gets its own (see ThreadLife.thread_body)
        namespace: dict[str, Any] = {
            "__builtins__": new_builtins(),
            "__name__": "snippet",  # not a module in sys.modules: dataclasses look their globals up there
            SHARED: SharedVars(rt.memory, node),
            MUTATED: lambda name: rt.mutated(node, name),
        }
        namespace.update(api)
        namespace.update(self.declared_resources())
        return namespace


def build_globals(runtime: Any, node) -> dict[str, Any]:
    return SnippetAPI(runtime, node).globals()


__all__ = ["build_globals", "SnippetThread", "BLOCKED"]
