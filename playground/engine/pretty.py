"""One readable line per event, for the command line."""

from __future__ import annotations


def _who(event: dict) -> str:
    return event.get("thread") or ""


def describe(event: dict) -> str:
    kind = event["kind"]
    head = f"{event['seq']:>6} {event['t']:>9.4f}s  {_who(event):<16}"
    line = f"L{event['line']}" if event.get("line") else ""
    head += f" {line:<4} "
    if kind == "var.read":
        text = f"reads {event['name']} = {event['value']!r}"
    elif kind == "var.write":
        text = f"writes {event['name']} = {event['value']!r} (was {event.get('previous')!r})"
    elif kind.startswith("sync."):
        state = event.get("state", {})
        owners = ", ".join(state.get("owners", [])) or "nobody"
        waiting = ", ".join(state.get("waiting", []))
        text = f"{kind[5:]} {event['resource']} (held by {owners}" + (f"; waiting: {waiting}" if waiting else "") + ")"
    elif kind == "output":
        text = f"prints {event['text']!r}"
    elif kind == "thread.failed":
        text = f"FAILED: {event['error']}"
    elif kind == "deadlock":
        text = f"DEADLOCK: {event.get('message', '')}"
    elif kind == "run.finished":
        text = f"run {event['status']}: shared={event['shared']} outputs={event['outputs']}"
        if event.get("error"):
            text += f" error={event['error']}"
    elif kind == "run.started":
        text = f"run started: {event.get('scenario')} mode={event.get('mode')} seed={event.get('seed')}"
    else:
        rest = {k: v for k, v in event.items() if k not in ("seq", "t", "kind", "node", "thread", "lamport", "vc",
                                                             "line", "snippet")}
        text = f"{kind} {rest if rest else ''}"
    return head + text
