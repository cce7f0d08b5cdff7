"""The teacher's dashboard, whole or in parts, read from the database every time.

The whole one (`dashboard`) is what GET /api/classrooms/<code> and a dashboard socket's
`state` give. A dashboard socket opened with `?deltas=1` then gets, per flush, only what
changed since it was last sent something (`update`): the entries of the seats that changed
(added when new, `removed` when gone) and, when it changed, the class's `summary` (its
outcomes, witness gallery, tallies, shift and exploration), as one `seats` message; a
change to the activity itself (a push, a vote, the editing lock, a reveal) sends the whole
dashboard again. Each read takes the same few queries whatever the number of seats: the
seats asked for, the class's runs on the activity (only the parts of their results the
dashboard shows), the answers, the checks and the exploration.
"""

from collections import Counter, defaultdict, namedtuple

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from .models import Answer, SeatRun
from .state import (
    PRESENCE_STALE,
    activity_public,
    exploration,
    latest_checks,
    run_outcome,
    seat_json,
    shift,
    stamp,
    tally,
)

# A seat's run as the dashboard reads it: of its result only the shared state (its outcome)
# and the challenge's verdict, not its outputs. Duck-typed like a Run for state.py.
RunRow = namedtuple("RunRow", "id status created finished result")
SEAT_FIELDS = ("id", "classroom_id", "name", "joined", "last_seen", "connections", "edited")


def class_runs(classroom, activity):
    """[(seat id, run)]: the class's seat runs on the activity (all of them when there is none yet), oldest first."""
    links = SeatRun.objects.filter(seat__classroom=classroom, seat__removed__isnull=True)
    links = links.filter(activity=activity) if activity is not None else links
    rows = (links.annotate(has_result=ExpressionWrapper(Q(run__result__isnull=False), output_field=BooleanField()))
            .order_by("run__created", "run_id")
            .values_list("seat_id", "run_id", "run__status", "run__created", "run__finished", "run__result__shared",
                         "run__result__verdict", "has_result"))
    return [(seat_id, RunRow(run_id, status, created, finished,
                             {"shared": shared, "verdict": verdict} if has_result else None))
            for seat_id, run_id, status, created, finished, shared, verdict, has_result in rows]


def gallery(runs):
    """The witness gallery: the finished runs grouped by outcome, one card per distinct
    outcome with how many students found it and a run to show."""
    cards = {}
    for seat_id, run in runs:
        outcome = run_outcome(run)
        if outcome is None:
            continue
        card = cards.setdefault(outcome["key"], {**outcome, "students": set(), "runs": 0, "run": str(run.id)})
        card["students"].add(seat_id)
        card["runs"] += 1
    ordered = sorted(cards.values(), key=lambda c: (-len(c["students"]), c["label"]))
    return [{**card, "count": len(card["students"]), "students": sorted(card["students"])} for card in ordered]


def read(classroom, pick=None, now=None):
    """(the students' entries, the class's summary, each seat's work): every seat's entry,
    or only those of the seats `pick(work)` chooses (a queryset), given each seat's work
    now ({seat id: its latest run's id and status, its runs, its answers}: what a run or
    an answer changes); the summary is always the whole class's."""
    activity = classroom.activity
    runs = class_runs(classroom, activity)
    latest, counts = {}, Counter()
    for seat_id, run in runs:
        latest[seat_id] = run
        counts[seat_id] += 1
    answers, by_seat = [], defaultdict(dict)
    if activity is not None:
        answers = list(Answer.objects.filter(activity=activity, seat__removed__isnull=True)
                       .values_list("seat_id", "vote", "answer"))
        for seat_id, vote, answer in answers:
            by_seat[seat_id][vote] = answer
    work = {seat_id: work_of(latest.get(seat_id), counts[seat_id], by_seat.get(seat_id, {}))
            for seat_id in latest.keys() | by_seat.keys()}
    whole = pick is None
    seats = list((classroom.seats.filter(removed__isnull=True) if whole else pick(work)).only(*SEAT_FIELDS))
    now = now or timezone.now()
    checks = latest_checks(activity, seat_ids=None if whole else [seat.pk for seat in seats])
    students = [seat_json(seat, latest.get(seat.pk), activity, by_seat.get(seat.pk, {}), counts[seat.pk], now,
                          checks.get(seat.pk)) for seat in seats]
    outcomes, labels = Counter(), {}
    for run in latest.values():
        outcome = run_outcome(run)
        if outcome:
            outcomes[outcome["key"]] += 1
            labels[outcome["key"]] = outcome["label"]
    current = None
    if activity is not None:
        pairs = [(vote, answer) for _, vote, answer in answers]
        current = {"id": activity.pk, "tallies": [tally(activity, v, pairs) for v in (1, 2) if v <= activity.vote],
                   "shift": shift(by_seat), "exploration": exploration(activity)}
    return students, {"outcomes": [{"key": k, "label": labels[k], "count": n} for k, n in outcomes.most_common()],
                      "gallery": gallery(runs), "activity": current}, work


