"""The wait-for graph: which thread waits for which resource, held by whom.

Pure functions over the runtime's threads; the runtime calls them with its
monitor held, so the picture they see is consistent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BLOCKED = "blocked"


def holders_of(resource: Any) -> list:
    """Threads that must act before a waiter on `resource` can go on."""
    return resource.holders() if resource is not None else []


def find_cycle(start) -> list | None:
    """A cycle of forever-waiting threads through `start`, as a list of threads.

    Only single-holder resources (locks, joins) make an edge: waiting for a
    semaphore that several threads hold is a deadlock only if all of them are
    stuck, which the all-blocked check catches.
    """
    path = [start]
    seen = {id(start)}
    thread = start
    while True:
        resource = thread.waiting_on
        if resource is None or not thread.forever:
            return None
        holders = holders_of(resource)
        if len(holders) != 1:
            return None
        nxt = holders[0]
        if nxt is start:
            return path
        if id(nxt) in seen or nxt.state != BLOCKED:
            return None
        seen.add(id(nxt))
        path.append(nxt)
        thread = nxt


def all_blocked(threads) -> list | None:
    """The live threads, if every one of them waits forever; else None."""
    live = [t for t in threads if t.alive]
    if live and all(t.state == BLOCKED and t.forever for t in live):
        return live
    return None


def edge(thread) -> dict:
    holders = holders_of(thread.waiting_on)
    return {
        "thread": thread.name,
        "waits_for": thread.waiting_on.gid if thread.waiting_on is not None else None,
        "held_by": ", ".join(h.name for h in holders) if holders else None,
    }


# What kind of deadlock: threads waiting for each other in a circle; threads waiting for
# something a thread that has ended still holds (a lock never released); threads waiting
# for something no live thread will ever release or signal (a message, an event, a notify).
CYCLE, HELD_BY_FINISHED, STUCK = "cycle", "held-by-finished", "stuck"
DEADLOCK_KINDS = (CYCLE, HELD_BY_FINISHED, STUCK)


def classify(stuck: list) -> tuple[str, list]:
    """The kind of an all-blocked deadlock over the stuck threads, and the threads to
    show: a cycle among them if there is one, else every stuck thread."""
    for t in stuck:
        cycle = find_cycle(t)
        if cycle:
            return CYCLE, cycle
    for t in stuck:
        holders = holders_of(t.waiting_on)
        if holders and not any(h.alive for h in holders):
            return HELD_BY_FINISHED, stuck
    return STUCK, stuck


def _short(name: str | None) -> str:
    return name or ""


def explain(edges: list[dict], kind: str, info: dict[str, dict] | None = None,
            name: Callable[[str], str] = _short) -> str:
    """The deadlock in words: which thread waits for what, and why that never comes.

    `info`: the graph's nodes by id (`state` of a thread, `rtype` of a resource);
    `name`: how a thread or resource is called (the full `node/name` by default)."""
    info = info or {}
    if kind == CYCLE:
        held: dict[str, list[str]] = {}
        for e in edges:
            for holder in (e["held_by"] or "").split(", "):
                held.setdefault(holder, []).append(e["waits_for"])
        parts = []
        for e in edges:
            what = _waited(e, info, name)
            mine = [name(r) for r in held.get(e["thread"], []) if info.get(r, {}).get("rtype") != "thread"]
            parts.append(f"{name(e['thread'])} holds {' and '.join(mine)} and waits for {what}" if mine
                         else f"{name(e['thread'])} waits for {what}")
        return "deadlock: " + ", ".join(parts) + "."
    parts = []
    for e in edges:
        holders = [h for h in (e["held_by"] or "").split(", ") if h]
        states = [info.get(h, {}).get("state") for h in holders]
        what = _waited(e, info, name)
        if holders and all(s in ("finished", "failed") for s in states):
            ended = "finished" if all(s == "finished" for s in states) else "ended"
            who = " and ".join(name(h) for h in holders)
            parts.append(f"{name(e['thread'])} waits forever for {what}, which {who} still held when "
                         f"{'it' if len(holders) == 1 else 'they'} {ended}")
        elif holders:
            parts.append(f"{name(e['thread'])} waits forever for {what}, held by "
                         f"{' and '.join(name(h) for h in holders)}, who {'is' if len(holders) == 1 else 'are'} "
                         "stuck too")
        elif info.get(e["waits_for"] or "", {}).get("rtype") == "inbox":
            parts.append(f"{name(e['thread'])} waits forever for a message, and none is on its way")
        else:
            parts.append(f"{name(e['thread'])} waits forever for {what}, which no live thread will "
                         "release or signal")
    return "; ".join(parts) + "."


def _waited(e: dict, info: dict[str, dict], name: Callable[[str], str]) -> str:
    target = e["waits_for"] or ""
    if info.get(target, {}).get("rtype") == "thread" or info.get(target, {}).get("type") == "thread":
        return f"{name(target)} to finish"
    return name(target)


def describe(cycle_edges: list[dict]) -> str:
    parts = []
    for e in cycle_edges:
        held = f" held by {e['held_by']}" if e["held_by"] else " (nobody will ever signal it)"
        parts.append(f"{e['thread']} waits for {e['waits_for']}{held}")
    return "; ".join(parts) + "."


def graph(threads, resources) -> dict[str, Any]:
    """Threads and resources as nodes; `holds` edges resource→thread, `waits` thread→resource."""
    nodes: dict[str, dict] = {}
    edges: list[dict] = []
    for res in resources:
        holders = res.holders()
        waiting = [t for t in threads if t.waiting_on is res]
        if not holders and not waiting:
            continue
        nodes[res.gid] = {"id": res.gid, "type": "resource", "rtype": res.rtype}
        for h in holders:
            nodes.setdefault(h.name, {"id": h.name, "type": "thread", "state": h.state})
            edges.append({"from": res.gid, "to": h.name, "type": "holds"})
    for t in threads:
        if t.waiting_on is not None:
            nodes.setdefault(t.name, {"id": t.name, "type": "thread", "state": t.state})
            target = t.waiting_on.gid
            if target not in nodes:
                nodes[target] = {"id": target, "type": "thread" if t.waiting_on.rtype == "thread" else "resource",
                                 "rtype": t.waiting_on.rtype}
            edges.append({"from": t.name, "to": target, "type": "waits"})
    return {"nodes": list(nodes.values()), "edges": edges}
