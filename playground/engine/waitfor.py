"""The wait-for graph: which thread waits for which resource, held by whom.

Pure functions over the runtime's threads; the runtime calls them with its
monitor held, so the picture they see is consistent.
"""

from __future__ import annotations

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
