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
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .contract import PRUNED, run_finished
from .events import EventLog, snapshot
from .footprint import conflict
from .probes import Probes
from .runtime import Runtime
from .scheduler import ReplayChooser
from .threads import WorkerPool
from .verdicts import SERIAL_STATUSES, Judge, is_serial, outcome_key, serial_outcomes

PROGRESS_EVERY_S = 0.25
DEFAULT_MAX_SCHEDULES = 20_000
MAX_JUDGED_OUTCOMES = 200  # beyond this many distinct outcomes, none gets a witness verdict


class Frame:
    """One choice point on the current path."""

    __slots__ = ("key", "todo", "sleep", "done", "chosen")

    def __init__(self, key: int, todo: list[str], sleep: dict[str, frozenset]):
        self.key = key
        self.todo = todo
        self.sleep = sleep  # thread -> footprint of its pending step
        self.done: dict[str, frozenset] = {}  # explored here -> footprint of that step
        self.chosen: str | None = None


class Pruned(Exception):
    pass


def state_key(rt: Runtime) -> int:
    parts: list[Any] = []
    for node in rt.nodes.values():
        parts.append(sorted((k, repr(snapshot(v))) for k, v in node.store.items()))
        for res in node.resources.values():
            parts.append((res.gid, repr(res.state()), getattr(res, "count", None)))
    for t in rt.threads:
        parts.append((t.name, t.state, t.forever, t.granted is not None, t.fingerprint, tuple(t.outputs)))
    parts.append(sorted(rt.inside.items()))
    return hash(repr(parts))


class ExploreChooser:
    """Drives one execution along the explorer's stack, extending it at the end."""

    def __init__(self, explorer: Explorer):
        self.x = explorer
        self.depth = 0

    def choose(self, rt: Runtime, enabled: list) -> Any:
        x, d = self.x, self.depth
        by_name = {t.name: t for t in enabled}
        if d > 0:
            parent = x.stack[d - 1]
            parent.done[parent.chosen] = frozenset(rt.footprint or ())
        if d < len(x.stack):  # still on the prefix this execution replays
            frame = x.stack[d]
        else:
            frame = x.new_frame(rt, [t.name for t in enabled], d)
            if frame is None:
                rt.stop(PRUNED)
                return None
        self.depth += 1
        return by_name[frame.chosen]

    def finish(self, rt: Runtime) -> None:
        if self.depth:
            frame = self.x.stack[self.depth - 1]
            frame.done[frame.chosen] = frozenset(rt.footprint or ())


class Explorer:
    def __init__(self, spec: dict, sink: Callable[[dict], Any], *, reduction: bool = True,
                 python_wall: bool = True):
        self.spec = spec
        self.python_wall = python_wall  # False: tests of the operating-system wall only
        self.settings = spec["run"]
        self.log = EventLog(sink)
        self.reduction = reduction
        self.max_schedules = self.settings.get("max_schedules") or DEFAULT_MAX_SCHEDULES
        self.deadline = time.monotonic() + self.settings.get("timeout_ms", 10_000) / 1000 * 0.9
        # Compile once (and before a sandbox forbids compiling); every execution reuses it.
        self.compiled = Runtime(spec, lambda e: None, python_wall=python_wall).compiled
        self.stack: list[Frame] = []
        self.visited: dict[int, frozenset] = {}
        self.outcomes: dict[str, dict] = {}
        self.explored = 0
        self.cancelled = False
        self.pool = WorkerPool()

    def control(self, message: dict) -> None:
        if message.get("type") == "cancel":
            self.cancelled = True

    # -- the search --------------------------------------------------------
    def new_frame(self, rt: Runtime, names: list[str], depth: int) -> Frame | None:
        sleep: dict[str, frozenset] = {}
        if depth > 0 and self.reduction:
            parent = self.stack[depth - 1]
            step = parent.done[parent.chosen]
            for name, fp in list(parent.sleep.items()) + list(parent.done.items()):
                if name != parent.chosen and not conflict(fp, step):
                    sleep[name] = fp
        todo = [n for n in names if n not in sleep]
        if self.reduction:
            key = state_key(rt)
            asleep = frozenset(sleep)
            before = self.visited.get(key)
            if before is not None:
                if before <= asleep:
                    return None  # everything from here was explored already
                todo = [n for n in names if n in before and n not in asleep]
                self.visited[key] = before & asleep
            else:
                self.visited[key] = asleep
        else:
            key = 0
        if not todo:
            return None
        frame = Frame(key, todo, sleep)
        frame.chosen = frame.todo.pop(0)
        self.stack.append(frame)
        return frame

    def backtrack(self) -> bool:
        while self.stack:
            frame = self.stack[-1]
            if frame.todo:
                frame.chosen = frame.todo.pop(0)
                return True
            self.stack.pop()
        return False

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
        if result["deadlock"]:
            outcome["deadlock"] = result["deadlock"]["cycle"]
        if result["violation"]:
            outcome["violation"] = {k: result["violation"][k] for k in ("invariant", "node", "values")}
        if end["status"] == "failed":
            outcome["error"] = end.get("error")
        key = outcome_key(outcome)  # numbers by value: x = 1.0 and x = 1 are one outcome
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
            self.record(self.execute())
            self.explored += 1
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

    def report(self, exhaustive: bool, stopped_by: str | None) -> dict:
        outcomes = sorted(self.outcomes.values(), key=lambda o: -o["count"])
        if stopped_by != "cancelled":
            self.judge(outcomes)
        self.log.emit("explore.progress", explored=self.explored, distinct=len(outcomes))
        result = {"explored": self.explored, "exhaustive": exhaustive, "outcomes": outcomes,
                  "states": len(self.visited)}
        if stopped_by:
            result["stopped_by"] = stopped_by
        self.log.emit("explore.result", **result)
        status = "cancelled" if stopped_by == "cancelled" else "completed"
        return self.log.emit("run.finished", **run_finished(status, shared={}, outputs={}, schedule=[],
                                                            explored=self.explored, exhaustive=exhaustive,
                                                            distinct=len(outcomes)))