def work_of(latest, runs, answers):
    return [str(latest.id) if latest else None, latest.status if latest else None, runs,
            {str(vote): answer for vote, answer in sorted(answers.items())}]


def dashboard(classroom):
    """The teacher's view: roster with presence, each student's answers, status, run,
    outcome and challenge; the class's outcomes, the witness gallery, the tallies."""
    return whole_dashboard(classroom)[0]


def whole_dashboard(classroom):
    """(the dashboard, each seat's work: see read)."""
    activity = classroom.activity
    students, summary, work = read(classroom)
    current = None
    if activity is not None:
        current = {**activity_public(activity), **{k: summary["activity"][k] for k in ("tallies", "shift", "exploration")}}
    return {"role": "teacher", "code": classroom.code, "title": classroom.title, "open": classroom.is_open,
            "created": stamp(classroom.created), "ended": stamp(classroom.ended),
            "students": students, "activity": current, "outcomes": summary["outcomes"], "gallery": summary["gallery"],
            "spotlight": classroom.spotlight,
            "activities": list(classroom.activities.order_by("number").values("id", "number", "mode", "scenario"))}, work


# --- what a dashboard socket has been shown, and what it needs next ---------------------------

def activity_key(activity):
    """What of the activity only a whole dashboard carries (a change sends it whole again)."""
    if activity is None:
        return None
    if isinstance(activity, dict):
        return [activity["id"], activity["vote"]["number"], activity["vote"]["open"], activity["editing"],
                list(activity["revealed"])]
    return [activity.pk, activity.vote, activity.vote_open, activity.editing, list(activity.revealed)]


def shown(whole, work, at):
    """What a socket was shown by a whole dashboard `whole` read at `at`."""
    current = whole["activity"]
    return {"activity": activity_key(current), "at": at, "work": work, "summary": {
        "outcomes": whole["outcomes"], "gallery": whole["gallery"],
        "activity": current and {"id": current["id"], **{k: current[k] for k in ("tallies", "shift", "exploration")}}}}


def update(classroom, seat_ids, seen):
    """([messages], what the socket has been shown then) to bring a dashboard socket that
    was last shown `seen` (None: nothing yet) up to date, after the seats `seat_ids` changed.

    The seats read are those marked as changed; those whose runs or answers differ from
    what the socket was shown (their mark may still be on its way: a busy worker's flush
    lags, and the class's runs are read anyway); and those whose presence lapsed since (a
    socket that stopped beating without closing: connected no more, with nothing marked)."""
    now = timezone.now()
    if seen is None or seen["activity"] != activity_key(classroom.activity):
        whole, work = whole_dashboard(classroom)
        return [{"type": "dashboard", "dashboard": whole}], shown(whole, work, now)
    lapsed = Q(connections__gt=0, last_seen__gt=seen["at"] - PRESENCE_STALE, last_seen__lte=now - PRESENCE_STALE)
    wanted = set(seat_ids)

    def pick(work):
        wanted.update(seat for seat in work.keys() | seen["work"].keys() if work.get(seat) != seen["work"].get(seat))
        return classroom.seats.filter(removed__isnull=True).filter(Q(pk__in=list(wanted)) | lapsed)

    students, summary, work = read(classroom, pick, now)
    message = {"type": "seats", "students": students,
               "removed": sorted(wanted - {student["id"] for student in students})}
    if summary != seen["summary"]:
        message["summary"] = summary
    seen = {**seen, "at": now, "summary": summary, "work": work}
    return ([message] if students or message["removed"] or "summary" in message else []), seen
