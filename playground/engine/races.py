"""Dynamic partial-order reduction for the explorer (its `dpor` part).

After each execution the explorer hands its trace here: the steps taken, what
each touched (`footprint.py`), and what was enabled before each. Two steps are
*dependent* when they touch the same thing and one changes it: variables,
resources and sections of a node, a node's inbox (a message's arrival, a
`recv()`, a thread starting to wait in one), a thread (start, end, join).
Anything else commutes — in particular the steps of different nodes, and the
arrivals of messages at different nodes — so the explorer need not try both
orders of it.

The trace's *happens-before* is built from dependence, program order, and
enabling (the step that sent a message enabled its delivery; a step that woke
a thread enabled that thread's next step). Two dependent steps of different
processes with nothing in between in happens-before are a *race*: reversing it
may end differently. For each race the explorer must also try, at the state
before the first step, one of the steps that can start the reversed order (the
race's *initials*) — a source set (Abdulla, Aronis, Jonsson, Sagonas, "Optimal
dynamic partial order reduction", POPL 2014, its Algorithm 1), combined with the
sleep sets of explore.py. A delivery is a process with one step.

Timeouts are special: one fires only when nothing else can happen (a quiet
state), so it never races with anything; every step after it happens after it;
at a quiet state every timeout is tried.

The visited set cuts an execution short at a state seen before. What can
follow that state is then not in the trace, so each state keeps a *summary*
(the steps explored below it, up to a timeout) and the races between the cut
trace and that summary are handled conservatively (after Yang, Chen,
Gopalakrishnan, Kirby, "Efficient stateful dynamic partial order reduction",
SPIN 2008): when the racing step cannot start at the earlier state, every step
there that could start the reversed order is tried.
"""

from __future__ import annotations

from typing import Any

from .footprint import conflict


class Visit:
    """What the search knows of one state: the sleep set it was (last) entered with —
    the intersection of all of them —, the steps explored from it, and the summary
    of the steps taken below it (process, footprint, what enabled the process)."""

    __slots__ = ("asleep", "explored", "summary")

    def __init__(self, asleep: frozenset):
        self.asleep = asleep
        self.explored: set[str] = set()
        self.summary: set[tuple] = set()


