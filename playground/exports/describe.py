"""One line per event, in a learner's words, for every exporter: what happened, where
(the thread), and the message id, peer, content or value it concerns. Nothing is cut
here (the diagrams clip long lines themselves, saying so); control characters are
escaped (text.visible), everything else is kept for each format to encode."""

from functools import lru_cache

from .text import value, visible


@lru_cache(maxsize=4096)
def _short_thread(thread):
    return visible(thread.split("/", 1)[-1])


def thread_name(event):
    thread = event.get("thread") or ""
    return _short_thread(thread) if isinstance(thread, str) else visible(thread)


def node_of(name):
    return str(name).split("/", 1)[0] if name is not None else ""


def who(event):
    name = thread_name(event)
    return f"{name}: " if name else ""


def cycle_text(event):
    """The deadlock's threads and locks: `A waits for L held by B; …`, or its message."""
    steps = []
    for step in event.get("cycle") or []:
        if isinstance(step, dict):
            line = f"{step.get('thread', '?')} waits for {step.get('waits_for', '?')}"
            if step.get("held_by"):
                line += f" held by {step['held_by']}"
            steps.append(line)
    text = "; ".join(steps) or str(event.get("message") or event.get("reason") or "")
    return visible(text)


def deadlock_nodes_of(event):
    """The nodes of the deadlock's threads and locks, in the order the cycle names them."""
    nodes = []
    for step in event.get("cycle") or []:
        if isinstance(step, dict):
            nodes += [node_of(step.get(k)) for k in ("thread", "waits_for", "held_by") if step.get(k)]
    return list(dict.fromkeys(n for n in nodes if n))


def groups_text(groups):
    if not isinstance(groups, list):
        return value(groups)
    return " | ".join("{" + ", ".join(map(str, g)) + "}" if isinstance(g, list) else str(g) for g in groups)


def message_text(event, content=None):
    """`m3 → server: {"n": 1}`: the message id, the peer and what it carried."""
    text = f"{visible(event.get('id'))}"
    if content is not None:
        text += f" {value(content)}"
    return text


def describe(event):
    kind = str(event.get("kind", ""))
    at = who(event)
    if kind == "var.write":
        return f"{at}{visible(event.get('name'))} = {value(event.get('value'))} (was {value(event.get('previous'))})"
    if kind == "var.read":
        return f"{at}reads {visible(event.get('name'))} = {value(event.get('value'))}"
    if kind == "sync.notify":
        woken = ", ".join(map(str, event.get("woken") or [])) or "nobody"
        return visible(f"{at}notifies {event.get('resource')} (wakes {woken})")
    if kind.startswith("sync."):
        verb = {"request": "waits for", "acquire": "acquires", "release": "releases", "timeout": "gives up on",
                "wait": "waits on", "wake": "is woken by"}.get(kind[5:], kind[5:])
        return visible(f"{at}{verb} {event.get('resource')} ({event.get('rtype')})")
    if kind in ("section.enter", "section.exit"):
        return visible(f"{at}{'enters' if kind == 'section.enter' else 'leaves'} {event.get('section')}")
    if kind == "output":
        return f"{at}prints {visible(event.get('text'))}"
    if kind == "thread.failed":
        return f"{at}fails: {visible(event.get('error'))}"
    if kind in ("thread.started", "thread.finished"):
        return f"{at}{kind[7:]}"
    if kind == "msg.send":
        return f"{at}sends {message_text(event, event.get('content'))} to {visible(event.get('to'))}"
    if kind == "msg.recv":
        return f"{at}receives {visible(event.get('id'))} from {visible(event.get('from'))}"
    if kind == "msg.deliver":
        return visible(f"{event.get('id')} from {event.get('from')} reaches {event.get('to')}'s inbox")
    if kind == "msg.drop":
        return visible(f"{event.get('id')} from {event.get('from') or '?'} to {event.get('to')} "
                       f"lost ({event.get('reason')})")
    if kind == "msg.duplicate":
        return visible(f"{event.get('id')} from {event.get('from')} to {event.get('to')} "
                       f"duplicated as {event.get('copy')}")
    if kind == "node.crash":
        return visible(f"{event.get('node')} crashes")
    if kind == "node.restart":
        return visible(f"{event.get('node')} restarts")
    if kind == "net.partition":
        return visible(f"network partition: {groups_text(event.get('groups'))}")
    if kind == "net.heal":
        return "network healed: every link works again"
    if kind == "net.link":
        return visible(f"link {event.get('a')} ↔ {event.get('b')}: {value(event.get('settings'))}")
    if kind == "deadlock":
        return f"deadlock: {cycle_text(event)}"
    if kind == "run.started":
        return visible(f"run of {event.get('scenario') or 'a scenario'} starts ({event.get('mode')})")
    if kind == "run.finished":
        error = f": {visible(event.get('error'))}" if event.get("error") else ""
        return f"run {visible(event.get('status'))}{error}"
    if kind == "invariant.violated":
        return visible(f"invariant violated: {event.get('invariant')} {value(event.get('values'))}")
    return visible(f"{at}{kind}")
