"""What changes a classroom, in one place (the API and the consumers call these): each
change is written to the database first, then announced (notifier.py)."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from playground.runs.models import Run

from . import notifier, state
from .models import TEACHERS_GROUP, Activity, Answer, Classroom, Seat, SeatCheck, SeatRun, new_code


class Refused(Exception):
    """A request the class's rules refuse: `status` and a message for the person."""

    def __init__(self, status, message, path=""):
        super().__init__(message)
        self.status, self.message, self.path = status, message, path


def is_teacher(user):
    return bool(user and user.is_authenticated and user.groups.filter(name=TEACHERS_GROUP).exists())


def create_classroom(teacher, title):
    for _ in range(20):
        try:
            with transaction.atomic():
                return Classroom.objects.create(code=new_code(), title=title, teacher=teacher)
        except IntegrityError:  # the code is taken by an open class: draw again
            continue
    raise Refused(409, "could not find a free join code; try again")


def end(classroom):
    if classroom.ended is None:
        Classroom.objects.filter(pk=classroom.pk, ended__isnull=True).update(ended=timezone.now())
        notifier.broadcast(classroom.code, "ended")


# --- seats -------------------------------------------------------------------------------

def fold(name):
    return " ".join(name.split()).casefold()


def join(classroom, name):
    name = " ".join(name.split())
    if not name:
        raise Refused(400, "give a display name", "name")
    try:
        with transaction.atomic():
            seat = Seat.objects.create(classroom=classroom, name=name, name_key=fold(name))
    except IntegrityError:
        raise Refused(409, f"someone in this class is already called {name!r}; choose another name", "name") from None
    notifier.mark_dirty(classroom.code, [seat.pk])
    return seat


def rename(seat, name):
    name = " ".join(name.split())
    if not name:
        raise Refused(400, "give a display name", "name")
    try:
        with transaction.atomic():
            Seat.objects.filter(pk=seat.pk).update(name=name, name_key=fold(name))
    except IntegrityError:
        raise Refused(409, f"someone in this class is already called {name!r}", "name") from None
    seat.name = name
    notifier.mark_dirty(seat.classroom.code, [seat.pk])


def remove(seat):
    Seat.objects.filter(pk=seat.pk, removed__isnull=True).update(removed=timezone.now())
    notifier.to_seat(seat.classroom.code, seat.pk, "removed", seat=seat.pk)
    notifier.mark_dirty(seat.classroom.code, [seat.pk])


def presence(seat_id, code, delta=0):
    """A socket of the seat opened (+1), closed (-1), or beat (0)."""
    now = timezone.now()
    Seat.objects.filter(pk=seat_id).update(connections=F("connections") + delta, last_seen=now)
    if delta:
        notifier.mark_dirty(code, [seat_id])


def edited(seat):
    Seat.objects.filter(pk=seat.pk).update(edited=timezone.now())
    notifier.mark_dirty(seat.classroom.code, [seat.pk])


# --- activities and votes -------------------------------------------------------------------

def push(classroom, spec, slug, mode, challenge, question, editing):
    with transaction.atomic():
        number = classroom.activities.count() + 1
        activity = Activity.objects.create(classroom=classroom, number=number, scenario=slug, spec=spec, mode=mode,
                                           challenge=challenge or "", question=question, editing=editing,
                                           vote=1, vote_open=question is not None)
        Classroom.objects.filter(pk=classroom.pk).update(activity=activity)
    classroom.activity = activity
    notifier.broadcast(classroom.code, "activity", activity=state.activity_public(activity))
    return activity


def set_editing(activity, editing):
    Activity.objects.filter(pk=activity.pk).update(editing=editing)
    activity.editing = editing
    notifier.broadcast(activity.classroom.code, "activity", activity=state.activity_public(activity))


def set_vote(activity, vote, open_):
    """Open a vote (closing the one before: answers never change after their vote closes), or close one."""
    if activity.question is None:
        raise Refused(409, "this activity asks no question", "activity")
    if vote < activity.vote:
        raise Refused(409, f"vote {activity.vote} has begun; vote {vote} cannot change any more", "vote")
    if open_ and vote == activity.vote and not activity.vote_open:
        raise Refused(409, f"vote {vote} has closed; it cannot be opened again (open vote {vote + 1})", "vote")
    activity.vote, activity.vote_open = vote, open_
    Activity.objects.filter(pk=activity.pk).update(vote=vote, vote_open=open_)
    notifier.broadcast(activity.classroom.code, "vote", activity=activity.pk, vote=vote, open=open_)


def answer(seat, activity, value, vote):
    if activity.question is None:
        raise Refused(409, "this activity asks no question", "activity")
    vote = vote or activity.vote
    if vote != activity.vote or not activity.vote_open:
        raise Refused(409, f"vote {vote} is not open" + (" any more" if vote <= activity.vote else " yet")
                      + "; answers cannot change after a vote closes", "vote")
    choices = (activity.question or {}).get("choices")
    if choices and value not in choices:
        raise Refused(400, f"answer with one of the choices: {', '.join(map(str, choices))}", "answer")
    Answer.objects.update_or_create(activity=activity, seat=seat, vote=vote,
                                    defaults={"answer": value, "at": timezone.now()})
    notifier.mark_dirty(seat.classroom.code, [seat.pk])
    return vote


