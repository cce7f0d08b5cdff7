"""The event contract: every kind of event the engine emits, the statuses of a run,
and what each event of a thread touches (for the explorer's footprints).

A new event kind starts here: add it to `KINDS` (and, when a thread emits it, say
what it touches); the explorer refuses a thread event it does not know
(`footprint.touches`), the Django model and the integration tests take their
statuses from here, and `python -m playground.engine.contract typescript` prints
the same vocabulary for the frontend.

No engine imports at module level: everything else may import this.
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple

FORMAT = "playground.event/1"

# -- statuses ---------------------------------------------------------------------
# Before the engine runs (the web side's own): waiting for a worker, being run.
LIVE_STATUSES = ("queued", "running")
# After which nothing about a run changes any more; `run.finished` carries one of them.
FINAL_STATUSES = ("completed", "deadlock", "violated", "failed", "timeout", "cancelled")
RUN_STATUSES = LIVE_STATUSES + FINAL_STATUSES
# An explorer's re-execution cut short because its state was seen before: never leaves the engine.
PRUNED = "pruned"


# -- kinds --------------------------------------------------------------------------
class Touch(NamedTuple):
    """What a thread's event touched, for the explorer: two steps conflict when they
    touch the same thing and one of them writes it.

    `space` "var", "res" or "section" name an object of the thread's node, whose name
    is the event's `field`; "take" is a node's inbox seen by its takers (a message taken
    from a non-empty inbox commutes with one arriving, not with another taker; a thread
    that starts waiting in `recv()` touches the inbox itself, like an arrival: see
    `footprint.waits`); "thread" is the thread itself
    (others may join it); "link" the link from the thread's node to the event's `to` (a
    send: each message's fate on a lossy link is drawn in the order they are sent; its
    delivery is a step of its own, enabled by the send); "own" is something only this
    thread sees (its output).
    """

    space: str
    field: str | None
    access: str  # "r" or "w"


class Kind(NamedTuple):
    """One kind of event. `thread`: emitted by a snippet's thread (it carries `node`,
    `thread`, `line`, `snippet`, the node's clocks) and must say what it touches."""

    name: str
    thread: bool
    touches: Touch | None
    doc: str


VAR_READ, VAR_WRITE = Touch("var", "name", "r"), Touch("var", "name", "w")
RESOURCE = Touch("res", "resource", "w")
SECTION = Touch("section", "section", "w")
THREAD = Touch("thread", None, "w")
OWN = Touch("own", None, "r")
TAKE = Touch("take", None, "w")
LINK = Touch("link", "to", "w")


def _thread(name: str, touches: Touch, doc: str) -> Kind:
    return Kind(name, True, touches, doc)


def _run(name: str, doc: str) -> Kind:
    return Kind(name, False, None, doc)


KINDS: dict[str, Kind] = {k.name: k for k in (
    _run("run.started", "mode, seed, scenario, nodes [{id, role}], threads [node/thread]"),
    _run("run.finished", "status, shared, outputs, schedule, seed, verdict, error? (see run_finished)"),
    _thread("thread.started", THREAD, "a thread begins"),
    _thread("thread.finished", THREAD, "a thread ended normally"),
    _thread("thread.failed", THREAD, "error: a snippet's exception, or why the thread was stopped"),
    _thread("var.read", VAR_READ, "name, value"),
    _thread("var.write", VAR_WRITE, "name, value, previous, in_place? (a container changed in place)"),
    _thread("sync.request", RESOURCE, "resource, rtype, state: the thread has to wait"),
    _thread("sync.acquire", RESOURCE, "resource, rtype, state"),
    _thread("sync.release", RESOURCE, "resource, rtype, state"),
    _thread("sync.timeout", RESOURCE, "resource, rtype, state: a timed wait gave up"),
    _thread("sync.wait", RESOURCE, "resource, rtype, state: waits on a condition, event or barrier"),
    _thread("sync.wake", RESOURCE, "resource, rtype, state: a waiter was woken"),
    _thread("sync.notify", RESOURCE, "resource, rtype, state, woken, action?"),
    _thread("section.enter", SECTION, "section, inside"),
    _thread("section.exit", SECTION, "section, inside"),
    _thread("output", OWN, "text: what the thread printed"),
    _thread("msg.send", LINK, "id, from, to, content, bytes, transfer_ms? (a link with a bandwidth)"),
    _thread("msg.recv", TAKE, "id, from, to"),
    _run("msg.deliver", "id, from, to: the message reached the inbox (controlled runs)"),
    _run("msg.drop", "id, reason (loss | partition | crash | link-removed | malformed), from?, to"),
    _run("msg.duplicate", "id, copy, from, to"),
    _run("net.partition", "groups, cut"),
    _run("net.heal", "every link works again"),
    _run("net.link", "a, b, change (settings | add | remove), settings"),
    _run("node.crash", "node"),
    _run("node.restart", "node"),
    _run("deadlock", "cycle, graph, reason (cycle | all-blocked: how it was found), "
                     "deadlock_kind (cycle | held-by-finished | stuck: what it is), message, step"),
    _run("invariant.violated", "invariant, node, values, step"),
    _run("step", "thread | deliver, index, enabled (controlled runs)"),
    _run("step.ready", "enabled, blocked: step mode waits for the learner"),
    _run("step.refused", "requested, reason"),
    _run("explore.progress", "explored, distinct"),
    _run("explore.result", "explored, exhaustive, states, outcomes, stopped_by?"),
)}
EVENT_KINDS = tuple(KINDS)
THREAD_KINDS = tuple(k.name for k in KINDS.values() if k.thread)


