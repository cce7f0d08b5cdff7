"""The classroom's WebSockets, authenticated like its pages: the class's teacher by their
session, a student by their seat's signed cookie.

- `/ws/classrooms/<code>/`: the teacher's dashboard (full `dashboard` snapshots, at most
  one per CLASSROOM_FLUSH_SECONDS; opened with `?deltas=1`, `seats` messages instead: only
  the seats that changed and the class's summary when it changed, see board.py) or a
  student's page (their `seat`, the activity,
  votes, reveals, spotlights).
- `/ws/classrooms/<code>/screen`: the projector (teacher only): the activity's question,
  and only what the teacher reveals or spotlights.

Each socket joins its groups first, then sends the stored state (`state`), then what
the groups bring: nothing slips between the snapshot and the stream. A refused socket
is accepted, told why (`{"type": "error", "message"}`) and closed: 4404 no such class
(or not the teacher's), 4403 not allowed (a removed seat, a student on the screen
socket), 4410 when the class ends.
"""

import asyncio
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from . import actions, board, seats, state
from .models import Classroom, Seat
from .notifier import class_group, seat_group, teacher_group

# An open socket refreshes its seat's last_seen this often (presence).
BEAT_SECONDS = 30.0


@database_sync_to_async
def identify(user, cookies, code, screen):
    """(role, classroom, seat) or (close code, message, None)."""
    code = code.upper()
    if user is not None and user.is_authenticated:
        classroom = Classroom.objects.filter(code=code, teacher=user, ended__isnull=True).first()
        if classroom is not None:
            return "teacher", classroom, None
    classroom = Classroom.objects.filter(code=code, ended__isnull=True).first()
    if classroom is None:
        return 4404, "no open classroom with that code", None
    try:
        seat = seats.seat_from_cookies(cookies, classroom)
    except seats.SeatRefused as exc:
        return 4403, str(exc), None
    if seat is None:
        return 4404, "no open classroom with that code", None
    if screen:
        return 4403, "the projector view is the teacher's", None
    return "student", classroom, seat


@database_sync_to_async
def snapshot(role, classroom_id, seat_id):
    classroom = Classroom.objects.select_related("activity").get(pk=classroom_id)
    if role == "teacher":
        return board.dashboard(classroom)
    if role == "screen":
        return state.screen_view(classroom)
    seat = Seat.objects.get(pk=seat_id)
    seat.classroom = classroom
    return state.student_view(seat)


def _dashboard_update(classroom_id, seat_ids, seen):
    return board.update(Classroom.objects.select_related("activity").get(pk=classroom_id), seat_ids, seen)


# board.update: the messages a delta dashboard socket needs, and what it was shown then. Read
# in a thread of its own (thread_sensitive=False): on the one thread that every socket's
# database calls share, it waits behind the students' seat reads of the same flush (one
# per seat that changed). Each socket's reads are still one at a time (its refresher).
dashboard_update = database_sync_to_async(_dashboard_update, thread_sensitive=False)