def reveal(activity, vote=None):
    """Show the tally of a vote (the current one unless named) to everyone; it closes that vote."""
    vote = vote or activity.vote
    if activity.question is None:
        raise Refused(409, "this activity asks no question", "activity")
    if vote > activity.vote:
        raise Refused(409, f"vote {vote} has not been opened", "vote")
    with transaction.atomic():
        row = Activity.objects.select_for_update().get(pk=activity.pk)
        if vote not in row.revealed:
            row.revealed = sorted([*row.revealed, vote])
        if vote == row.vote:
            row.vote_open = False
        row.save(update_fields=["revealed", "vote_open"])
    activity.revealed, activity.vote_open = row.revealed, row.vote_open
    content = state.reveal_content(activity)
    notifier.broadcast(activity.classroom.code, "reveal", reveal=content)
    return content


def explore(activity, teacher):
    """The scenario's exhaustive exploration: a normal run (mode explore) of the teacher's,
    linked to the activity; its outcomes go beside the votes once it has finished."""
    from playground.runs import actions as runs

    spec = {**activity.spec, "run": {**(activity.spec.get("run") or {}), "mode": "explore"}}
    run = runs.create_run(spec, activity.scenario, owner=teacher)
    Activity.objects.filter(pk=activity.pk).update(exploration=run)
    notifier.mark_dirty(activity.classroom.code)
    return run


def spotlight(classroom, run_id, show_name):
    """Put a run of the class (a student's, or the exploration) on the projector, or clear it."""
    if run_id is None:
        shown = None
    else:
        link = SeatRun.objects.filter(run_id=run_id, seat__classroom=classroom).select_related("seat", "run").first()
        exploration = Activity.objects.filter(classroom=classroom, exploration_id=run_id).first()
        if link is None and exploration is None:
            raise Refused(404, "no such run in this class", "run")
        run = link.run if link else Run.objects.get(id=run_id)
        outcome = state.run_outcome(run)
        shown = {"run": str(run.id), "ws": f"/ws/runs/{run.id}/", "events": f"/api/runs/{run.id}/events",
                 "kind": "exploration" if link is None else "run", "status": run.status,
                 "name": link.seat.name if link and show_name else None,
                 "outcome": outcome and {k: outcome[k] for k in ("key", "label")}, "at": timezone.now().isoformat()}
    Classroom.objects.filter(pk=classroom.pk).update(spotlight=shown)
    classroom.spotlight = shown
    notifier.broadcast(classroom.code, "spotlight", spotlight=shown)
    return shown


# --- runs of a seat (the hook in POST /api/runs) ------------------------------------------------

def run_refusal(seat):
    """Why the seat may not start a run now (CLASSROOM_MAX_RUNNING at once,
    CLASSROOM_MAX_RUNS_PER_MINUTE), or None. Call inside the transaction that creates it."""
    Seat.objects.select_for_update().filter(pk=seat.pk).first()  # one seat's runs start one at a time
    mine = SeatRun.objects.filter(seat=seat)
    running = mine.filter(run__status__in=[Run.Status.QUEUED, Run.Status.RUNNING]).count()
    if running >= settings.CLASSROOM_MAX_RUNNING:
        return (f"you already have {running} runs going and may have at most {settings.CLASSROOM_MAX_RUNNING} "
                f"at once in class; wait for one to finish (or cancel it)")
    recent = mine.filter(created__gte=timezone.now() - timedelta(minutes=1)).count()
    if recent >= settings.CLASSROOM_MAX_RUNS_PER_MINUTE:
        return (f"you started {recent} runs in the last minute and may start at most "
                f"{settings.CLASSROOM_MAX_RUNS_PER_MINUTE} a minute in class; wait a little")
    return None


def link_run(seat, run):
    SeatRun.objects.create(run=run, seat=seat, activity_id=seat.classroom.activity_id)
    notifier.mark_dirty(seat.classroom.code, [seat.pk])


def editing_refusal(seat, spec):
    """A locked activity runs its own code only: the spec's nodes must be the activity's."""
    activity = seat.classroom.activity
    if activity is None or activity.editing != Activity.Editing.LOCKED:
        return None
    if spec.get("nodes") != activity.spec.get("nodes") or spec.get("links", []) != activity.spec.get("links", []):
        return "the teacher has locked the code of this activity; run it as it is"
    return None


def record_check(seat, activity, challenge, result, run_id=None):
    """Keep the checker's answer on the seat (the dashboard shows the latest per activity)."""
    SeatCheck.objects.create(seat=seat, activity=activity, challenge=challenge["id"], kind=challenge["kind"],
                             passed=bool(result.get("passed")), message=str(result.get("message", "")),
                             result=result, run_id=run_id)
    notifier.mark_dirty(seat.classroom.code, [seat.pk])
