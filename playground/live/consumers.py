"""The WebSocket a browser watches a run through: /ws/runs/<id>/?after=N.

Exactly-once delivery to the client rests on the `seq` cursor, not on the channel
layer (which is at-most-once): the consumer joins the group first, then sends the
stored events after the cursor, then live batches, dropping what it has already sent
and filling any gap from the database, where every batch is stored before it is sent.

Events travel as JSON text from the engine's child to the client: the worker stores
and sends each event's line as the child wrote it, and the consumer joins those lines
into `{"type": "events", "events": [...]}` without decoding or encoding them again.
"""

import asyncio
import json
import time
from urllib.parse import parse_qs

import orjson
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db.models import TextField
from django.db.models.functions import Cast

from playground.runs import actions, messages
from playground.runs.models import Run, TraceEvent, group_name
from playground.runs.reaper import reap_stale_runs

# Stored events are read and sent in chunks of this many.
CHUNK = 1000
# How often a connection checks the database for what the layer may have dropped.
RECHECK_SECONDS = 5.0


def dumps(content):
    try:
        return orjson.dumps(content).decode()
    except TypeError:  # orjson refuses integers beyond 64 bits; a snippet may make one
        return json.dumps(content)


@database_sync_to_async
def load_status(run_id):
    reap_stale_runs(run_id)  # a client looking at a run whose worker died learns it now
    return Run.objects.filter(id=run_id).values_list("status", "error").first()


@database_sync_to_async
def load_lines(run_id, after, upto=None, limit=CHUNK):
    """Stored events after `after` as (seq, JSON text): the text is sent as it is."""
    rows = TraceEvent.objects.filter(run_id=run_id, seq__gt=after)
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    return list(rows.order_by("seq").annotate(text=Cast("data", TextField())).values_list("seq", "text")[:limit])


class RunConsumer(AsyncJsonWebsocketConsumer):
    @classmethod
    async def encode_json(cls, content):
        return dumps(content)

    async def connect(self):
        self.run_id = self.scope["url_route"]["kwargs"]["run_id"]
        self.group = group_name(self.run_id)
        self.lock = asyncio.Lock()
        self.final_sent = False
        self.recheck = None
        self.last_live = time.monotonic()
        await self.accept()
        after = self._after()
        if after is None:
            await self.send_json({"type": "error", "message": "after must be a whole number ≥ 0"})
            await self.close(code=4400)
            return
        self.sent = after
        found = await load_status(self.run_id)
        if found is None:
            await self.send_json({"type": "error", "message": "no such run"})
            await self.close(code=4404)
            return
        # Join first, then read the store: an event is either stored by the time we
        # read, or its batch reaches us after joining; the seq cursor removes overlap.
        await self.channel_layer.group_add(self.group, self.channel_name)
        async with self.lock:
            # The status is read before the store: a run is final only once all its
            # events are stored, so a final status read here is sent after all of them.
            status, error = await load_status(self.run_id)
            await self._send_status(status, error)
        self.recheck = asyncio.create_task(self._recheck_forever())

    async def disconnect(self, code):
        if self.recheck is not None:
            self.recheck.cancel()
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    # --- from the worker, through the group --------------------------------------

    async def run_events(self, message):
        self.last_live = time.monotonic()
        first, lines = messages.event_lines(message)
        last = first + len(lines) - 1
        async with self.lock:
            if last <= self.sent:
                return
            if first > self.sent + 1:
                # A batch went missing in the layer; the database has it.
                await self._catch_up(upto=first - 1)
                if self.sent != first - 1:
                    await self._catch_up()  # never send past a hole: take all from the store
                    return
            await self._send_lines(lines[self.sent + 1 - first:], last)

    async def run_status(self, message):
        async with self.lock:
            await self._send_status(message.get("status"), message.get("error", ""))

    # --- from the browser -----------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            content = json.loads(text_data or bytes_data or "")
        except ValueError:
            await self.send_json({"type": "error", "message": "messages must be JSON"})
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind not in actions.CONTROL_TYPES:
            await self.send_json({"type": "error", "message": f"unknown message type {kind!r}",
                                  "allowed": sorted(actions.CONTROL_TYPES)})
            return
        if kind == "cancel":
            await self._cancel()
            return
        channel = await database_sync_to_async(actions.control_channel_of)(self.run_id)
        if not channel:
            await self.send_json({"type": "error", "message": "the run is not running"})
            return
        await self.channel_layer.send(channel, messages.control(content))

    async def _cancel(self):
        """Only the run's owner (the account, or the browser session, whose cookie came
        with the handshake) may cancel it, as over HTTP."""
        user = self.scope.get("user")
        session = self.scope.get("session")
        visitor = (session.session_key or "") if session is not None else ""
        allowed = await database_sync_to_async(actions.may_cancel)(self.run_id, user, visitor)
        if not allowed:
            await self.send_json({"type": "error", "message": "only the person (or browser session) that "
                                                              "started this run may cancel it"})
            return
        await database_sync_to_async(actions.request_cancel)(self.run_id)

    # --- helpers ------------------------------------------------------------------------

    def _after(self):
        values = parse_qs(self.scope.get("query_string", b"").decode()).get("after", ["0"])
        try:
            after = int(values[-1])
        except ValueError:
            return None
        return after if after >= 0 else None

    async def _catch_up(self, upto=None):
        """Send stored events after the cursor (up to `upto`), stopping at any hole."""
        while True:
            rows = await load_lines(self.run_id, self.sent, upto)
            contiguous = []
            for seq, text in rows:
                if seq != self.sent + len(contiguous) + 1:
                    break
                contiguous.append(text)
            if contiguous:
                await self._send_lines(contiguous, self.sent + len(contiguous))
            if len(contiguous) < CHUNK:
                return

    async def _send_lines(self, lines, last):
        """Send events given as JSON texts, the last of which has seq `last`."""
        await self.send(text_data='{"type":"events","events":[' + ",".join(lines) + "]}")
        self.sent = last

    async def _send_status(self, status, error=""):
        """Send a status; every stored event goes first, so a final status is always
        last (the layer may have dropped the last batches; the store has them)."""
        if self.final_sent:
            return
        await self._catch_up()
        message = {"type": "status", "status": status}
        if error:
            message["error"] = error
        await self.send_json(message)
        self.final_sent = status in Run.FINAL

    async def _recheck_forever(self):
        """Fall back on the database for what the at-most-once layer dropped (a last
        batch, the final status) so that a client never waits forever."""
        while not self.final_sent:
            await asyncio.sleep(RECHECK_SECONDS)
            if time.monotonic() - self.last_live < RECHECK_SECONDS:
                continue  # batches are flowing: reading the store now would only compete with them
            async with self.lock:
                found = await load_status(self.run_id)
                if found is None:
                    return
                if found[0] in Run.FINAL:
                    await self._send_status(*found)
                else:
                    await self._catch_up()
