"""Chrome trace-event JSON, as Perfetto's JSON importer and chrome://tracing read it:
one process per node, one track per thread, each event a short complete slice (`X`)
named by its kind and what it concerns, with the event whole in its args.

What the importer requires, and how it is met:
- flows (`s`/`f`, one per delivered message) have numeric ids (a string id is read as
  hexadecimal: "m1" is refused) and both ends bound to a slice: each end sits inside
  the send's or receive's slice on its thread, with `"bp": "e"` (bind to the enclosing
  slice);
- slices on a track nest strictly: each thread event is its own slice, later ones
  moved past the end of the one before when the clock reads the same microsecond;
- holding a lock or semaphore need not nest (A acquired before B, released first; a
  semaphore released by another thread), so it is an async slice (`b`/`e`, a numeric
  id per holding) ended by its release, or at the run's end if it was still held;
- a lost message's flow ends at a "lost" slice on the run's network track, a duplicate
  copy's flow starts at the "duplicated" slice there, and a message still on its way
  when the run ended ends at a "not received" slice: no flow is left without an end.
"""

import orjson

from .describe import describe
from .text import clip, value, visible

RUN_PID = 1
DUR = 1.0  # µs: the slice of one event
NAME_LIMIT = 120


def _dumps(item):
    try:
        return orjson.dumps(item).decode()
    except TypeError:  # integers beyond 64 bits
        import json

        return json.dumps(item, ensure_ascii=False, default=str)


def _batch(items):
    """Trace events as JSON, comma-separated, without the list's brackets."""
    try:
        return orjson.dumps(items).decode()[1:-1]
    except TypeError:
        return ",".join(map(_dumps, items))


# The field that says most about an event, for its slice's name (its args hold all).
NAMED_BY = {"var.read": "name", "var.write": "name", "output": "text", "msg.send": "to", "msg.recv": "from",
            "thread.failed": "error", "msg.drop": "reason"}


def slice_name(event, kind):
    if kind.startswith("sync."):
        detail = event.get("resource")
    elif kind in ("deadlock", "run.finished", "run.started", "net.partition", "invariant.violated"):
        return clip(describe(event), NAME_LIMIT)
    else:
        detail = event.get(NAMED_BY.get(kind, "id"))
    if detail is None:
        return kind
    return clip(f"{kind} {visible(detail) if isinstance(detail, str) else value(detail)}", NAME_LIMIT)


class Tracks:
    """pids, tids, and where each track's last slice ends."""

    def __init__(self):
        self.pids, self.tids, self.ends = {}, {}, {}
        self.out = []

    def pid(self, node):
        if node not in self.pids:
            self.pids[node] = len(self.pids) + RUN_PID + 1
            self.out.append({"ph": "M", "name": "process_name", "pid": self.pids[node], "tid": 0,
                             "args": {"name": node}})
        return self.pids[node]

    def tid(self, pid, name):
        key = (pid, name)
        if key not in self.tids:
            self.tids[key] = len(self.tids) + 1
            self.out.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": self.tids[key],
                             "args": {"name": name}})
        return self.tids[key]

    def slot(self, pid, tid, t_us):
        """The start of the next slice on a track: its time, or just after the last one."""
        ts = max(t_us, self.ends.get((pid, tid), float("-inf")))
        self.ends[(pid, tid)] = ts + DUR
        return ts


