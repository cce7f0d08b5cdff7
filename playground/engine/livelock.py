"""Livelocks the explorer finds: threads that keep taking steps and never get anywhere.

A busy-wait loop comes back to a state already seen (framestate.py), and the explorer
cuts an execution there, so a schedule that spins forever is never an outcome of its
own. The explored states and steps form a graph; a set of states that lead to each
other (a strongly connected component) in which every step possible in all of them is
taken somewhere inside is a **fair** endless run — no thread that could go on is left
out forever — so the threads really can go on like that without end: a livelock (two
threads each waiting, politely and forever, for the other). A thread spinning while
another could go on but is not scheduled is not one: that is an unfair schedule.

Every edge of the graph is a real step, so a livelock found is real; steps the
reductions did not try only hide livelocks, never make one up. Each is reported as an
outcome with status `timeout` ("the run does not end"), its schedule the path to it.
"""

from __future__ import annotations

from typing import Any

from .probes import Probes
from .runtime import Runtime

LIVELOCK = ("livelock: the threads can go on like this forever, each step leading back to a state "
            "seen before, and none gets anywhere")
MAX_REPORTED = 3


class StateGraph:
    def __init__(self) -> None:
        self.edges: dict[int, set[tuple[str, int]]] = {}
        self.enabled: dict[int, frozenset] = {}
        self.first: dict[int, tuple[int, str] | None] = {}  # how each state was first reached

    def reached(self, stack: list, depth: int, key: int, names: list[str]) -> None:
        """The execution is at state `key` after `depth` steps (its frames on `stack`)."""
        self.enabled.setdefault(key, frozenset(names))
        parent = (stack[depth - 1].key, stack[depth - 1].chosen) if depth else None
        self.first.setdefault(key, parent)
        if parent is not None:
            self.edges.setdefault(parent[0], set()).add((parent[1], key))

    def path(self, key: int) -> list[str]:
        steps: list[str] = []
        seen = set()
        while (parent := self.first.get(key)) is not None and key not in seen:
            seen.add(key)
            key, step = parent
            steps.append(step)
        return steps[::-1]

    def livelocks(self) -> list[list[str]]:
        """A schedule into each fair endless component (at most MAX_REPORTED)."""
        found = []
        for component in _components(self.edges):
            inside = [(step, b) for a in component for step, b in self.edges.get(a, ()) if b in component]
            if not inside:
                continue
            always = frozenset.intersection(*(self.enabled.get(k, frozenset()) for k in component))
            if always <= {step for step, _ in inside}:
                found.append(min((self.path(k) for k in component), key=len))
                if len(found) >= MAX_REPORTED:
                    break
        return found


def _components(edges: dict[int, set[tuple[str, int]]]) -> list[set[int]]:
    """Tarjan's strongly connected components, without recursion."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    result = []
    for root in list(edges):
        if root in index:
            continue
        work: list[tuple[int, Any]] = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for _, nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(edges.get(nxt, ()))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    result.append(component)
    return result


class IntoLivelock:
    """Follows a schedule into a livelock, then ends the run there (status `timeout`)."""

    def __init__(self, schedule: list[str]):
        self.todo = list(reversed(schedule))

    def choose(self, runtime: Any, enabled: list) -> Any:
        if self.todo:
            wanted = self.todo.pop()
            for t in enabled:
                if t.name == wanted:
                    return t
        runtime.stop("timeout", LIVELOCK)
        return None


def into_livelock(explorer: Any, schedule: list[str]) -> dict:
    """One execution along `schedule`, ended where the livelock goes round: an outcome."""
    rt = Runtime(explorer.spec, lambda e: None, chooser=IntoLivelock(schedule), compiled=explorer.compiled,
                 probes=Probes(quiet=True, pool=explorer.pool), python_wall=explorer.python_wall)
    return {"end": rt.run(), "deadlock": None, "violation": None}
