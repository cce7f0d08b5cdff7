"""playground.event/1 as JSON lines: one event per line, in seq order, each saying its
format (`"format": "playground.event/1"`), so that a reader knows which version it
holds. A trace may instead open with a header line, `{"format": "playground.event/1"}`
(an object without `seq`), that says it for every line after it."""

import json

import orjson

FORMAT = "playground.event/1"


def dumps(event):
    try:
        return orjson.dumps(event).decode()
    except TypeError:  # integers beyond 64 bits
        return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


def export(events):
    return "".join(dumps({"format": FORMAT, **event}) + "\n" for event in events)


def _version_error(number, found):
    if found is None:
        return ValueError(f"line {number}: the event does not say its format; give each event "
                          f'"format": "{FORMAT}", or open the trace with a header line {{"format": "{FORMAT}"}}')
    return ValueError(f"line {number}: unknown format {found!r}; this playground reads {FORMAT}")


def parse(text):
    """Events from JSONL text, without their `format` (checked, then dropped: events are
    stored as the engine emits them); raises ValueError naming the line of the first bad one."""
    events = []
    header = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"line {number}: not JSON ({exc})") from None
        except RecursionError:  # deeper than Python's decoder goes
            raise ValueError(f"line {number}: the event is nested too deeply") from None
        if not isinstance(event, dict):
            raise ValueError(f"line {number}: an event must be a JSON object")
        if header is None and not events and "seq" not in event and "format" in event:
            if event["format"] != FORMAT:
                raise _version_error(number, event["format"])
            header = FORMAT
            continue
        found = event.pop("format", header)
        if found != FORMAT:
            raise _version_error(number, found)
        events.append(event)
    return events
