"""What the sequence-diagram exporters (Mermaid, PlantUML) share: who takes part and
which steps to draw. Reads are left out; they would drown the diagram."""

from .describe import describe, short

# Big traces make diagrams no tool can lay out; the rest is summarised in a note.
MAX_STEPS = 1500

NOTE_KINDS = frozenset({
    "var.write", "sync.request", "sync.acquire", "sync.release", "sync.wait", "sync.wake", "sync.notify",
    "output", "thread.failed", "node.crash", "node.restart", "invariant.violated",
})


def node_of(name):
    return str(name).split("/", 1)[0] if name is not None else ""


def participants(events):
    found = []
    for event in events:
        if event.get("kind") == "run.started":
            for node in event.get("nodes") or []:
                found.append(node.get("id") if isinstance(node, dict) else node)
        for name in (event.get("node"), node_of(event.get("from")) if event.get("from") else None,
                     node_of(event.get("to")) if event.get("to") else None):
            if name:
                found.append(name)
    return list(dict.fromkeys(str(n) for n in found if n))


def steps(events):
    """("message", sender, recipient, text, lost) or ("note", [nodes], text) tuples."""
    sends = {}
    out = []
    for event in events:
        kind = event.get("kind")
        if kind == "msg.send":
            sends[event.get("id")] = event
            out.append(("message", node_of(event.get("from")), node_of(event.get("to")),
                        short(event.get("content")), False))
        elif kind == "msg.drop" and event.get("id") in sends:
            sent = sends[event.get("id")]
            out.append(("message", node_of(sent.get("from")), node_of(sent.get("to")),
                        f"{short(sent.get('content'))} (lost: {event.get('reason')})", True))
        elif kind in NOTE_KINDS and event.get("node"):
            out.append(("note", [str(event["node"])], describe(event)))
        elif kind in ("deadlock", "run.finished", "net.partition", "net.heal"):
            out.append(("note", None, describe(event)))
    if len(out) > MAX_STEPS:
        out = out[:MAX_STEPS] + [("note", None, f"… {len(out) - MAX_STEPS} more steps not drawn")]
    return out


def diagram(events):
    """Participants with short aliases, then each step with aliases resolved:
    ("message", from_alias, to_alias, text, lost) or ("note", [first, last alias], text)."""
    nodes = participants(events)
    alias = {name: f"n{i}" for i, name in enumerate(nodes)}
    drawn = []
    for step in steps(events):
        if step[0] == "message":
            _, sender, recipient, text, lost = step
            if sender in alias and recipient in alias:
                drawn.append(("message", alias[sender], alias[recipient], text, lost))
        else:
            _, where, text = step
            over = [alias[n] for n in (where or nodes) if n in alias]
            if over:
                drawn.append(("note", [over[0], over[-1]] if len(over) > 1 else over, text))
    return [(alias[name], name) for name in nodes], drawn