def stream(events, spec=None):
    tracks = Tracks()
    tracks.out.append({"ph": "M", "name": "process_name", "pid": RUN_PID, "tid": 0, "args": {"name": "run"}})
    run_tid = tracks.tid(RUN_PID, "run")
    net_tid = tracks.tid(RUN_PID, "network")
    flows = {}  # message id -> [flow id, …]: the message, and its duplicate copies, on their way
    holds = {}  # (pid, resource) -> [[thread, async id, depth], ...] in the order they were taken
    numbers = iter(range(1, 1 << 62))
    last_ts = 0.0
    yield '{"displayTimeUnit":"ms","traceEvents":[\n'
    first = True

    for event in events:
        kind = str(event.get("kind", ""))
        node, thread = event.get("node"), event.get("thread")
        t = event.get("t")
        t_us = float(t) * 1_000_000 if isinstance(t, int | float) and not isinstance(t, bool) else last_ts
        if node is not None:
            pid = tracks.pid(str(node))
            tid = tracks.tid(pid, str(thread) if thread is not None else f"{node} (node)")
        elif kind in ("msg.drop", "msg.duplicate", "msg.deliver", "net.partition", "net.heal", "net.link"):
            pid, tid = RUN_PID, net_tid
        else:
            pid, tid = RUN_PID, run_tid
        ts = tracks.slot(pid, tid, t_us)
        last_ts = max(last_ts, ts + DUR)
        mid = ts + DUR / 2
        out = tracks.out
        out.append({"ph": "X", "name": slice_name(event, kind), "cat": kind, "pid": pid, "tid": tid,
                    "ts": ts, "dur": DUR, "args": event})
        message = event.get("id")
        if kind in ("msg.send", "msg.duplicate") and isinstance(message, str):
            # A duplicate copy is delivered under the original's id: its flow starts here.
            flows.setdefault(message, []).append(flow := next(numbers))
            out.append({"ph": "s", "id": flow, "name": "message", "cat": "msg", "pid": pid, "tid": tid, "ts": mid,
                        "bp": "e"})
        elif kind in ("msg.recv", "msg.drop") and flows.get(message):
            out.append({"ph": "f", "id": flows[message].pop(0), "name": "message", "cat": "msg", "pid": pid,
                        "tid": tid, "ts": mid, "bp": "e"})
            if not flows[message]:
                del flows[message]
        elif kind == "sync.acquire":
            key = (pid, str(event.get("resource")))
            held = holds.setdefault(key, [])
            mine = next((h for h in held if h[0] == thread), None)
            if mine:
                mine[2] += 1  # taken again (a reentrant lock, a semaphore twice)
            else:
                held.append([thread, next(numbers), 1, tid])
                out.append({"ph": "b", "cat": "holds", "name": f"{thread} holds {event.get('resource')}",
                            "id": held[-1][1], "pid": pid, "tid": tid, "ts": ts})
        elif kind == "sync.release":
            key = (pid, str(event.get("resource")))
            held = holds.get(key) or []
            mine = next((h for h in held if h[0] == thread), None) or (held[0] if held else None)
            if mine:
                mine[2] -= 1
                if mine[2] <= 0 or mine[0] != thread:
                    held.remove(mine)
                    out.append({"ph": "e", "cat": "holds", "name": f"{mine[0]} holds {event.get('resource')}",
                                "id": mine[1], "pid": pid, "tid": tid, "ts": ts + DUR})
        if len(out) >= 512:
            yield ("" if first else ",\n") + _batch(out)
            first = False
            out.clear()

    out = tracks.out
    end = last_ts
    for message, flow in ((m, f) for m, numbers_left in flows.items() for f in numbers_left):
        ts = tracks.slot(RUN_PID, net_tid, end)
        out.append({"ph": "X", "name": clip(f"{message} not received when the run ended", NAME_LIMIT),
                    "cat": "msg.unfinished", "pid": RUN_PID, "tid": net_tid, "ts": ts, "dur": DUR,
                    "args": {"id": message}})
        out.append({"ph": "f", "id": flow, "name": "message", "cat": "msg", "pid": RUN_PID, "tid": net_tid,
                    "ts": ts + DUR / 2, "bp": "e"})
        end = max(end, ts + DUR)
    for (pid, resource), held in holds.items():
        for thread, number, _, tid in held:
            out.append({"ph": "e", "cat": "holds", "name": f"{thread} holds {resource}", "id": number, "pid": pid,
                        "tid": tid, "ts": end, "args": {"still held when the run ended": True}})
    if out:
        yield ("" if first else ",\n") + _batch(out)
    yield "\n]}\n"


def export(events, spec=None):
    return "".join(stream(events, spec))
