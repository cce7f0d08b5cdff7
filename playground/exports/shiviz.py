"""A ShiViz log: each node-level event with a vector clock, as two lines (what
happened, then `host {clock}`), after the parsing regex and an empty delimiter line,
the layout ShiViz reads from an uploaded file."""

import json

from .describe import describe

REGEX = r"(?<event>.*)\n(?<host>\S*) (?<clock>{.*})"


def export(events):
    lines = [REGEX, ""]
    for event in events:
        node, clock = event.get("node"), event.get("vc")
        if not node or not isinstance(clock, dict) or not clock:
            continue
        host = str(node).replace(" ", "_")
        clock = {str(k).replace(" ", "_"): v for k, v in clock.items()}
        clock.setdefault(host, 0)
        lines.append(describe(event).replace("\n", " "))
        lines.append(f"{host} {json.dumps(clock, sort_keys=True)}")
    return "\n".join(lines) + "\n"
