"""Executes a claimed run: the engine's sandboxed child → DB rows + channel-layer group.

The Celery task claims the run and calls `execute`; everything here is plain code.
Per batch of events: bulk-insert them, then send them to the group `run.<id>`. The
insert comes first so that a consumer who sees a gap in live batches can always fill
it from the database.
"""

import asyncio
import logging
import threading
import time

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from playground.engine.events import MAX_FINISHED_BYTES, dumps, snapshot
from playground.engine.sandbox import SandboxedRun

from . import messages, reaper
from .layer_link import get_link
from .models import Run, TraceEvent, group_name
from .notify import announce

log = logging.getLogger(__name__)

# After a cancel is asked of the child, how long it gets to stop on its own.
CANCEL_GRACE_SECONDS = 3.0


def execute(run_id):
    """Run a claimed (status running) run to its end; returns the final status."""
    run = Run.objects.get(id=run_id)
    link = get_link()
    layer = get_channel_layer()
    group = group_name(run.id)

    try:
        sandbox = SandboxedRun(run.spec)
        sandbox.start()
    except Exception as exc:
        log.exception("run %s: could not start the sandbox", run.id)
        return finish(run.id, None, f"could not start the run: {exc}", link, layer)

    control_channel = link.call(layer.new_channel())
    listener = link.spawn(_listen(layer, control_channel, sandbox))
    link.call(_noop())  # the listener has now started receiving on its channel
    Run.objects.filter(id=run.id).update(control_channel=control_channel)

    watch = Watch(run, sandbox)
    watch.start()
    limit = TraceLimit(sandbox)
    notifier = Notifier(layer, group)
    finished, error, wall = None, "", None
    try:
        sending = None
        for pairs in sandbox.raw_batches(max_events=settings.RUN_BATCH_MAX_EVENTS,
                                         max_wait=settings.RUN_BATCH_MAX_WAIT):
            if not pairs:
                continue
            pairs = limit.admit(pairs)
            batch = Batch(pairs)
            store(run.id, batch)
            watch.trace_bytes = limit.stored
            if wall is None and sandbox.wall is not None:
                wall = sandbox.wall  # the child's clock at t = 0: what delays are measured from
                Run.objects.filter(id=run.id).update(wall=wall)
            # One send in flight: the next batch is stored while this one travels,
            # and waiting for the previous send first keeps the batches in order.
            if sending is not None:
                notifier.settle(sending)
            sending = link.spawn(notifier.send(batch.message()))
            if batch.last_kind == "run.finished":
                finished = pairs[-1][0]
            if limit.stopped:
                break  # the child is killed; nothing after the cap is stored
        if sending is not None:
            notifier.settle(sending)
    except BaseException as exc:  # includes Celery's SoftTimeLimitExceeded
        log.exception("run %s: stopped by an error in the worker", run.id)
        error = f"worker error: {exc.__class__.__name__}: {exc}"
        sandbox.kill("worker error")
        if not isinstance(exc, Exception):
            raise
    finally:
        watch.stop()
        listener.cancel()
    return finish(run.id, finished, error, link, layer, cancelled=watch.cancel_asked, trace_bytes=limit.stored)


