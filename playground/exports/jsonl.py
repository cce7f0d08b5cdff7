"""playground.event/1 as JSON lines: one event per line, in seq order."""

import json

import orjson


def dumps(event):
    try:
        return orjson.dumps(event).decode()
    except TypeError:  # integers beyond 64 bits
        return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


def export(events):
    return "".join(dumps(event) + "\n" for event in events)


def parse(text):
    """Events from JSONL text; raises ValueError naming the line of the first bad one."""
    events = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"line {number}: not JSON ({exc})") from None
        if not isinstance(event, dict):
            raise ValueError(f"line {number}: an event must be a JSON object")
        events.append(event)
    return events
