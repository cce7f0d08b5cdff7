"""The parent side of the sandbox: start the child, read its events, bound it.

Whatever the snippet does — loop forever, allocate 10 GB, kill its own
process — the caller gets its events up to that point and then exactly one
`run.finished`, synthesised here when the child could not write it.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterator
from typing import Any

from . import boundary
from .contract import run_finished
from .events import dumps, loads, snapshot
from .spares import Spares

GRACE_S = 2.0  # the child ends itself at its timeout; this is the hard stop after it
_EOF = object()
# How a run stopped by the parent is reported: kill reason → (status, error).
STOPPED = {
    "cancelled": ("cancelled", "the run was cancelled"),
    "shutdown": ("cancelled", "the server stopped while the run was going on; run it again"),
}
_LIVE: weakref.WeakSet = weakref.WeakSet()  # the runs of this process whose child may be alive


def spawn_child(python: str) -> subprocess.Popen:
    """A sandbox child behind the operating-system wall (see boundary.py), in its own
    process group, waiting for its spec on stdin."""
    return boundary.spawn(python, ["-m", "playground.engine", "child"])




SPARES = Spares(spawn_child)


def stop_all(reason: str = "shutdown") -> int:
    """Stop every sandbox child of this process (the server or worker is stopping):
    each run then ends with the reason in STOPPED, and no child is left behind.
    Returns how many runs were stopped."""
    SPARES.close()
    runs = [run for run in list(_LIVE) if run.proc is not None and run.proc.poll() is None]
    for run in runs:
        run.kill(reason)
    return len(runs)


class SandboxedRun:
    def __init__(self, spec: dict, *, memory_mb: int = 1024, grace_s: float = GRACE_S,
                 python: str = sys.executable, python_wall: bool = True):
        """`python_wall=False` is for tests only (never reachable from a spec or the API):
        the child gives snippets the real builtins and no source check or audit hook,
        to prove that the operating-system wall alone stops them."""
        self.spec = spec
        # Sockets: four ends per direction of each link, plus each node's listener and its
        # spare connections to and from the relays (links added during the run).
        sockets = 8 * len(spec.get("links", [])) + 5 * len(spec["nodes"]) + 1
        self.limits = {"memory_mb": memory_mb, "cpu_s": int(spec["run"]["timeout_ms"] / 1000) + 5,
                       "open_files": 64 + sockets}
        self.grace_s = grace_s
        self.python = python
        self.python_wall = python_wall
        self.proc: subprocess.Popen | None = None
        self.events: queue.Queue = queue.Queue()
        self.kill_reason: str | None = None
        self.stderr_tail = b""
        self.wall: float | None = None
        self.refused: str | None = None
        self._stdin_lock = threading.Lock()
        self._finished = False
        self._last_seq = 0
        # What the synthesised run.finished reports, built from the events seen.
        self._shared = {n["id"]: dict(n.get("shared", {})) for n in spec["nodes"]}
        self._outputs: dict[str, list[str]] = {}

    # -- life --------------------------------------------------------------
    def start(self) -> SandboxedRun:
        self.started = time.monotonic()
        try:
            boundary.check(self.python)  # a spare started earlier must not hide a wall that is gone
            self.proc = SPARES.take(self.python) or spawn_child(self.python)
        except boundary.BoundaryUnavailable as exc:
            self.refused = str(exc)  # reported as the run's end: never a silent fallback
            self.events.put(_EOF)
            return self
        _LIVE.add(self)
        SPARES.refill(self.python)
        request = {"spec": self.spec, "limits": self.limits}
        if not self.python_wall:
            request["python_wall"] = False
        self._send(request)
        threading.Thread(target=self._read_events, daemon=True, name="sandbox-events").start()
        threading.Thread(target=self._read_stderr, daemon=True, name="sandbox-stderr").start()
        threading.Thread(target=self._watchdog, daemon=True, name="sandbox-watchdog").start()
        return self

    def control(self, message: dict) -> None:
        """Forward a control message (step, deliver, fault, cancel) to the child."""
        if self.proc is not None:
            self._send(message)

    def kill(self, reason: str = "killed") -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        if self.kill_reason is None:
            self.kill_reason = reason
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def _send(self, message: dict) -> None:
        with self._stdin_lock:
            try:
                self.proc.stdin.write(dumps(message) + b"\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass  # the child has gone; its end is reported by batches()

    def _watchdog(self) -> None:
        limit = self.spec["run"]["timeout_ms"] / 1000 + self.grace_s
        try:
            self.proc.wait(limit)
        except subprocess.TimeoutExpired:
            self.kill("timeout")
            self.proc.wait()

    def _read_stderr(self) -> None:
        for chunk in iter(lambda: self.proc.stderr.read(4096), b""):
            self.stderr_tail = (self.stderr_tail + chunk)[-4096:]

    def _read_events(self) -> None:
        """Read the child's lines in chunks and hand them over a chunk at a time:
        one queue hand-off per event was the reader's main cost."""
        stdout, rest = self.proc.stdout, b""
        while True:
            chunk = stdout.read1(1 << 16)
            if not chunk:
                break
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            items = []
            for raw in lines:
                try:
                    event = loads(raw)
                except ValueError:
                    continue  # not an event: ignored, never fatal
                if isinstance(event, dict) and isinstance(event.get("seq"), int):
                    items.append((event, raw))
                elif isinstance(event, dict) and isinstance(event.get("wall"), float):
                    self.wall = event["wall"]  # epoch seconds at the run's t = 0
            if items:
                self.events.put(items)
        self.events.put(_EOF)

    # -- events ------------------------------------------------------------
    def _accept(self, event: dict) -> bool:
        """Keep the numbering gapless and the stream closed after run.finished."""
        if self._finished or event["seq"] != self._last_seq + 1:
            return False
        self._last_seq = event["seq"]
        kind = event.get("kind")
        if kind == "var.write" and event.get("node") in self._shared:
            self._shared[event["node"]][event.get("name")] = event.get("value")
        elif kind == "output":
            self._outputs.setdefault(event.get("thread"), []).append(event.get("text", ""))
        elif kind == "run.finished":
            self._finished = True
        return True

    def _synthetic_finish(self) -> dict:
        """The child died without a word: say how, with what was seen so far."""
        code = None if self.proc is None else self.proc.wait()
        if self.refused is not None:
            status, error = "failed", self.refused
        elif self.kill_reason == "timeout":
            status = "timeout"
            error = f"the run did not finish within {self.spec['run']['timeout_ms']} ms and was stopped"
        elif self.kill_reason in STOPPED:
            status, error = STOPPED[self.kill_reason]
        elif self.kill_reason is not None:
            status, error = "failed", f"the run was stopped ({self.kill_reason})"
        elif boundary.exit_signal(code) == signal.SIGXCPU:
            status, error = "failed", "the run used up its CPU time limit"
        elif boundary.exit_signal(code) == signal.SIGKILL:
            status, error = "failed", "the run's process was killed (out of memory?)"
        else:
            last = self.stderr_tail.decode(errors="replace").strip().splitlines()
            detail = last[-1] if last else f"exit code {code}"
            status, error = "failed", f"the run's process ended unexpectedly: {detail}"
        self._last_seq += 1
        self._finished = True
        return {"seq": self._last_seq, "t": round(time.monotonic() - self.started, 6), "kind": "run.finished",
                "node": None, "thread": None,
                **run_finished(status, error, shared=snapshot(self._shared), outputs=self._outputs, schedule=[])}

    def batches(self, max_events: int = 500, max_wait: float = 0.005) -> Iterator[list[dict]]:
        """Events in order, grouped; the last batch ends with `run.finished`."""
        for batch in self.raw_batches(max_events, max_wait):
            yield [event for event, _ in batch]

    def raw_batches(self, max_events: int = 500, max_wait: float = 0.005) -> Iterator[list[tuple[dict, bytes]]]:
        """Like `batches`, each event with its JSON line as the child wrote it, so
        that a consumer storing or forwarding JSON need not encode it again."""
        pending: deque = deque()
        while not self._finished:
            if not pending and not self._take(pending, None):
                yield [self._finish_pair()]
                break
            batch: list[tuple[dict, bytes]] = []
            deadline = time.monotonic() + max_wait
            while len(batch) < max_events and not self._finished:
                if pending:
                    item = pending.popleft()
                    if self._accept(item[0]):
                        batch.append(item)
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    if not self._take(pending, remaining):
                        batch.append(self._finish_pair())
                except queue.Empty:
                    break
            if batch:
                yield batch
        self._reap()

    def _take(self, pending: deque, timeout: float | None) -> bool:
        """Move the next chunk of events into `pending`; False at the end of the child's output."""
        chunk = self.events.get(timeout=timeout)
        if chunk is _EOF:
            return False
        pending.extend(chunk)
        return True

    def _finish_pair(self) -> tuple[dict, bytes]:
        finish = self._synthetic_finish()
        return finish, dumps(finish)

    def _reap(self) -> None:
        """After run.finished: the child exits by itself; make sure of it."""
        if self.proc is None:
            return
        try:
            self.proc.wait(self.grace_s)
        except subprocess.TimeoutExpired:
            self.kill("finished")
        for stream in (self.proc.stdin,):
            try:
                stream.close()
            except OSError:
                pass


def run_sandboxed(spec: dict, **kwargs: Any) -> list[dict]:
    """Run a validated spec in the sandbox and return all its events."""
    run = SandboxedRun(spec, **kwargs).start()
    return [event for batch in run.batches() for event in batch]
