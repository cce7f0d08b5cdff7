"""Verdicts: what a run showed, in the learner's words — and serial equivalence.

`verdict(events, spec)` reads a finished run's events and says what happened:

    {"kind": "lost-update", "ok": False, "title": "Lost update",
     "text": "lost update: P2's write of 3 overwrote P1's write of 2 (P2 had read balance = 10 before P1 wrote)",
     "details": {...}}

Kinds (contract.VERDICT_KINDS), the first that applies: `cancelled`, `timeout`,
`deadlock-cycle` (threads wait for each other in a circle), `stuck` (a thread waits
for something no live thread will release or signal, e.g. a lock its holder kept
when it finished), `violated` (an invariant, with its values), `failed` (the threads
whose snippet raised), `lost-update` (a thread wrote a shared variable from a value
it had read before another thread wrote it), `non-serial` (the outcome is none of
the serial ones), `completed` (ok; says which threads a crash stopped).

Serial equivalence, the textbook's criterion: a shared-memory scenario (one node)
is correct when its outcome is always one it would have if the threads ran one
after another. `serial_outcomes(spec)` runs every order of the threads, each alone
to its end under the controlled scheduler; `is_serial` compares an outcome with
them, numbers by value (1 == 1.0).

`serial_outcomes` runs the scenario's snippets: call it where runs are allowed (the
sandbox child, the explorer, tests), never in a web process. `verdict` and
`is_serial` only read what they are given.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Callable, Iterable
from typing import Any

from . import waitfor
from .contract import plain_verdict
from .events import dumps
from .probes import Probes
from .runtime import Runtime

# Orders of at most this many threads are tried (5! = 120 short runs); beyond, no serial check.
MAX_SERIAL_THREADS = 5
# A thread run alone that takes more steps than this (a spin loop waiting for another) has no serial run.
MAX_SERIAL_STEPS = 20_000
SERIAL_BUDGET_S = 3.0  # all the orders together
# Serial outcomes end as a run can end on its own: every thread through, or one raising.
SERIAL_STATUSES = ("completed", "failed")


# -- comparing outcomes ------------------------------------------------------------
def canonical(value: Any) -> Any:
    """A JSON value with numbers compared by value: 1.0 becomes 1 (booleans stay booleans)."""
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else value
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    return value


def outcome_key(outcome: dict) -> str:
    """The identity of an outcome: its fields as JSON, numbers by value."""
    return dumps(canonical(outcome)).decode()


def is_serial(shared: dict, outputs: dict, serial_outcomes: Iterable[dict], status: str | None = None) -> bool:
    """Whether (shared, outputs) — and `status`, when given — is one of the serial outcomes."""
    mine = canonical({"shared": shared, "outputs": outputs})
    for s in serial_outcomes:
        if status is not None and s.get("status", "completed") != status:
            continue
        if canonical({"shared": s["shared"], "outputs": s["outputs"]}) == mine:
            return True
    return False


# -- serial outcomes ---------------------------------------------------------------
def shared_memory(spec: dict) -> bool:
    """A scenario the serial criterion applies to: one node, its threads, no network."""
    nodes = spec.get("nodes") or []
    return (len(nodes) == 1 and not spec.get("links") and 2 <= len(nodes[0].get("threads") or [])
            <= MAX_SERIAL_THREADS)


class SerialChooser:
    """Runs the threads in `order`, each alone to its end. A thread that cannot go on
    alone (it waits for another, or spins past MAX_SERIAL_STEPS) makes the order
    infeasible: no serial run has it. Threads it spawns run while it waits for them."""

    def __init__(self, order: list[str]):
        self.order = order
        self.steps = 0
        self.infeasible: str | None = None

    def choose(self, rt: Any, enabled: list) -> Any:
        self.steps += 1
        if self.steps > MAX_SERIAL_STEPS:
            return self.give_up(rt, f"more than {MAX_SERIAL_STEPS} steps alone")
        by_name = {t.name: t for t in enabled}
        states = {t.name: t.state for t in rt.threads}
        for name in self.order:
            if states.get(name) in ("finished", "failed"):
                continue
            if name in by_name:
                return by_name[name]
            spawned = [t for t in enabled if getattr(t, "name", None) not in self.order]
            if spawned:
                return spawned[0]
            return self.give_up(rt, f"{name} cannot go on alone")
        return enabled[0]

    def give_up(self, rt: Any, why: str) -> None:
        self.infeasible = why
        rt.stop("cancelled", f"no serial run: {why}")
        return None


def serial_outcomes(spec: dict, *, compiled: dict | None = None, python_wall: bool = True,
                    pool: Any = None, budget_s: float = SERIAL_BUDGET_S) -> list[dict]:
    """The outcomes of running the threads one after another, in every order:
    `[{"order": ["P1", "P2"], "status", "shared", "outputs"}]`, one per order that can
    run that way (a thread that waits for a later one cannot). Empty when the scenario
    is not a shared-memory one (see `shared_memory`) or no order can run serially."""
    if not shared_memory(spec):
        return []
    node = spec["nodes"][0]
    names = [f"{node['id']}/{t['name']}" for t in node["threads"]]
    settings = dict(spec["run"], mode="replay", schedule=[], seed=spec["run"].get("seed") or 1)
    settings.pop("pace", None)
    serial_spec = dict(spec, run=settings)
    if compiled is None:
        compiled = Runtime(serial_spec, lambda e: None, python_wall=python_wall).compiled
    deadline = time.monotonic() + budget_s
    found = []
    for order in itertools.permutations(names):
        if time.monotonic() > deadline:
            return []  # an incomplete list would call serial outcomes non-serial
        chooser = SerialChooser(list(order))
        rt = Runtime(serial_spec, lambda e: None, chooser=chooser, compiled=compiled,
                     probes=Probes(quiet=True, pool=pool), python_wall=python_wall)
        end = rt.run()
        if chooser.infeasible or end["status"] not in SERIAL_STATUSES:
            continue
        found.append({"order": [n.split("/", 1)[1] for n in order], "status": end["status"],
                      "shared": end["shared"], "outputs": end["outputs"]})
    return found


# -- the verdict -------------------------------------------------------------------
def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) or len(value) < 60 else \
        json.dumps(value[:57] + "…", ensure_ascii=False)


def _namer(spec: dict) -> Callable[[str], str]:
    """Threads and resources by their short names when the scenario has one node."""
    if len(spec.get("nodes") or []) == 1:
        return lambda name: name.split("/", 1)[1] if name and "/" in name else (name or "")
    return lambda name: name or ""


def _verdict(kind: str, ok: bool, title: str, text: str, **details: Any) -> dict:
    return {"kind": kind, "ok": ok, "title": title, "text": text, "details": details}


class Judge:
    """Follows a run's events as they come (`feed`) and gives its verdict at the end
    (`verdict(finished)`, with the `run.finished` fields). `serial`: the serial outcomes,
    or a function that computes them when needed (only for a completed run with
    nothing else to say), or None for no serial check."""

    def __init__(self, spec: dict, serial: list[dict] | Callable[[], list[dict]] | None = None):
        self.spec = spec
        self.name = _namer(spec)
        self.serial = serial
        self.last_write: dict[tuple[str, str], dict] = {}  # (node, var) -> the latest write
        self.reads: dict[tuple[str, str, str], dict] = {}  # (thread, node, var) -> its read since its last write
        self.lost: dict | None = None
        self.deadlock: dict | None = None
        self.violation: dict | None = None
        self.failed: dict[str, dict] = {}  # thread -> {"error", "line"}
        self.crashed: list[str] = []  # threads stopped by their node's crash
        self.crashes: list[str] = []  # nodes that crashed

    def feed(self, e: dict) -> None:
        kind = e["kind"]
        if kind == "var.read":
            self.reads[e["thread"], e["node"], e["name"]] = e
        elif kind == "var.write":
            self.write(e)
        elif kind == "thread.failed":
            error = e.get("error") or ""
            if error == "stopped: its node crashed":
                self.crashed.append(e["thread"])
            elif not error.startswith("stopped:"):
                self.failed[e["thread"] or e["node"] + "/setup"] = {"error": error, "line": e.get("line"),
                                                                    "snippet": e.get("snippet")}
        elif kind == "deadlock":
            self.deadlock = e
        elif kind == "invariant.violated":
            self.violation = e
        elif kind in ("node.crash", "node.restart"):
            if kind == "node.crash":
                self.crashes.append(e["node"])
            for key in [k for k in self.last_write if k[0] == e["node"]]:
                del self.last_write[key]
            for key in [k for k in self.reads if k[1] == e["node"]]:
                del self.reads[key]

    def write(self, e: dict) -> None:
        """A lost update: this thread read the variable, another wrote it since, and this
        thread now writes it without reading it again — the other's write is lost.
        (A container changed in place is left to the serial check.)"""
        var = (e["node"], e["name"])
        before = self.last_write.get(var)
        read = self.reads.pop((e["thread"], e["node"], e["name"]), None)
        if (self.lost is None and not e.get("in_place") and read is not None and before is not None
                and before["thread"] != e["thread"] and before["seq"] > read["seq"]):
            self.lost = {"thread": e["thread"], "value": e.get("value"), "overwrote": before["thread"],
                         "overwritten": before.get("value"), "variable": e["name"], "node": e["node"],
                         "read": read.get("value"), "seq": e["seq"]}
        self.last_write[var] = e

    # -- the end -----------------------------------------------------------------
    def prepare(self, finished: dict) -> None:
        """Compute the serial outcomes now if the verdict will need them (the runtime
        calls this outside its monitor: they are runs of their own)."""
        if (callable(self.serial) and finished["status"] == "completed" and not self.failed
                and self.lost is None):
            self.serial = self.serial()

    def verdict(self, finished: dict) -> dict:
        status, error = finished["status"], finished.get("error")
        if status in ("cancelled", "timeout"):
            return plain_verdict(status, error)
        if status == "deadlock" and self.deadlock is not None:
            return self.deadlocked()
        if status == "violated" and self.violation is not None:
            return self.violated()
        if self.failed:
            return self.failures(error)
        if status not in ("completed",):
            return plain_verdict(status, error)
        if self.lost is not None:
            return self.lost_update()
        serial = self.serial() if callable(self.serial) else self.serial
        if serial and not is_serial(finished.get("shared") or {}, finished.get("outputs") or {}, serial, status):
            return self.non_serial(finished, serial)
        return self.completed()

    def deadlocked(self) -> dict:
        e, n = self.deadlock, self.name
        kind = e.get("deadlock_kind") or (waitfor.CYCLE if e.get("reason") == "cycle" else waitfor.STUCK)
        info = {node["id"]: node for node in (e.get("graph") or {}).get("nodes", [])}
        text = waitfor.explain(e["cycle"], kind, info, n)
        threads = [n(c["thread"]) for c in e["cycle"]]
        if kind == waitfor.CYCLE:
            return _verdict("deadlock-cycle", False, "Deadlock", text, threads=threads, cycle=e["cycle"],
                            step=e.get("step"))
        return _verdict("stuck", False, "Stuck", text, threads=threads, waits=e["cycle"], reason=kind,
                        step=e.get("step"))

    def violated(self) -> dict:
        v = self.violation
        values = v.get("values") or {}
        shown = ", ".join(f"{k} = {_show(x)}" for k, x in values.items())
        text = f"invariant broken: {v['invariant']}" + (f" is false with {shown}" if shown else " is false")
        return _verdict("violated", False, "Invariant broken", text, invariant=v["invariant"], node=v.get("node"),
                        values=values, step=v.get("step"))

    def failures(self, error: str | None) -> dict:
        n = self.name
        parts = []
        for thread, f in self.failed.items():
            where = f" (line {f['line']})" if f.get("line") else ""
            parts.append(f"{n(thread)} failed{where}: {f['error']}")
        text = "; ".join(parts) + "."
        if self.crashed:
            text += f" Stopped by a crash: {', '.join(n(t) for t in self.crashed)}."
        return _verdict("failed", False, "Failed", text, failed=[{"thread": t, **f} for t, f in self.failed.items()],
                        crashed=self.crashed)

    def lost_update(self) -> dict:
        lu, n = self.lost, self.name
        text = (f"lost update: {n(lu['thread'])}'s write of {_show(lu['value'])} overwrote "
                f"{n(lu['overwrote'])}'s write of {_show(lu['overwritten'])} ({n(lu['thread'])} had read "
                f"{lu['variable']} = {_show(lu['read'])} before {n(lu['overwrote'])} wrote)")
        return _verdict("lost-update", False, "Lost update", text, **lu)

    def non_serial(self, finished: dict, serial: list[dict]) -> dict:
        def values(shared: dict) -> str:
            shown = " · ".join(f"{k} = {_show(v)}" for node in shared.values() for k, v in node.items())
            return shown or "no shared variables"

        orders = "; ".join(f"{' then '.join(s['order'])}: {values(s['shared'])}" for s in serial)
        text = (f"not serial: this outcome ({values(finished.get('shared') or {})}) is none of those of running "
                f"the threads one after another ({orders})")
        mine = canonical(finished.get("shared") or {})
        if any(canonical(s["shared"]) == mine for s in serial):
            text += "; its values are those of a serial run, but what the threads printed is not"
        details: dict[str, Any] = {"serial": serial}
        if finished.get("schedule"):
            details["schedule"] = finished["schedule"]
        return _verdict("non-serial", False, "Not serial", text, **details)

    def completed(self) -> dict:
        n = self.name
        if self.crashed:
            nodes = ", ".join(dict.fromkeys(self.crashes))
            text = (f"The run ended. {', '.join(n(t) for t in self.crashed)} stopped when "
                    f"{'its node' if len(self.crashed) == 1 else 'their nodes'} crashed ({nodes}); "
                    "every other thread finished.")
            return _verdict("completed", True, "Completed after a crash", text, crashed=self.crashed,
                            crashes=self.crashes)
        return _verdict("completed", True, "Completed", "Every thread finished.")


def verdict(events: list[dict], spec: dict, serial: list[dict] | None = None) -> dict:
    """The verdict of a finished run from its events (the last one `run.finished`).
    `serial`: the scenario's serial outcomes, when known, for the serial check."""
    judge = Judge(spec, serial)
    finished = None
    for e in events:
        if e["kind"] == "run.finished":
            finished = e
            break
        judge.feed(e)
    if finished is None:
        raise ValueError("the events of a finished run end with run.finished")
    return judge.verdict(finished)


def judged_run(spec: dict, sink: Callable[[dict], Any], *, python_wall: bool = True, serial_check: bool = True,
               **runtime: Any) -> Runtime:
    """A Runtime whose `run.finished` carries the verdict (the serial outcomes computed
    at its end, only when they are needed)."""
    judge = Judge(spec)

    def tee(event: dict) -> None:
        judge.feed(event)
        sink(event)

    rt = Runtime(spec, tee, python_wall=python_wall, judge=judge, **runtime)
    if serial_check and shared_memory(spec):
        judge.serial = lambda: serial_outcomes(rt.spec, compiled=rt.compiled, python_wall=python_wall)
    return rt
