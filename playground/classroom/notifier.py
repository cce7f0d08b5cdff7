"""How a classroom's open pages learn that something changed. The database is the
record: the channel layer only notifies, and a page reads its state again on every
(re)connect.

Two kinds of message:
- a teacher's action (an activity pushed, a vote opened or closed, a reveal, a spotlight,
  a removal, the end) is sent at once, with what every receiver needs, to the class's
  group `classroom.<code>`: it is rare, and 200 students must see it together;
- everything else (run status changes, answers, presence) only marks the class *dirty*.
  A coalescing sender, one per process, flushes each dirty class at most every
  CLASSROOM_FLUSH_SECONDS (0.25 s): one `classroom.dirty` with the ids of the seats that
  changed to the teachers' group `classroom.<code>.teacher` (a dashboard reads itself again,
  whole or only those seats: board.py) and one `classroom.seat` to the group of each student
  whose seat changed. A class of 50 students running at once gives a dashboard a few updates
  a second, not one per run event. A mark is made once the transaction that made the change
  has committed, so a flush never reads the database before the change is there.
"""

import logging
import threading

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from playground.runs.layer_link import get_link

log = logging.getLogger(__name__)


def class_group(code):
    return f"classroom.{code}"


def teacher_group(code):
    return f"classroom.{code}.teacher"


def seat_group(code, seat_id):
    return f"classroom.{code}.seat.{seat_id}"


# --- at once --------------------------------------------------------------------------

def send_now(group, message):
    """Send a message to a group from synchronous code, best effort (the pages re-read the
    database when they reconnect, so a lost notification costs a stale page, not data)."""
    try:
        get_link().call(get_channel_layer().group_send(group, message), timeout=10)
    except Exception:
        log.exception("could not notify %s of %s", group, message.get("type"))


def broadcast(code, kind, **content):
    """A teacher's action, to every page of the class (students, dashboards, screens)."""
    send_now(class_group(code), {"type": f"classroom.{kind}", **content})


def to_seat(code, seat_id, kind, **content):
    send_now(seat_group(code, seat_id), {"type": f"classroom.{kind}", **content})


# --- coalesced ---------------------------------------------------------------------------

class Coalescer:
    """Marks collected per class and sent together, at most once per `delay` seconds."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending = {}  # code -> set of seat ids that changed

    def mark(self, code, seats=()):
        with self._lock:
            first = code not in self._pending
            self._pending.setdefault(code, set()).update(seats)
        if first:
            link = get_link()
            delay = settings.CLASSROOM_FLUSH_SECONDS
            link.loop.call_soon_threadsafe(link.loop.call_later, delay, self._flush, code)

    def _flush(self, code):
        with self._lock:
            seats = self._pending.pop(code, set())
        get_link().loop.create_task(self._send(code, sorted(seats)))

    async def _send(self, code, seats):
        layer = get_channel_layer()
        try:
            await layer.group_send(teacher_group(code), {"type": "classroom.dirty", "seats": seats})
            for seat_id in seats:
                await layer.group_send(seat_group(code, seat_id), {"type": "classroom.seat"})
        except Exception:
            log.exception("could not tell classroom %s's pages that it changed", code)


coalescer = Coalescer()


def mark_dirty(code, seats=()):
    """The class changed (the seats `seats`, or only what is not a seat's: the exploration),
    after the transaction under way if any: a dashboard that reads only the changed seats
    must not read one before its change is committed."""
    seats = list(seats)
    transaction.on_commit(lambda: coalescer.mark(code, seats))


def run_status_changed(sender, run_id, status, **kwargs):
    """The runs app's status_changed: a seat's run marks its class dirty."""
    from .models import Activity, SeatRun

    link = (SeatRun.objects.filter(run_id=run_id, seat__classroom__ended__isnull=True)
            .values_list("seat_id", "seat__classroom__code").first())
    if link is not None:
        mark_dirty(link[1], [link[0]])
        return
    # The teacher's exploration of an activity: its outcomes go beside the votes.
    code = (Activity.objects.filter(exploration_id=run_id, classroom__ended__isnull=True)
            .values_list("classroom__code", flat=True).first())
    if code:
        mark_dirty(code)
