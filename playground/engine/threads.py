"""What the runtime knows about a run's threads and nodes, and the errors that end them."""

from __future__ import annotations

import queue
import random
import threading
from collections.abc import Callable
from typing import Any

from .events import NodeClock

NEW, RUNNING, PARKED, BLOCKED, FINISHED, FAILED = "new", "running", "parked", "blocked", "finished", "failed"


class WorkerPool:
    """Idle OS threads kept for the next execution: starting a thread costs far
    more than a step, and the explorer runs thousands of short executions."""

    def __init__(self):
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.idle = 0
        self.lock = threading.Lock()

    def run(self, job: Callable[[], Any]) -> None:
        with self.lock:
            spare = self.idle > 0
            if spare:
                self.idle -= 1
        self.jobs.put(job)
        if not spare:
            threading.Thread(target=self._work, name="explore-worker", daemon=True).start()

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            job()
            with self.lock:
                self.idle += 1


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
        self.fingerprint: Any = None  # local state, for the explorer's visited set
        self.frames: list = []  # its snippet frames at its last scheduling point (explorer, framestate.py)
        self.seen = 0  # hash of the values read since its last scheduling point (explorer)
        self.free_pass = False
        self.mail: Any = None  # a message handed over to this thread waiting in recv()
        self.vtime = 0.0  # controlled runs: the thread's virtual seconds (sleeps, messages), for now()
        self.wait_pred: Callable[[], bool] | None = None  # controlled modes: what its wait waits for
        self.crashed = False  # ended because its node crashed (not a failure of the run)
        self.yielding: int | None = None  # the event count when it began to yield
        self.outputs: list[str] = []
        self.rng = random.Random(seed)
        self.os_thread: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        return self.state in (RUNNING, PARKED, BLOCKED)

    @property
    def enabled(self) -> bool:
        """Controlled modes: may this thread be given the next step?"""
        return self.state == PARKED or (self.state == BLOCKED and self.granted_now())

    def granted_now(self) -> bool:
        return self.wait_pred is not None and self.wait_pred()

    @property
    def may_time_out(self) -> bool:
        """In a timed wait that nothing has ended yet: choosing it is its timeout."""
        return self.state == BLOCKED and not self.forever and not self.granted_now()

    def holders(self) -> list[ThreadCtx]:  # joining a thread waits for that thread
        return [self] if self.state in (NEW, RUNNING, PARKED, BLOCKED) else []


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
        self.new_builtins: Callable[[], dict[str, Any]] = dict  # a fresh builtins dict per thread (snippet_api)
        self.threads: list[ThreadCtx] = []
        self.auto_names: dict[str, int] = {}
        self.crashed = False

    def unique_name(self, wanted: str | None, rtype: str) -> str:
        """Display names are unique per node: `x_lock`, or `x_lock#2` when reused."""
        base = wanted or rtype
        count = self.auto_names.get(base, 0) + 1
        self.auto_names[base] = count
        if wanted and count == 1:
            return base
        return f"{base}#{count}" if wanted else f"{base}{count}"


def caused_by_stop(exc: BaseException) -> bool:
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
