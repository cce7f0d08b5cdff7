"""The sandbox child: `python -m playground.engine child`.

Reads one JSON line `{"spec": …, "limits": {…}}` on stdin, then control
messages (one JSON object a line); writes events as JSON lines on stdout.
Everything the engine needs is imported before the limits and the audit hook
go on; from then on the process cannot open files, start processes or reach
the network.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from collections import deque

from . import explore, scheduler, seccomp, snippet_api  # noqa: F401  (imported before the audit hook)
from .events import dumps, loads
from .runner import make_run
from .safety import apply_limits, install_audit_hook

FLUSH_EVERY_S = 0.003
# Written at once, not at the next flush: what a learner must see even if the
# next line of the snippet holds the interpreter until the process is killed.
FLUSH_NOW = frozenset({"output", "thread.failed", "deadlock", "run.finished", "thread.started"})


class LineWriter:
    """Events to stdout as JSON lines, written in batches by a flusher thread."""

    def __init__(self, out):
        self.out = out
        self.pending: deque[bytes] = deque()
        self.lock = threading.Lock()  # one writer at a time keeps the lines in order
        self.wake = threading.Event()
        self.done = False
        self.thread = threading.Thread(target=self._loop, name="event-writer", daemon=True)
        self.thread.start()

    def add(self, event: dict) -> None:
        self.pending.append(dumps(event))
        if event["kind"] in FLUSH_NOW:
            self._drain()

    def _drain(self) -> None:
        with self.lock:
            n = len(self.pending)
            if n:
                popleft = self.pending.popleft
                self.out.write(b"\n".join(popleft() for _ in range(n)) + b"\n")
                self.out.flush()

    def _loop(self) -> None:
        while not self.done:
            self.wake.wait(FLUSH_EVERY_S)
            self.wake.clear()
            self._drain()

    def close(self) -> None:
        self.done = True
        self.wake.set()
        self.thread.join(2)
        self._drain()


def _controls(runtime, stdin) -> None:
    for line in stdin:
        try:
            message = loads(line)
        except ValueError:
            continue
        if isinstance(message, dict):
            runtime.control(message)


def _exit_if_orphaned(parent: int, waiting: threading.Event) -> None:
    """A spare child waits for a spec; if its parent dies first, it must not linger."""
    while waiting.is_set():
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(0.5)


def _install_seccomp() -> None:
    """Before any thread starts, so that every thread has the filter. Behind the
    operating-system wall it is required; a python-only child does without it
    when libseccomp is missing (a laptop that is not Linux)."""
    try:
        seccomp.install()
    except (OSError, RuntimeError, AttributeError) as exc:
        if os.environ.get("PLAYGROUND_SANDBOX") != "python-only":
            print(f"the sandbox's system-call filter could not be loaded: {exc}", file=sys.stderr)
            os._exit(3)


def main() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    _install_seccomp()
    waiting = threading.Event()
    waiting.set()
    threading.Thread(target=_exit_if_orphaned, args=(os.getppid(), waiting), daemon=True).start()
    first = stdin.readline()
    waiting.clear()
    if not first:
        return
    request = loads(first)
    spec, limits = request["spec"], request.get("limits", {})
    timeout_s = spec["run"].get("timeout_ms", 10_000) / 1000
    apply_limits(cpu_s=int(limits.get("cpu_s", timeout_s + 5)),
                 memory_bytes=int(limits.get("memory_mb", 1024)) << 20,
                 open_files=int(limits.get("open_files", 64)))
    # Tests only (SandboxedRun(python_wall=False)): the operating system alone holds the snippet.
    python_wall = request.get("python_wall", True) is not False
    writer = LineWriter(stdout)
    runtime = make_run(spec, writer.add) if python_wall else make_run(spec, writer.add, python_wall=False)
    # Not an event (events stay identical from replay to replay): the wall-clock time of t = 0.
    with writer.lock:
        stdout.write(dumps({"wall": time.time() - (time.perf_counter() - runtime.log.t0)}) + b"\n")
    threading.Thread(target=_controls, args=(runtime, stdin), name="controls", daemon=True).start()
    if python_wall:
        install_audit_hook()
    try:
        runtime.run()
    except BaseException:
        traceback.print_exc()  # the parent reports the last line as the run's error
        sys.stderr.flush()
    finally:
        writer.close()
        time.sleep(0)  # let the pipe take the last bytes
        os._exit(0)  # threads stuck in snippet loops must not keep the process alive
