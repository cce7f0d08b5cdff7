"""What the explorer watches in each of its re-executions, in one object passed to
the runtime. A plain run has the defaults: nothing watched, every event shown."""

from __future__ import annotations

from typing import Any


class Probes:
    __slots__ = ("quiet", "footprint", "fingerprints", "pool")

    def __init__(self, *, quiet: bool = False, footprint: set | None = None, fingerprints: bool = False,
                 pool: Any = None):
        self.quiet = quiet  # no events, just the outcome (messages still carry clocks)
        # What the current step touched (`footprint.touches`); emptied at each step, never replaced.
        self.footprint = footprint
        self.fingerprints = fingerprints  # record each thread's local state at its scheduling points
        self.pool = pool  # a threads.WorkerPool: OS threads reused across executions
