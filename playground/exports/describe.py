"""One short line per event, in a learner's words, for the diagram exporters."""


def short(value, limit=40):
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def thread_name(event):
    thread = event.get("thread") or ""
    return thread.split("/", 1)[-1] if thread else ""


def describe(event):
    kind = event.get("kind", "")
    who = thread_name(event)
    prefix = f"{who}: " if who else ""
    if kind == "var.write":
        return f"{prefix}{event.get('name')} = {short(event.get('value'))}"
    if kind == "var.read":
        return f"{prefix}reads {event.get('name')} ({short(event.get('value'))})"
    if kind.startswith("sync."):
        return f"{prefix}{kind[5:]} {event.get('resource')}"
    if kind == "output":
        return f"{prefix}prints {short(event.get('text'))}"
    if kind == "thread.failed":
        return f"{prefix}fails: {short(event.get('error'), 60)}"
    if kind == "deadlock":
        cycle = " → ".join(step.get("thread", "?") for step in event.get("cycle") or [])
        return f"deadlock: {cycle}"
    if kind == "run.finished":
        return f"run {event.get('status')}"
    if kind == "invariant.violated":
        return f"invariant violated: {event.get('invariant')}"
    return f"{prefix}{kind}"
