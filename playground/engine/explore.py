"""Explore: every way a scenario can turn out.

The scenario is re-executed under the controlled scheduler again and again,
each time following a different schedule, depth-first over the choice points.
Two reductions keep this small without missing an outcome:

- **sleep sets** (partial-order reduction): once the step of thread A has been
  tried from a state, it need not be tried again after a step of B that
  touches different variables and resources — the two orders end alike;
- **a visited set**: a state already explored (the same shared memory,
  resources, and every thread's own position and locals) is not explored
  again. Combined with sleep sets as in Godefroid's thesis (1996, ch. 6): a
  state revisited with a smaller sleep set explores only what it missed.

Each distinct outcome (final shared variables and outputs, or a deadlock, or
a broken invariant) is reported with a count and a witness schedule that the
replay mode re-runs step by step.

On top of both, **dynamic partial-order reduction** (races.py): a new state
tries one step first, and another only when a race in an execution says that
its order matters (steps of different nodes and messages to different nodes
commute). `reduction=False` turns every reduction off (tests compare), and
`dpor=False` keeps sleep sets and the visited set with every step tried at every
state (the explorer before it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .contract import PRUNED, run_finished
from .events import EventLog, snapshot
from .footprint import EVERYTHING, conflict, waits
from .livelock import StateGraph, into_livelock
from .probes import Probes
from .races import Trace, Visit, cycle
from .runtime import Runtime
from .scheduler import ReplayChooser
from .threads import WorkerPool
from .verdicts import SERIAL_STATUSES, Judge, is_serial, outcome_key, serial_outcomes

PROGRESS_EVERY_S = 0.25
DEFAULT_MAX_SCHEDULES = 20_000
STOPPED = ("violated", "failed", "timeout")  # statuses that may end a run while steps are still possible
MAX_JUDGED_OUTCOMES = 200  # beyond this many distinct outcomes, none gets a witness verdict


class Frame:
    """One choice point on the current path."""

    __slots__ = ("key", "todo", "sleep", "done", "chosen", "enabled", "enabled_set", "quiet", "visit")

    def __init__(self, key: int, todo: list[str], sleep: dict[str, frozenset], enabled: list[str], quiet: bool,
                 visit: Visit | None):
        self.key = key
        self.todo = todo
        self.sleep = sleep  # thread -> footprint of its pending step
        self.done: dict[str, frozenset] = {}  # explored here -> footprint of that step
        self.chosen: str | None = None
        self.enabled = enabled  # every step possible here
        self.enabled_set = frozenset(enabled)
        self.quiet = quiet  # nothing but timeouts can happen here
        self.visit = visit  # this state's record in the visited set

    def covered(self) -> set[str]:
        """The steps tried here, to be tried, asleep here, or tried on an earlier visit."""
        seen = set(self.done) | set(self.todo) | set(self.sleep)
        seen.add(self.chosen)
        if self.visit is not None:
            seen |= self.visit.explored
        return seen


class Pruned(Exception):
    pass


def state_key(rt: Runtime) -> int:
    """The whole state a run's future depends on: each node's memory, resources, clocks
    and inbox, each thread's position, locals, what it read, printed and was handed, and
    the messages on their way."""
    parts: list[Any] = []
    for node in rt.nodes.values():
        parts.append(sorted((k, repr(snapshot(v))) for k, v in node.store.items()))
        for res in node.resources.values():
            parts.append((res.gid, repr(res.state()), getattr(res, "count", None)))
        if rt.network.relays:  # clocks travel with messages (`m.lamport`, `m.vc`); otherwise unseen
            parts.append((node.clock.lamport, sorted(node.clock.vc.items())))
    for t in rt.threads:
        parts.append((t.name, t.state, t.forever, t.granted is not None, t.fingerprint, tuple(t.outputs),
                      getattr(t, "vtime", 0.0), message_key(t.mail)))
    parts.append(sorted(rt.inside.items()))
    network = rt.network
    for node_id, inbox in network.inboxes.items():
        # and who waits in recv(), in order: the first waiter is handed the next arrival
        parts.append((node_id, [message_key(m) for m in inbox.messages], [t.name for t in inbox.waiters]))
    parts.append(sorted((d.name, message_key(d.message)) for d in network.held))
    parts.append(sorted(network.crashed))
    return hash(repr(parts))


def message_key(m: Any) -> Any:
    if m is None:
        return None
    return (m.id, m.sender, m.recipient, repr(snapshot(m.content)), m.lamport, sorted(m.vc.items()),
            getattr(m, "vtime", 0.0))


class ExploreChooser:
    """Drives one execution along the explorer's stack, extending it at the end."""

    def __init__(self, explorer: Explorer):
        self.x = explorer
        self.depth = 0

    def step_done(self, rt: Runtime, quiet: bool = False) -> None:
        """What the step just taken touched: its events and the wait it began. A timeout
        that made something possible again (`quiet` False after it) disabled every other
        timeout: it touched everything. One after which only timeouts remain commutes with
        the other timeouts it does not touch."""
        frame = self.x.stack[self.depth - 1]
        fp = set(rt.footprint or ())
        fp.update(waits(rt.threads, frame.chosen))
        if frame.quiet and not quiet:
            fp.add(EVERYTHING)
        frame.done[frame.chosen] = frozenset(fp)

    def choose(self, rt: Runtime, enabled: list) -> Any:
        x, d = self.x, self.depth
        by_name = {t.name: t for t in enabled}
        quiet = not any(getattr(t, "enabled", True) for t in enabled)
        if d > 0:
            self.step_done(rt, quiet)
        if d < len(x.stack):  # still on the prefix this execution replays
            frame = x.stack[d]
        else:
            frame = x.new_frame(rt, [t.name for t in enabled], d, quiet)
            if frame is None:
                rt.stop(PRUNED)
                return None
        if frame.chosen not in by_name:  # the replay went another way: the snippets read the wall clock?
            x.diverged += 1
            rt.stop(PRUNED)
            return None
        if frame.visit is not None:
            frame.visit.explored.add(frame.chosen)
        self.depth += 1
        return by_name[frame.chosen]

    def finish(self, rt: Runtime) -> None:
        if self.depth:
            self.step_done(rt)


