"""The channel-layer messages of a run, in one place: what the worker sends to the
run's group (`run.events`, `run.status`) and what reaches the worker's control channel
(`run.control`). The types are dotted; Channels calls `run_events()` and so on."""

import json

import orjson


def events(first, lines):
    """A batch: `lines` are the events' JSON texts, their seqs running gapless from `first`."""
    return {"type": "run.events", "first": first, "lines": lines}


def status(status, error=""):
    return {"type": "run.status", "status": status, "error": error}


def control(content):
    """A step, deliver, fault or cancel from a WebSocket or the API, for the run's worker."""
    return {"type": "run.control", "control": content}


def event_lines(message):
    """(first seq, [JSON text per event]) of a `run.events` message. The worker sends
    `first` and `lines`; a message of event dicts (`events`) is accepted too."""
    if "lines" in message:
        return message["first"], message["lines"]
    found = message.get("events") or []
    return (found[0]["seq"] if found else 0), [_dumps(event) for event in found]


def _dumps(content):
    try:
        return orjson.dumps(content).decode()
    except TypeError:  # orjson refuses integers beyond 64 bits; a snippet may make one
        return json.dumps(content)
