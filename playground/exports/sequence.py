"""What the sequence-diagram exporters (PlantUML, Mermaid) share: the steps to draw, read
from the events as they stream past, in delivery order.

Each message is drawn once, when it is delivered (an arrow from its sender to its
recipient, labelled with its id and content), lost (a lost arrow with the reason), or
delivered again as a duplicate copy; a message still on its way when the run ended is
drawn last, saying so. Crashes, restarts, partitions, heals, prints, writes, lock
operations, failures and the deadlock (its threads and locks) are notes over their
node(s). Reads, thread starts and ends and the controller's bookkeeping are not drawn;
a closing note counts them. A run longer than MAX_STEPS steps is drawn up to there and
a closing note says what was left out (how many events, from which seq, of which kinds).

Labels longer than LABEL_LIMIT characters are cut with a marker saying how many
characters were left out, and folded into lines of LINE_WIDTH characters.
"""

from collections import Counter
from typing import NamedTuple

from .describe import cycle_text, deadlock_nodes_of, describe, node_of
from .text import clip, value, visible, wrap

MAX_STEPS = 600
LABEL_LIMIT = 300
LINE_WIDTH = 60

NOTE_KINDS = frozenset({
    "var.write", "sync.request", "sync.acquire", "sync.release", "sync.timeout", "sync.wait", "sync.wake",
    "sync.notify", "output", "thread.failed", "node.crash", "node.restart", "invariant.violated",
})
ALL_NODES_KINDS = frozenset({"net.partition", "net.heal", "run.finished"})
NOT_DRAWN = {"var.read": "reads", "thread.started": "thread starts", "thread.finished": "thread ends",
             "msg.deliver": "arrivals in an inbox", "section.enter": "section entries",
             "section.exit": "section exits", "step": "scheduler steps", "step.ready": "step prompts",
             "step.refused": "refused steps", "net.link": "link changes", "explore.progress": "explorer progress",
             "explore.result": "explorer results"}


class Step(NamedTuple):
    """`kind` "participant" (a node seen for the first time: `text` is its name),
    "message" (`sender` → `recipient`, `style` "delivered", "lost", "duplicate" or
    "unfinished"), or "note" (`over`: the nodes it spans, empty for all)."""

    kind: str
    text: tuple[str, ...] = ()
    sender: str = ""
    recipient: str = ""
    style: str = ""
    over: tuple[str, ...] = ()


def label(text):
    """A diagram label: clipped with a marker, folded into lines."""
    return tuple(wrap(clip(text, LABEL_LIMIT), LINE_WIDTH))


def steps(events, max_steps=MAX_STEPS):
    """The Steps to draw, one event at a time (memory: the messages on their way)."""
    known = {}
    pending = {}  # message id -> [(sender, recipient, content text, how it came to be), …]: it and its copies
    skipped = Counter()
    drawn = 0
    last_seq = 0
    left = Counter()
    first_left = None

    def meet(*names):
        for name in names:
            if name and name not in known:
                known[name] = True
                yield Step("participant", (name,))

    for event in events:
        kind = event.get("kind")
        seq = event.get("seq")
        if drawn >= max_steps:
            if first_left is None:
                first_left = seq
            left[kind] += 1
            continue
        last_seq = seq
        out = []
        if kind == "run.started":
            for node in event.get("nodes") or []:
                out += meet(visible(node.get("id") if isinstance(node, dict) else node))
        elif kind == "msg.send":
            sender, recipient = visible(node_of(event.get("from"))), visible(node_of(event.get("to")))
            pending.setdefault(event.get("id"), []).append((sender, recipient, value(event.get("content")), ""))
        elif kind == "msg.duplicate":  # the copy is delivered under the original's id
            copies = pending.get(event.get("id"))
            sender = copies[0][0] if copies else visible(node_of(event.get("from")))
            recipient = copies[0][1] if copies else visible(node_of(event.get("to")))
            content = copies[0][2] if copies else "?"
            pending.setdefault(event.get("id"), []).append(
                (sender, recipient, content, f"duplicate copy {visible(event.get('copy'))}"))
        elif kind in ("msg.recv", "msg.drop"):
            copies = pending.get(event.get("id"))
            sent = copies.pop(0) if copies else None
            if copies == []:
                del pending[event.get("id")]
            sender, recipient, content, origin = sent or (visible(node_of(event.get("from"))),
                                                          visible(node_of(event.get("to"))), "?", "")
            text = f"{visible(event.get('id'))}{f' ({origin})' if origin else ''}: {content}"
            if kind == "msg.drop":
                text += f" — lost ({visible(event.get('reason'))})"
                style = "lost"
            else:
                style = "duplicate" if origin else "delivered"
            out += meet(sender, recipient)
            out.append(Step("message", label(text), sender, recipient, style))
        elif kind == "deadlock":
            nodes = tuple(visible(n) for n in deadlock_nodes_of(event))
            out += meet(*nodes)
            out.append(Step("note", label(f"deadlock: {cycle_text(event)}"), over=nodes))
        elif kind in NOTE_KINDS and event.get("node"):
            node = visible(event["node"])
            out += meet(node)
            out.append(Step("note", label(describe(event)), over=(node,)))
        elif kind in ALL_NODES_KINDS:
            out.append(Step("note", label(describe(event)), over=()))
        else:
            skipped[kind] += 1
            continue
        for step in out:
            drawn += step.kind != "participant"
            yield step
    for mid, (sender, recipient, content, origin) in ((m, c) for m, copies in pending.items() for c in copies):
        if drawn >= max_steps:
            left["message on its way"] += 1
            continue
        drawn += 1
        text = f"{visible(mid)}{f' ({origin})' if origin else ''}: {content} — not received when the run ended"
        yield from meet(sender, recipient)
        yield Step("message", label(text), sender, recipient, "unfinished")
    closing = []
    if left:
        kinds = ", ".join(f"{n:,} {k}" for k, n in left.most_common())
        closing.append(f"Not drawn: {sum(left.values()):,} events, from seq {first_left or last_seq + 1:,} to the end "
                       f"({kinds}). The JSONL or Perfetto export holds them all.")
    if skipped:
        kinds = ", ".join(f"{n:,} {NOT_DRAWN.get(k, k)}" for k, n in skipped.most_common())
        closing.append(f"Left out of this diagram: {kinds}.")
    for text in closing:
        yield Step("note", label(text), over=())
