"""playground.event/1 as JSON lines: one event per line, in seq order, each saying its
format (`"format": "playground.event/1"`), so that a reader knows which version it
holds. A trace may open with a header line, an object without `seq`:
`{"format": "playground.event/1", "spec": {…}}`. Its `format` says the version for
every line after it; its `spec`, when there is one, is the playground.scenario/1 spec
the run ran, so that an uploaded trace can be opened in the editor and run again.
The export writes the header when the run has a spec, and every line says its format.
"""

import json
from typing import NamedTuple

import orjson

FORMAT = "playground.event/1"


def dumps(event):
    try:
        return orjson.dumps(event).decode()
    except TypeError:  # integers beyond 64 bits
        return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


PREFIX = '{"format":"' + FORMAT + '"'


def line(event):
    """The event as one line of JSON, opening with its format."""
    if "format" in event or not event:
        return dumps({"format": FORMAT, **event})
    return PREFIX + "," + dumps(event)[1:]


def header(spec):
    return dumps({"format": FORMAT, "spec": spec}) + "\n"


def stream(events, spec=None):
    if spec:
        yield header(spec)
    lines = []
    for event in events:
        lines.append(line(event))
        if len(lines) >= 1000:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def stream_stored(texts, spec=None):
    """Like `stream`, from the events' JSON texts as stored: each gets its format put in
    front, nothing decoded or encoded again (most of a large download's time otherwise)."""
    if spec:
        yield header(spec)
    lines = []
    for text in texts:
        lines.append(PREFIX + "," + text[1:] if len(text) > 2 else PREFIX + "}")
        if len(lines) >= 1000:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def export(events, spec=None):
    return "".join(stream(events, spec))


class Trace(NamedTuple):
    """A parsed trace: its events (without `format`), the line each came from, and the
    header's spec (None without one)."""

    events: list
    lines: list
    spec: dict | None


def _version_error(number, found):
    if found is None:
        return ValueError(f"line {number}: the event does not say its format; give each event "
                          f'"format": "{FORMAT}", or open the trace with a header line {{"format": "{FORMAT}"}}')
    return ValueError(f"line {number}: unknown format {found!r}; this playground reads {FORMAT}")


def read(text):
    """The Trace in JSONL text: each event's `format` checked, then dropped (events are
    stored as the engine emits them); raises ValueError naming the line of the first bad
    one (`line 3: …`)."""
    events, numbers = [], []
    header_format = None
    spec = None
    # Only "\n" ends a line: str.splitlines would also split at U+2028 and other
    # separators that JSON strings may hold raw.
    for number, line in enumerate(text.split("\n"), start=1):
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
        if header_format is None and not events and "seq" not in event and "format" in event:
            if event["format"] != FORMAT:
                raise _version_error(number, event["format"])
            header_format = FORMAT
            spec = event.get("spec")
            if spec is not None and not isinstance(spec, dict):
                raise ValueError(f"line {number}: the header's spec must be a playground.scenario/1 object")
            continue
        found = event.pop("format", header_format)
        if found != FORMAT:
            raise _version_error(number, found)
        events.append(event)
        numbers.append(number)
    return Trace(events, numbers, spec)


def parse(text):
    """The events of JSONL text (see read)."""
    return read(text).events