class Trace:
    """One execution's steps, read off the explorer's stack of frames."""

    def __init__(self, frames: list, start: int):
        self.frames = frames
        self.start = start  # steps before it were analysed by an earlier execution
        n = len(frames)
        self.procs = [f.chosen for f in frames]
        self.fps = [f.done.get(f.chosen, frozenset()) for f in frames]
        self.pred = [0] * n  # bit i of pred[j]: step i happens before step j
        self.enabler: list[str | None] = [None] * n  # the process whose step enabled step j's process
        self.fallbacks = 0

    # -- happens-before and races ------------------------------------------------
    def analyse(self) -> None:
        frames, procs, fps, pred = self.frames, self.procs, self.fps, self.pred
        last_of: dict[str, int] = {}
        last_write: dict[tuple, int] = {}
        reads: dict[tuple, list[int]] = {}
        enablers: dict[str, list[int]] = {}
        barrier = -1  # the last timeout: every later step happens after it
        for j, f in enumerate(frames):
            p = procs[j]
            if j:
                before = frozenset() if frames[j - 1].quiet else frames[j - 1].enabled_set
                for q in (frozenset() if f.quiet else f.enabled_set) - before:
                    enablers.setdefault(q, []).append(j - 1)
            mine = enablers.pop(p, [])
            if mine:
                self.enabler[j] = procs[mine[-1]]
            direct = set(mine)
            if p in last_of:
                direct.add(last_of[p])
            if barrier >= 0:
                direct.add(barrier)
            deps: set[int] = set()
            if f.quiet:
                pred[j] = (1 << j) - 1
                barrier = j
            else:
                for x in fps[j]:
                    key = x[:3]
                    w = last_write.get(key)
                    if w is not None:
                        deps.add(w)
                    if x[3] == "w":
                        deps.update(reads.get(key, ()))
                        last_write[key] = j
                        reads[key] = []
                    else:
                        reads.setdefault(key, []).append(j)
                deps.discard(j)  # a step that reads and changes one thing (`flag[0] = True`) is not its own cause
                bits = 0
                for d in direct | deps:
                    bits |= pred[d] | (1 << d)
                pred[j] = bits
            last_of[p] = j
            if j < self.start or f.quiet:
                continue
            for i in sorted(deps, reverse=True):
                if procs[i] == p or frames[i].quiet or i in mine:
                    continue
                if any(d != i and (pred[d] >> i) & 1 for d in direct | deps):
                    continue  # not a race: something in between orders them anyway
                self.reverse(i, j)

    def reverse(self, i: int, j: int) -> None:
        """The race of steps i and j: make sure the state before i tries a step that
        can start an order where j's step comes first."""
        pred, procs = self.pred, self.procs
        vmask, initials = 0, []
        for m in range(i + 1, j + 1):
            if m < j and (pred[m] >> i) & 1:
                continue  # happens after i: not part of the reversed order's start
            if not pred[m] & vmask and procs[m] not in initials:
                initials.append(procs[m])
            vmask |= 1 << m
        self.cover(self.frames[i], [q for q in initials if q in self.frames[i].enabled_set])

    def cover(self, frame: Any, candidates: list[str]) -> None:
        """One of `candidates` is tried at `frame` (or was, or sleeps there: covered elsewhere);
        with no candidate, conservatively, everything enabled there."""
        covered = frame.covered()
        if any(q in covered for q in candidates):
            return
        if candidates:
            frame.todo.append(candidates[0])
            return
        self.fallbacks += 1
        frame.todo.extend(q for q in frame.enabled if q not in covered)

    def stopped(self) -> None:
        """The run stopped after the last step (a broken invariant) while others could still
        go on: each of them, taken before that step, may end differently."""
        last = self.frames[-1]
        if last.quiet:
            return
        covered = last.covered()
        last.todo.extend(q for q in last.enabled if q != last.chosen and q not in covered)

    # -- a trace cut short at a state seen before ---------------------------------
    def summarised(self, summary: set[tuple], n: int) -> None:
        """The trace met a visited state after `n` steps: what was explored below it may race
        with the steps before. Races with steps after the trace's last timeout only."""
        frames, procs, fps, pred = self.frames, self.procs, self.fps, self.pred
        first = max((k for k in range(n) if frames[k].quiet), default=-1) + 1
        for i in range(first, n):
            fi = frames[i]
            after: dict[str, int] = {}  # each process's first step after i
            for m in range(n - 1, i, -1):
                after[procs[m]] = m
            follows = {q for q, m in after.items() if (pred[m] >> i) & 1}  # happen after step i
            for q, fp, enabler in summary:
                if q == procs[i] or q in follows or enabler in follows or not conflict(fps[i], fp):
                    continue
                if q in fi.enabled_set:
                    self.cover(fi, [q])
                    continue
                candidates = [r for r in fi.enabled if r != procs[i] and r not in follows]
                covered = fi.covered()
                fi.todo.extend(r for r in candidates if r not in covered)

    def items(self, k: int) -> tuple:
        return (self.procs[k], self.fps[k], self.enabler[k])


def cycle(stack: list, visit: Visit) -> None:
    """The execution came back to a state it is still exploring (a thread spinning in a
    busy-wait loop): that state's summary is not complete yet, so the races with what is
    still to come below it cannot be known. Every state on the cycle tries every step
    (as without DPOR), those asleep there too — a step that commutes with the others still
    matters to a run that never ends (livelock.py); what follows each is explored as usual."""
    start = next((k for k, f in enumerate(stack) if f.visit is visit), None)
    if start is None:
        return
    for frame in stack[start:]:
        if not frame.quiet:
            if frame.sleep:
                if frame.visit is not None:
                    frame.visit.asleep -= frozenset(frame.sleep)
                frame.sleep = {}
            covered = frame.covered()
            frame.todo.extend(q for q in frame.enabled if q not in covered)