class TraceLimit:
    """The run's storage caps, applied to each batch before it is stored: an event bigger
    than RUN_MAX_EVENT_BYTES becomes a stub that says so; once the stored trace would pass
    RUN_MAX_TRACE_BYTES the child is killed and the batch ends, at that event's seq, with
    a run.finished saying why. The common case (a batch well within both) costs one
    len() per event."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.max_trace = settings.RUN_MAX_TRACE_BYTES
        self.max_event = settings.RUN_MAX_EVENT_BYTES
        self.stored = 0
        self.stopped = False

    def admit(self, pairs):
        sizes = [len(line) for _, line in pairs]
        total = sum(sizes)
        if self.stored + total <= self.max_trace and max(sizes) <= self.max_event:
            self.stored += total
            return pairs
        admitted = []
        for (event, line), size in zip(pairs, sizes, strict=True):
            if size > self.max_event:
                event = oversized(event, size, self.max_event)
                line = dumps(event)
                size = len(line)
            if self.stored + size > self.max_trace and event.get("kind") != "run.finished":
                stop = self.stop_event(event)
                line = dumps(stop)
                admitted.append((stop, line))
                self.stored += len(line)
                return admitted
            admitted.append((event, line))
            self.stored += size
        return admitted

    def stop_event(self, refused):
        """The run.finished that ends a run at its trace cap, in place of the event refused."""
        self.stopped = True
        megabytes = self.max_trace / 1_000_000
        reason = f"the run produced more than {megabytes:g} MB of trace; it was stopped"
        self.sandbox.kill("trace limit")
        # What the sandbox saw of the final state, if it keeps it (it tallies var.write and output events).
        shared = getattr(self.sandbox, "_shared", None) or {}
        outputs = getattr(self.sandbox, "_outputs", None) or {}
        return {"seq": refused["seq"], "t": refused.get("t", 0), "kind": "run.finished", "node": None,
                "thread": None, "status": "failed", "error": reason,
                "shared": snapshot(shared, MAX_FINISHED_BYTES), "outputs": snapshot(outputs, MAX_FINISHED_BYTES),
                "schedule": []}


def oversized(event, size, limit):
    """What is stored of an event bigger than the per-event limit (only a misbehaving child
    writes one): its place in the trace and a note; a run.finished keeps its outcome."""
    note = f"this {event.get('kind')} event was {size} bytes, more than the limit of {limit}; it was cut"
    if event.get("kind") == "run.finished":
        small = {key: event.get(key) for key in ("seq", "t", "kind", "node", "thread", "status", "error")}
        small.update(shared=snapshot(event.get("shared"), limit // 4), outputs=snapshot(event.get("outputs"), limit // 4),
                     schedule=event.get("schedule") or [], cut=note)
        if len(dumps(small)) > limit:
            small["schedule"] = []
        return small
    return {key: event.get(key) for key in ("seq", "t", "kind", "node", "thread")} | {"cut": note}


class Batch:
    """Events as the child wrote them: each event's JSON line is stored and streamed
    as it is, never decoded and encoded again (that was most of the worker's time)."""

    __slots__ = ("first", "seqs", "kinds", "raw", "lines", "last_kind")

    def __init__(self, pairs):
        self.seqs = [int(event["seq"]) for event, _ in pairs]
        self.kinds = [str(event["kind"]) for event, _ in pairs]
        self.first = self.seqs[0]
        self.last_kind = self.kinds[-1]
        self.raw = [line for _, line in pairs]  # bytes
        self.lines = [line.decode() for line in self.raw]  # str, for SQLite and the channel layer

    def message(self):
        """The group message: seq runs gapless from `first`, one JSON text per event."""
        return messages.events(self.first, self.lines)


def store(run_id, batch):
    """Insert a batch in one transaction: COPY on PostgreSQL, one executemany on SQLite.
    bulk_create spends more time building model instances than the database spends
    storing the rows, and this is the hot path of every run."""
    table = connection.ops.quote_name(TraceEvent._meta.db_table)
    run_key = Run._meta.pk.get_db_prep_value(run_id, connection)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Do not wait for the WAL flush at each batch's commit: a database crash may
            # lose the last milliseconds of a trace, never its consistency, and the
            # flush wait is what otherwise limits a run to a few thousand events/s.
            cursor.execute("SET LOCAL synchronous_commit = off")
            with cursor.cursor.copy(f"COPY {table} (run_id, seq, kind, data) FROM STDIN") as copy:
                copy.write(copy_text(run_key, batch))
        else:
            rows = [(run_key, seq, kind, line)
                    for seq, kind, line in zip(batch.seqs, batch.kinds, batch.lines, strict=True)]
            cursor.executemany(f"INSERT INTO {table} (run_id, seq, kind, data) VALUES (%s, %s, %s, %s)", rows)


def copy_text(run_key, batch):
    """COPY's text format in one bytes string: one write, not a Python call per row.
    Backslash, tab and line breaks are COPY's own syntax, so they are escaped (JSON
    text never holds a raw tab or line break, only backslashes)."""
    key = str(run_key).encode()
    return b"".join(b"%s\t%d\t%s\t%s\n" % (key, seq, _copy_escape(kind.encode()), _copy_escape(line))
                    for seq, kind, line in zip(batch.seqs, batch.kinds, batch.raw, strict=True))


def _copy_escape(text):
    if b"\\" not in text and b"\t" not in text and b"\n" not in text and b"\r" not in text:
        return text
    return text.replace(b"\\", b"\\\\").replace(b"\t", b"\\t").replace(b"\n", b"\\n").replace(b"\r", b"\\r")


def finish(run_id, finished, error, link, layer, cancelled=False, trace_bytes=None):
    """Record the outcome (from the run.finished event) and tell the watchers."""
    status = (finished or {}).get("status", "failed")
    if status not in Run.FINAL:
        status = Run.Status.FAILED
    if cancelled and status == Run.Status.FAILED:
        status = Run.Status.CANCELLED  # the child was killed because a person cancelled it
    error = (finished or {}).get("error") or error or ("" if finished else "the run ended without a result")
    Run.objects.filter(id=run_id, status=Run.Status.RUNNING).update(
        status=status, result=finished, error=error, finished=timezone.now(), control_channel=""
    )
    if trace_bytes is not None:
        Run.objects.filter(id=run_id).update(trace_bytes=trace_bytes)
    # Read back: a reaper may have ended the run first, and then its word stands.
    run = Run.objects.only("status", "error").get(id=run_id)
    announce(run_id, run.status)
    try:
        link.call(layer.group_send(group_name(run_id), messages.status(run.status, run.error)))
    except Exception:
        log.exception("run %s: could not send the final status", run_id)
    return run.status


async def _noop():
    return None


class Notifier:
    """Sends a run's batches to its group, best effort. The channel layer only notifies:
    when it is down (Redis restarting) the run goes on storing its events, which is the
    record, and watchers catch up from the database; a run never fails for it."""

    def __init__(self, layer, group):
        self.layer, self.group, self.failures = layer, group, 0

    async def send(self, message):
        try:
            await self.layer.group_send(self.group, message)
        except Exception as exc:
            self.failures += 1
            if self.failures == 1:  # once per run, not once per batch
                log.warning("%s: the channel layer refused a batch (%s: %s); watchers catch up from the database",
                            self.group, exc.__class__.__name__, exc)

    def settle(self, future):
        """Wait for the previous send (keeps batches in order), never raising."""
        try:
            future.result(timeout=30)
        except Exception:
            log.warning("%s: a batch's notification did not finish in 30 s", self.group)


async def _listen(layer, channel, sandbox):
    """Forward control messages from WebSockets and the API to the child; a channel
    layer that goes away for a while (Redis restarting) is waited for."""
    while True:
        try:
            message = await layer.receive(channel)
        except asyncio.CancelledError:
            raise
        except Exception:
            await asyncio.sleep(0.5)
            continue
        control = message.get("control")
        if isinstance(control, dict):
            try:
                sandbox.control(control)
            except Exception:
                log.exception("control %r could not be passed to the run", control)


class Watch(threading.Thread):
    """Beside the event loop, on its own thread so it keeps beating while a step-mode
    run waits for a click: records the heartbeat, polls the cancel flag (the channel
    layer may drop the cancel message), kills a child that outlives its deadline or
    ignores a cancel, and reaps other workers' dead runs."""

    def __init__(self, run, sandbox):
        super().__init__(name=f"watch-{run.id}", daemon=True)
        self.run_id = run.id
        self.sandbox = sandbox
        timeout = (run.spec.get("run") or {}).get("timeout_ms") or 10_000
        self.deadline = time.monotonic() + timeout / 1000 + settings.RUN_DEADLINE_GRACE_SECONDS
        self.cancel_asked = False
        self.trace_bytes = 0  # stored so far, set by the event loop; written with each heartbeat
        self._cancel_at = None
        self._stopped = threading.Event()
        self._last_reap = time.monotonic()

    def stop(self):
        self._stopped.set()
        self.join(timeout=10)

    def run(self):
        try:
            while not self._stopped.wait(settings.RUN_HEARTBEAT_SECONDS):
                try:
                    self.beat()
                except Exception:  # a database hiccup: try again at the next beat
                    log.exception("run %s: heartbeat failed", self.run_id)
                    close_old_connections()
        finally:
            connection.close()

    def beat(self):
        alive = Run.objects.filter(id=self.run_id, status=Run.Status.RUNNING).update(
            heartbeat=timezone.now(), trace_bytes=self.trace_bytes)
        if not alive:  # reaped or otherwise ended elsewhere: stop spending a worker on it
            self.sandbox.kill("ended elsewhere")
            return
        now = time.monotonic()
        if not self.cancel_asked and Run.objects.filter(id=self.run_id, cancel_requested=True).exists():
            self.cancel_asked = True
            self._cancel_at = now
            self.sandbox.control({"type": "cancel"})
        if self._cancel_at is not None and now - self._cancel_at > CANCEL_GRACE_SECONDS:
            self.sandbox.kill("cancelled")
        if now > self.deadline:
            log.warning("run %s: past its deadline, killing the child", self.run_id)
            self.sandbox.kill("timeout")
        if now - self._last_reap > settings.RUN_STALE_SECONDS:
            self._last_reap = now
            reaper.reap_stale_runs()
        reaper.maybe_prune_runs()  # visitors' old runs, at most once per RUNS_PRUNE_INTERVAL_SECONDS
