"""An imported event checked against the event contract (playground/engine/contract.py
and CONTRACT.md "Events"): a known kind, and each field of the right type: `t` a
number, `node` and `thread` text or null (text for a thread's events), `lamport` an
integer, `vc` an object (or list) of integers, and each kind's own fields (`id`,
`from`, `to` of a message text, `text` of an output, a lock's `resource` …).

A field the contract does not name is let through (the contract grows by adding
fields); a field it names must have its type, and the fields marked required must be
there. (seq, and what the database refuses, are checked by the API.)"""

from playground.engine.contract import KINDS, THREAD_KINDS


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v):
    return isinstance(v, int | float) and not isinstance(v, bool)


def _clock(v):
    if isinstance(v, dict):
        return all(isinstance(k, str) and _is_int(n) for k, n in v.items())
    return isinstance(v, list) and all(_is_int(n) for n in v)


TYPES = {
    "text": lambda v: isinstance(v, str),
    "text or null": lambda v: v is None or isinstance(v, str),
    "an integer": _is_int,
    "an integer or null": lambda v: v is None or _is_int(v),
    "a number": _is_num,
    "true or false": lambda v: isinstance(v, bool),
    "a list": lambda v: isinstance(v, list),
    "a list of text": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
    "an object": lambda v: isinstance(v, dict),
    "a vector clock (an object of integers)": _clock,
}

# field -> type; a leading "!" marks it required.
COMMON = {"t": "!a number", "node": "text or null", "thread": "text or null", "lamport": "an integer",
          "vc": "a vector clock (an object of integers)", "line": "an integer or null", "snippet": "text or null"}
THREAD = {"node": "!text", "thread": "!text"}
SYNC = {"resource": "!text", "rtype": "text", "state": "an object"}
MESSAGE = {"id": "!text", "from": "!text", "to": "!text"}
FIELDS = {
    "run.started": {"mode": "text", "seed": "an integer or null", "scenario": "text", "nodes": "a list",
                    "threads": "a list of text"},
    "run.finished": {"status": "!text", "shared": "an object", "outputs": "an object", "schedule": "a list",
                     "error": "text or null"},
    "thread.failed": {"error": "text"},
    "var.read": {"name": "!text"},
    "var.write": {"name": "!text"},
    **{kind: SYNC for kind in ("sync.request", "sync.acquire", "sync.release", "sync.timeout", "sync.wait",
                               "sync.wake")},
    "sync.notify": {**SYNC, "woken": "a list of text", "action": "text or null"},
    "section.enter": {"section": "!text", "inside": "an integer"},
    "section.exit": {"section": "!text", "inside": "an integer"},
    "output": {"text": "!text"},
    "msg.send": {**MESSAGE, "bytes": "an integer"},
    "msg.recv": MESSAGE,
    "msg.deliver": MESSAGE,
    "msg.drop": {"id": "!text", "reason": "text", "from": "text or null", "to": "text or null"},
    "msg.duplicate": {**MESSAGE, "copy": "!text"},
    "net.partition": {"groups": "a list", "cut": "a list"},
    "net.link": {"a": "text", "b": "text", "settings": "an object"},
    "node.crash": {"node": "!text"},
    "node.restart": {"node": "!text"},
    "deadlock": {"cycle": "a list", "graph": "an object", "reason": "text", "message": "text", "step": "an integer"},
    "invariant.violated": {"invariant": "text", "node": "text or null", "values": "an object", "step": "an integer"},
    "step": {"thread": "text or null", "deliver": "text or null", "index": "an integer", "enabled": "a list"},
    "step.ready": {"enabled": "a list", "blocked": "a list"},
    "step.refused": {"reason": "text"},
    "explore.progress": {"explored": "an integer", "distinct": "an integer"},
    "explore.result": {"explored": "an integer", "exhaustive": "true or false", "states": "an integer",
                       "outcomes": "a list", "stopped_by": "text or null"},
}
THREAD_KIND_SET = frozenset(THREAD_KINDS)


def fields_of(kind):
    return {**COMMON, **(THREAD if kind in THREAD_KIND_SET else {}), **FIELDS.get(kind, {})}


def problem(event):
    """(field, message) for the first way the event breaks the contract, or None."""
    kind = event.get("kind")
    if kind not in KINDS:
        return "kind", f"unknown kind {kind!r}; a playground.event/1 kind is one of {', '.join(KINDS)}"
    for field, wanted in fields_of(kind).items():
        required = wanted.startswith("!")
        wanted = wanted.lstrip("!")
        if field not in event:
            if required:
                return field, f"a {kind} event needs {field} ({wanted})"
            continue
        if not TYPES[wanted](event[field]):
            return field, f"{field} must be {wanted} in a {kind} event, not {type_name(event[field])}"
    return None


def type_name(value):
    if value is None:
        return "null"
    return {bool: "true/false", int: "an integer", float: "a number", str: "text", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)