# -- verdicts -------------------------------------------------------------------------
# What a run showed, in the learner's words (`run.finished.verdict`, built by verdicts.py):
# {"kind", "ok", "title", "text", "details"}. `ok` only for a run in which nothing went wrong.
VERDICT_KINDS = ("completed", "lost-update", "non-serial", "violated", "deadlock-cycle", "stuck",
                 "failed", "timeout", "cancelled")

_PLAIN_VERDICTS = {  # status -> (kind, title, text) when nothing more is known
    "completed": ("completed", "Completed", "Every thread finished."),
    "deadlock": ("stuck", "Stuck", "The threads are stuck: none of them can ever go on."),
    "violated": ("violated", "Invariant broken", "An invariant was broken."),
    "failed": ("failed", "Failed", "The run failed."),
    "timeout": ("timeout", "Too long", "The run took too long and was stopped."),
    "cancelled": ("cancelled", "Cancelled", "The run was cancelled."),
}


def plain_verdict(status: str, error: str | None = None) -> dict[str, Any]:
    """The verdict of a run known only by its status (the sandbox's or the reaper's
    `run.finished`, or a run nobody judged): the status in words, and the error."""
    kind, title, text = _PLAIN_VERDICTS[status]
    if error and status in ("failed", "timeout", "cancelled"):
        text = f"{text[:-1]}: {error.rstrip('.')}."
    return {"kind": kind, "ok": status == "completed", "title": title, "text": text, "details": {}}


# -- builders -----------------------------------------------------------------------
def run_finished(status: str, error: str | None = None, *, shared: dict | None = None,
                 outputs: dict | None = None, schedule: list | None = None, verdict: dict | None = None,
                 **extra: Any) -> dict[str, Any]:
    """The fields of a `run.finished` event (without seq, t, node, thread).

    Every run ends with exactly one: the engine's, the sandbox's when the child died
    without a word, the reaper's when the worker died. What is not known is left out,
    but every final one carries a `verdict` (the plain one of its status when none is given)."""
    if status not in FINAL_STATUSES and status != PRUNED:
        raise ValueError(f"{status!r} is not a final status")
    fields: dict[str, Any] = {"status": status}
    for name, value in (("shared", shared), ("outputs", outputs), ("schedule", schedule)):
        if value is not None:
            fields[name] = value
    if error:
        fields["error"] = error
    fields.update(extra)
    if status != PRUNED:
        fields["verdict"] = verdict or plain_verdict(status, error)
    return fields


# -- the frontend's copy ------------------------------------------------------------
def _ts_list(name: str, values: tuple[str, ...] | list[str]) -> str:
    items = "".join(f'  "{v}",\n' for v in values)
    return f"export const {name} = [\n{items}] as const;\n"


def typescript() -> str:
    """A TypeScript module with the same vocabulary (event kinds, statuses, resource types)."""
    from .primitives.registry import CONSTRUCTORS, RESOURCE_TYPES

    parts = [
        "// Generated by `python -m playground.engine.contract typescript`\n"
        "// from playground/engine/contract.py and playground/engine/primitives/registry.py.\n"
        "// Do not edit: change the Python side and generate again.\n\n",
        f'export const EVENT_FORMAT = "{FORMAT}";\n\n',
        _ts_list("EVENT_KINDS", EVENT_KINDS),
        "export type EventKind = (typeof EVENT_KINDS)[number];\n\n",
        "/** Kinds a snippet's thread emits: they carry node, thread, line, snippet, lamport, vc. */\n",
        _ts_list("THREAD_EVENT_KINDS", THREAD_KINDS),
        "export type ThreadEventKind = (typeof THREAD_EVENT_KINDS)[number];\n\n",
        _ts_list("RUN_STATUSES", RUN_STATUSES),
        "export type RunStatus = (typeof RUN_STATUSES)[number];\n\n",
        _ts_list("FINAL_STATUSES", FINAL_STATUSES),
        "export type FinalStatus = (typeof FINAL_STATUSES)[number];\n\n",
        _ts_list("RESOURCE_TYPES", RESOURCE_TYPES),
        "export type ResourceType = (typeof RESOURCE_TYPES)[number];\n\n",
        _ts_list("THREADING_CONSTRUCTORS", CONSTRUCTORS),
    ]
    return "".join(parts)


def main(argv: list[str]) -> int:
    if argv != ["typescript"]:
        print("usage: python -m playground.engine.contract typescript", file=sys.stderr)
        return 2
    sys.stdout.write(typescript())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