class Explorer:
    def __init__(self, spec: dict, sink: Callable[[dict], Any], *, reduction: bool = True, dpor: bool = True,
                 python_wall: bool = True):
        self.spec = spec
        self.python_wall = python_wall  # False: tests of the operating-system wall only
        self.settings = spec["run"]
        self.log = EventLog(sink)
        self.reduction = reduction
        self.dpor = reduction and dpor
        self.max_schedules = self.settings.get("max_schedules") or DEFAULT_MAX_SCHEDULES
        self.deadline = time.monotonic() + self.settings.get("timeout_ms", 10_000) / 1000 * 0.9
        # Compile once (and before a sandbox forbids compiling); every execution reuses it.
        self.compiled = Runtime(spec, lambda e: None, python_wall=python_wall).compiled
        self.stack: list[Frame] = []
        self.visited: dict[int, Visit] = {}
        self.start = 0  # the first step of the current execution that no earlier one took
        self.cuts: list[tuple[int, Visit]] = []  # where the current execution met a visited state
        self.revisits = 0
        self.diverged = 0  # replays that did not follow their prefix (a snippet reading the wall clock)
        self.stopped = False  # the current execution's run was stopped (not ended by itself)
        self.fallbacks = 0
        self.outcomes: dict[str, dict] = {}
        self.explored = 0
        self.cancelled = False
        self.pool = WorkerPool()
        self.graph = StateGraph()  # the states and steps explored: its fair cycles are livelocks

    def control(self, message: dict) -> None:
        if message.get("type") == "cancel":
            self.cancelled = True

    # -- the search --------------------------------------------------------
    def new_frame(self, rt: Runtime, names: list[str], depth: int, quiet: bool) -> Frame | None:
        sleep: dict[str, frozenset] = {}
        if depth > 0 and self.reduction:
            parent = self.stack[depth - 1]
            step = parent.done[parent.chosen]
            for name, fp in list(parent.sleep.items()) + list(parent.done.items()):
                if name != parent.chosen and not conflict(fp, step):
                    sleep[name] = fp
        todo = [n for n in names if n not in sleep]
        visit = None
        if self.reduction:
            key = state_key(rt)
            self.graph.reached(self.stack, depth, key, names)
            asleep = frozenset(sleep)
            visit = self.visited.get(key)
            if visit is not None:
                self.revisits += 1
                self.cuts.append((depth, visit))
                if self.dpor:
                    cycle(self.stack, visit)  # a state still being explored: its summary is partial
                if visit.asleep <= asleep:
                    return None  # everything from here was explored already
                todo = [n for n in names if n in visit.asleep and n not in asleep]
                visit.asleep = visit.asleep & asleep
            else:
                visit = self.visited[key] = Visit(asleep)
                if self.dpor and not quiet:
                    todo = todo[:1]  # the others only when a race asks for them (races.py)
        else:
            key = 0
        if not todo:
            return None
        frame = Frame(key, todo, sleep, names, quiet, visit)
        frame.chosen = frame.todo.pop(0)
        self.stack.append(frame)
        return frame

    def backtrack(self) -> bool:
        while self.stack:
            frame = self.stack[-1]
            while frame.todo:
                frame.chosen = frame.todo.pop(0)
                if frame.chosen not in frame.done and frame.chosen not in frame.sleep:
                    self.start = len(self.stack) - 1
                    return True
            self.stack.pop()
        return False

    def analyse(self) -> None:
        """DPOR: the races of the execution just run add steps to try (races.py); each
        state on its path learns what was explored below it."""
        trace = Trace(self.stack, self.start)
        cuts = dict(self.cuts)
        if self.dpor:
            trace.analyse()
            if self.stopped and self.stack:
                trace.stopped()
            for depth, visit in self.cuts:
                trace.summarised(visit.summary, depth)
            self.fallbacks += trace.fallbacks
        # Each state on the path gains what was taken below it; an ancestor holds all its
        # descendants hold, so only what is new to a state goes further up.
        delta: set[tuple] = set(cuts[len(self.stack)].summary) if len(self.stack) in cuts else set()
        for k in range(len(self.stack) - 1, -1, -1):
            frame = self.stack[k]
            if k in cuts:
                delta |= cuts[k].summary
            if frame.quiet:
                delta = set()  # nothing after a timeout races with anything before it
            else:
                delta.add(trace.items(k))
                delta -= frame.visit.summary
                frame.visit.summary |= delta
            if not delta and k <= self.start and not any(d < k for d in cuts):
                break

    def execute(self) -> dict:
        chooser = ExploreChooser(self)
        probes = Probes(quiet=True, footprint=set(), fingerprints=self.reduction, pool=self.pool)
        rt = Runtime(self.spec, lambda e: None, chooser=chooser, compiled=self.compiled, probes=probes,
                     python_wall=self.python_wall)
        end = rt.run()
        chooser.finish(rt)
        return {"end": end, "deadlock": rt.deadlock, "violation": rt.violation}

    def record(self, result: dict) -> None:
        end = result["end"]
        if end["status"] == PRUNED:
            return
        outcome = {"status": end["status"], "shared": end["shared"], "outputs": end["outputs"]}
        rotated = None
        if result["deadlock"]:
            outcome["deadlock"] = cycle = result["deadlock"]["cycle"]
            # One cycle whoever waited last: compared from its first thread by name.
            first = min(range(len(cycle)), key=lambda k: str(cycle[k].get("thread"))) if cycle else 0
            rotated = cycle[first:] + cycle[:first]
        if result["violation"]:
            outcome["violation"] = {k: result["violation"][k] for k in ("invariant", "node", "values")}
        if end["status"] in ("failed", "timeout"):  # what failed; a livelock (livelock.py)
            outcome["error"] = end.get("error")
        key = outcome_key(dict(outcome, deadlock=rotated) if rotated else outcome)  # numbers by value: x = 1.0 and x = 1 are one outcome
        known = self.outcomes.get(key)
        if known:
            known["count"] += 1
        else:
            self.outcomes[key] = {"key": key, "count": 1, **outcome, "schedule": end["schedule"]}

    def run(self) -> dict:
        self.log.emit("run.started", mode="explore", seed=self.settings.get("seed", 1),
                      scenario=self.spec.get("slug"),
                      nodes=[{"id": n["id"], "role": n.get("role", "process")} for n in self.spec["nodes"]],
                      threads=[f"{n['id']}/{t['name']}" for n in self.spec["nodes"] for t in n.get("threads", [])])
        exhaustive, stopped_by = False, None
        last_progress = time.monotonic()
        while True:
            self.cuts = []
            result = self.execute()
            # A broken invariant stops a run while other steps could still go on: the last
            # step raced with each of them.
            self.stopped = result["end"]["status"] in STOPPED
            self.record(result)
            self.explored += 1
            if self.reduction:
                self.analyse()
            if not self.backtrack():
                exhaustive = True
                break
            if self.cancelled:
                stopped_by = "cancelled"
            elif self.explored >= self.max_schedules:
                stopped_by = "max_schedules"
            elif time.monotonic() > self.deadline:
                stopped_by = "timeout"
            if stopped_by:
                break
            if time.monotonic() - last_progress > PROGRESS_EVERY_S:
                last_progress = time.monotonic()
                self.log.emit("explore.progress", explored=self.explored, distinct=len(self.outcomes))
        for schedule in self.graph.livelocks():
            self.record(into_livelock(self, schedule))
        return self.report(exhaustive, stopped_by)

    # -- judging the outcomes ------------------------------------------------
    def judge(self, outcomes: list[dict]) -> None:
        """Mark each outcome `serial` (shared-memory scenarios with serial runs) and give
        it the verdict of its witness run, replayed once with its events watched. A
        non-serial outcome counts as a violation: its verdict says so (unless it says
        something sharper already: a lost update, a deadlock, a broken invariant)."""
        serial = serial_outcomes(self.spec, compiled=self.compiled, python_wall=self.python_wall, pool=self.pool)
        for o in outcomes:
            if serial:
                o["serial"] = o["status"] in SERIAL_STATUSES and is_serial(o["shared"], o["outputs"], serial,
                                                                          o["status"])
            if len(outcomes) <= MAX_JUDGED_OUTCOMES and time.monotonic() < self.deadline:
                o["verdict"] = self.witness_verdict(o, serial)

    def witness_verdict(self, outcome: dict, serial: list[dict]) -> dict:
        judge = Judge(self.spec, serial)
        settings = dict(self.settings, mode="replay", schedule=outcome["schedule"])
        rt = Runtime(dict(self.spec, run=settings), judge.feed, chooser=ReplayChooser(outcome["schedule"]),
                     compiled=self.compiled, probes=Probes(pool=self.pool), python_wall=self.python_wall,
                     judge=judge)
        verdict = rt.run()["verdict"]
        if outcome.get("serial") is False and verdict["kind"] == "completed":
            verdict = judge.non_serial(outcome, serial)
        if outcome.get("serial") is False:
            verdict["details"]["serial"] = False
        return verdict

    def covered(self, exhaustive: bool, stopped_by: str | None) -> dict:
        """What the search covered, exactly: `reduction`; when it stopped early, `pending`
        (the branches left untried, all within the first `depth` steps); `covered` in words."""
        reduction = "dpor" if self.dpor else "sleep-sets" if self.reduction else "none"
        how = {"dpor": "orders of independent steps merged (steps of different nodes and messages to "
                       "different nodes commute)",
               "sleep-sets": "orders of independent steps merged", "none": "every interleaving"}[reduction]
        tail = ("; a timeout fires only when nothing else can happen; faults only as the scenario's clicks "
                "(its fault timeline is not applied)")
        out: dict[str, Any] = {"reduction": reduction}
        if self.diverged:
            out["diverged"] = self.diverged
            tail += f"; {self.diverged} replays went another way (a snippet reads the wall clock?)"
        if exhaustive:
            out["covered"] = f"every outcome: {self.explored} schedules, {how}{tail}"
            return out
        # Stopped: the last frame holds its next choice, not run yet; below it, each frame's
        # chosen branch is under way and its todo untried. Everything else was covered.
        pending = sum(len(f.todo) + (k == len(self.stack) - 1) for k, f in enumerate(self.stack))
        out.update(pending=pending, depth=len(self.stack))
        out["covered"] = (f"not exhaustive: {self.explored} schedules, depth-first, stopped by {stopped_by}; "
                          f"{pending} branches left untried in the first {len(self.stack)} steps, "
                          f"every other branch covered; {how}{tail}")
        return out

    def report(self, exhaustive: bool, stopped_by: str | None) -> dict:
        outcomes = sorted(self.outcomes.values(), key=lambda o: -o["count"])
        if stopped_by != "cancelled":
            self.judge(outcomes)
        self.log.emit("explore.progress", explored=self.explored, distinct=len(outcomes))
        result = {"explored": self.explored, "exhaustive": exhaustive, "outcomes": outcomes,
                  "states": len(self.visited), **self.covered(exhaustive, stopped_by)}
        if stopped_by:
            result["stopped_by"] = stopped_by
        self.log.emit("explore.result", **result)
        status = "cancelled" if stopped_by == "cancelled" else "completed"
        return self.log.emit("run.finished", **run_finished(status, shared={}, outputs={}, schedule=[],
                                                            explored=self.explored, exhaustive=exhaustive,
                                                            distinct=len(outcomes)))
