"""One sandbox child started ahead, its imports done, waiting for the next run's spec:
starting Python and importing the engine is most of the time before a run's first
event. Off with PLAYGROUND_SPARE_CHILD=0.

The spare is started by a thread of its own that lives as long as the process. A
child behind the wall dies with its parent (bubblewrap's `--die-with-parent`), and
Linux means the parent *thread*: a spare started by the request thread of a check,
which ends with the request, would be killed under the next run that takes it."""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import threading
from collections.abc import Callable

from . import boundary


class Spares:
    def __init__(self, spawn: Callable[[str], subprocess.Popen]):
        self.spawn = spawn
        self.lock = threading.Lock()
        self.wanted = threading.Condition(self.lock)
        self.spare: tuple[tuple[str, str], subprocess.Popen] | None = None
        self.asked: str | None = None  # the interpreter a spare is wanted for
        self.enabled = os.environ.get("PLAYGROUND_SPARE_CHILD", "1") != "0"
        self.closed = False
        self.starter: threading.Thread | None = None
        atexit.register(self.close)

    def take(self, python: str) -> subprocess.Popen | None:
        with self.lock:
            spare, self.spare = self.spare, None
        if spare is not None and spare[0] == (python, boundary.mode()) and spare[1].poll() is None:
            return spare[1]
        if spare is not None:
            stop(spare[1])
        return None

    def refill(self, python: str) -> None:
        """Ask for a spare; the starter thread starts it (this call does not wait)."""
        if not self.enabled:
            return
        with self.lock:
            if self.closed or self.spare is not None:
                return
            self.asked = python
            if self.starter is None:
                self.starter = threading.Thread(target=self._start_spares, name="sandbox-spares", daemon=True)
                self.starter.start()
            self.wanted.notify()

    def wait_ready(self, timeout: float) -> bool:
        """For tests: a spare is waiting (or none will come)."""
        with self.lock:
            return self.wanted.wait_for(lambda: self.spare is not None or self.closed, timeout)

    def _start_spares(self) -> None:
        while True:
            with self.lock:
                self.wanted.wait_for(lambda: self.asked is not None or self.closed)
                if self.closed:
                    return
                python, self.asked = self.asked, None
            try:
                child = self.spawn(python)
            except boundary.BoundaryUnavailable:
                continue  # the run that asks for a child gets the reason
            with self.lock:
                if self.closed or self.spare is not None:
                    extra = child
                else:
                    self.spare, extra = ((python, boundary.mode()), child), None
                self.wanted.notify_all()
            if extra is not None:
                stop(extra)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            spare, self.spare = self.spare, None
            self.wanted.notify_all()
        if spare is not None:
            stop(spare[1])


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
    except (ProcessLookupError, subprocess.TimeoutExpired, OSError):
        pass