class ClassroomConsumer(AsyncJsonWebsocketConsumer):
    screen = False

    async def connect(self):
        self.groups_joined, self.tasks = [], []
        self.role, self.seat_id = None, None
        self.dirty, self.refresher, self.last_refresh = False, None, 0.0
        # A dashboard socket opened with ?deltas=1: the seats that changed since the last
        # flush, what it was last shown (board.update), and whether it asked for the state.
        self.deltas, self.changed, self.seen, self.restate = False, set(), None, False
        await self.accept()
        code = self.scope["url_route"]["kwargs"]["code"]
        role, classroom, seat = await identify(self.scope.get("user"), self.scope.get("cookies") or {}, code,
                                               self.screen)
        if isinstance(role, int):
            await self.send_json({"type": "error", "message": classroom})
            await self.close(code=role)
            return
        self.role = "screen" if self.screen else role
        self.code, self.classroom_id = classroom.code, classroom.pk
        groups = [class_group(self.code)]
        if self.role == "teacher":
            groups.append(teacher_group(self.code))
        if self.role == "student":
            self.seat_id = seat.pk
            groups.append(seat_group(self.code, seat.pk))
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        if self.role == "student":
            await database_sync_to_async(actions.presence)(self.seat_id, self.code, +1)
            self.tasks.append(asyncio.create_task(self._beat()))
        self.deltas = self.role == "teacher" and parse_qs(self.scope.get("query_string", b"").decode()).get(
            "deltas") == ["1"]
        if self.deltas:
            messages, self.seen = await dashboard_update(self.classroom_id, (), None)
            await self.send_json({"type": "state", "dashboard": messages[0]["dashboard"]})
            return
        await self.send_json({"type": "state", self.role if self.role != "teacher" else "dashboard":
                              await snapshot(self.role, self.classroom_id, self.seat_id)})

    async def disconnect(self, code):
        for task in self.tasks:
            task.cancel()
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.role == "student" and self.groups_joined:
            self.groups_joined = []
            await database_sync_to_async(actions.presence)(self.seat_id, self.code, -1)

    async def _beat(self):
        while True:
            await asyncio.sleep(BEAT_SECONDS)
            await database_sync_to_async(actions.presence)(self.seat_id, self.code, 0)

    # --- from the page --------------------------------------------------------------------

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "editing" and self.role == "student":
            seat = await database_sync_to_async(Seat.objects.select_related("classroom").get)(pk=self.seat_id)
            await database_sync_to_async(actions.edited)(seat)
        elif kind == "refresh" and self.deltas:
            self.restate = True  # through the refresher: its messages go out in the order they were read
            self._refresh()
        elif kind == "refresh" and self.role:
            await self.send_json({"type": "state", self.role if self.role != "teacher" else "dashboard":
                                  await snapshot(self.role, self.classroom_id, self.seat_id)})
        else:
            await self.send_json({"type": "error", "message": f"unknown message type {kind!r}",
                                  "allowed": ["ping", "refresh"] + (["editing"] if self.role == "student" else [])})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            await super().receive(text_data, bytes_data, **kwargs)
        except ValueError:
            await self.send_json({"type": "error", "message": "messages must be JSON"})

    # --- teacher's actions, through the class's group (sent at once) ---------------------------

    async def classroom_activity(self, message):
        await self.send_json({"type": "activity", "activity": message["activity"]})
        self._refresh()

    async def classroom_vote(self, message):
        await self.send_json({"type": "vote", "activity": message["activity"], "vote": message["vote"],
                              "open": message["open"]})
        self._refresh()

    async def classroom_reveal(self, message):
        await self.send_json({"type": "reveal", "reveal": message["reveal"]})
        if self.deltas:
            self._refresh()  # the vote it closed: the activity changed, the whole dashboard follows

    async def classroom_spotlight(self, message):
        await self.send_json({"type": "spotlight", "spotlight": message["spotlight"]})

    async def classroom_ended(self, message):
        await self.send_json({"type": "ended"})
        await self.close(code=4410)

    # --- coalesced changes -----------------------------------------------------------------------

    async def classroom_dirty(self, message):
        self.changed.update(message.get("seats") or ())
        self._refresh()

    async def classroom_seat(self, message):
        if self.role == "student":
            view = await snapshot("student", self.classroom_id, self.seat_id)
            await self.send_json({"type": "seat", "seat": view["seat"]})

    async def classroom_removed(self, message):
        await self.send_json({"type": "removed", "message": "the teacher removed you from this class"})
        await self.close(code=4403)

    def _refresh(self):
        """The teacher's dashboard, read again at most once per CLASSROOM_FLUSH_SECONDS."""
        if self.role != "teacher":
            return
        self.dirty = True
        if self.refresher is None or self.refresher.done():
            self.refresher = asyncio.create_task(self._refresh_soon())
            self.tasks.append(self.refresher)

    async def _refresh_soon(self):
        while self.dirty:
            wait = self.last_refresh + settings.CLASSROOM_FLUSH_SECONDS - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.dirty = False
            self.last_refresh = time.monotonic()
            if self.deltas:
                await self._send_update()
                continue
            dashboard = await snapshot("teacher", self.classroom_id, None)
            await self.send_json({"type": "dashboard", "dashboard": dashboard})
        self.tasks = [task for task in self.tasks if not task.done()]

    async def _send_update(self):
        """The seats that changed since the last flush (or the whole dashboard, see board.update)."""
        changed, self.changed = self.changed, set()
        restate, self.restate = self.restate, False
        try:
            messages, self.seen = await dashboard_update(self.classroom_id, sorted(changed),
                                                         None if restate else self.seen)
        except Exception:
            self.seen = None  # the next flush sends the whole dashboard: nothing is lost
            raise
        if restate:
            messages = [{"type": "state", "dashboard": messages[0]["dashboard"]}]
        for message in messages:
            await self.send_json(message)


class ScreenConsumer(ClassroomConsumer):
    screen = True
