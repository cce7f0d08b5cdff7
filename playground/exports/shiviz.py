"""A ShiViz log (bestchai.bitbucket.io/shiviz, DistributedClocks/shiviz): each event of a
node as two lines, what happened, then `host {vector clock}`, after the parsing regex
and an empty delimiter line (the layout ShiViz reads from an uploaded file), so that
its default expression `(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})` reads every event.

Each label says the kind, then the event in words: the thread, the message id, the
peer, the content or value (`msg.send · main: sends m3 {"n":1} to server`), on one
line (control characters escaped, text.visible). Lost messages (on the sender's node),
crashes and restarts, partitions and heals (on each node they concern) and the deadlock
(on each node of its threads and locks, naming them) are events of their nodes.

ShiViz's clock rules: a host's own entry counts its events 1, 2, 3 … and a receive
takes the sender's clock at the send. The clocks are computed here, from the events
in the order they happened, so that the rules hold whatever the trace holds (a drop or
a crash has no clock of the engine's own).
"""

import re

import orjson

from .describe import deadlock_nodes_of, describe, node_of
from .text import visible

REGEX = r"(?<event>.*)\n(?<host>\S*) (?<clock>{.*})"
SPACE = re.compile(r"\s")
RUN_KINDS = frozenset({"msg.drop", "msg.duplicate", "node.crash", "node.restart", "net.partition", "net.heal",
                       "deadlock"})


def host_name(name):
    return SPACE.sub("_", visible(name)) or "_"


def take(sent, message):
    """The clock of the first of a message's copies on their way (and forget it)."""
    copies = sent.get(message)
    if not copies:
        return {}
    clock = copies.pop(0)
    if not copies:
        del sent[message]
    return clock


def stream(events, spec=None):
    yield REGEX + "\n\n"
    clocks = {}  # host -> its vector clock
    sent = {}  # message id -> [the sender's clock at the send, …]: it and its duplicate copies on their way
    for event in events:
        kind = event.get("kind")
        node = event.get("node")
        if kind in RUN_KINDS:
            if kind == "msg.duplicate":  # the copy is delivered under the original's id
                if sent.get(event.get("id")):
                    sent[event.get("id")].append(sent[event.get("id")][0])
                continue
            if kind == "msg.drop":
                take(sent, event.get("id"))
                hosts = [node_of(event.get("from")) or node_of(event.get("to"))]
            elif kind == "deadlock":
                hosts = deadlock_nodes_of(event)
            elif kind == "net.partition":
                groups = event.get("groups")
                hosts = [n for g in groups if isinstance(g, list) for n in g] if isinstance(groups, list) else []
            elif kind == "net.heal":
                hosts = list(clocks)
            else:
                hosts = [node]
        elif node is not None and event.get("thread") is not None:
            hosts = [node]
        else:
            continue
        label = f"{kind} · {describe(event)}"
        for name in dict.fromkeys(host_name(h) for h in hosts if h):
            clock = clocks.setdefault(name, {name: 0})
            if kind == "msg.recv":
                for other, time in take(sent, event.get("id")).items():
                    if time > clock.get(other, 0):
                        clock[other] = time
            clock[name] += 1
            if kind == "msg.send":
                sent.setdefault(event.get("id"), []).append(dict(clock))
            yield f"{label}\n{name} {orjson.dumps(clock).decode()}\n"


def export(events, spec=None):
    return "".join(stream(events, spec))
