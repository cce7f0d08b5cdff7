"""Chrome trace-event JSON (opens in Perfetto and chrome://tracing): one process per
node, one track per thread, locks held as slices, messages as flow arrows."""

import json

from .describe import describe


def export(events):
    pids, tids, out = {}, {}, []

    def ids(event):
        node = str(event.get("node") or "run")
        thread = str(event.get("thread") or node)
        if node not in pids:
            pids[node] = len(pids) + 1
            out.append({"ph": "M", "name": "process_name", "pid": pids[node], "tid": 0, "args": {"name": node}})
        if thread not in tids:
            tids[thread] = len(tids) + 1
            out.append({"ph": "M", "name": "thread_name", "pid": pids[node], "tid": tids[thread],
                        "args": {"name": thread}})
        return pids[node], tids[thread]

    for event in events:
        pid, tid = ids(event)
        ts = float(event.get("t") or 0.0) * 1_000_000  # microseconds
        kind = event.get("kind", "")
        args = {k: v for k, v in event.items() if k not in ("t", "kind", "node", "thread")}
        if kind == "sync.acquire":
            out.append({"ph": "B", "name": f"holds {event.get('resource')}", "cat": "sync", "pid": pid,
                        "tid": tid, "ts": ts, "args": args})
        elif kind == "sync.release":
            out.append({"ph": "E", "pid": pid, "tid": tid, "ts": ts})
        else:
            scope = "g" if kind in ("deadlock", "run.finished", "run.started") else "t"
            out.append({"ph": "i", "s": scope, "name": describe(event), "cat": kind, "pid": pid, "tid": tid,
                        "ts": ts, "args": args})
        if kind in ("msg.send", "msg.recv") and event.get("id") is not None:
            out.append({"ph": "s" if kind == "msg.send" else "f", "bp": "e", "name": "message", "cat": "msg",
                        "id": str(event["id"]), "pid": pid, "tid": tid, "ts": ts})
    return json.dumps({"traceEvents": out, "displayTimeUnit": "ms"}, default=str)
