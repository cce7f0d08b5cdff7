"""What each page of a class is shown, read from the database every time (the channel
layer only says when to read again): a student's own view, the projector's, the export,
and the pieces of the teacher's dashboard (board.py puts it together). Plain functions
over the models."""

import json
from collections import Counter, defaultdict
from datetime import timedelta

from django.utils import timezone

from playground.engine.spec import without_answers
from playground.runs.models import Run, TraceEvent

from .models import Answer, SeatCheck, SeatRun

# A seat with an open socket counts as connected while its pages beat (every 30 s).
PRESENCE_STALE = timedelta(seconds=90)
RUN_FIELDS = ("id", "status", "result", "created", "finished")


def stamp(value):
    return value.isoformat() if value else None


# --- outcomes -------------------------------------------------------------------------

def outcome_key(status, shared):
    """One distinct outcome: the final status and shared state, as canonical JSON. A
    student's run and the exploration's outcomes are keyed alike, so they line up."""
    return json.dumps({"shared": shared or {}, "status": status}, sort_keys=True, separators=(",", ":"))


def outcome_label(status, shared):
    parts = []
    nodes = shared or {}
    for node, variables in sorted(nodes.items()):
        if isinstance(variables, dict):
            prefix = f"{node}." if len(nodes) > 1 else ""
            parts += [f"{prefix}{name} = {json.dumps(value)}" for name, value in sorted(variables.items())]
    text = ", ".join(parts) or "no shared state"
    return text if status == "completed" else f"{text} ({status})"


def run_outcome(run):
    """{"key", "label", "status", "shared"} of a finished run, or None."""
    if run.status not in Run.FINAL or not isinstance(run.result, dict):
        return None
    shared = run.result.get("shared") or {}
    return {"key": outcome_key(run.status, shared), "label": outcome_label(run.status, shared),
            "status": run.status, "shared": shared}


def run_brief(run):
    if run is None:
        return None
    outcome = run_outcome(run)
    return {"id": str(run.id), "status": run.status, "ws": f"/ws/runs/{run.id}/", "created": stamp(run.created),
            "outcome": outcome and {k: outcome[k] for k in ("key", "label")}}


def exploration(activity):
    """The teacher's exhaustive exploration of the activity: its status and, once it has
    finished, the real distribution of outcomes (keyed like the students' runs)."""
    run = activity.exploration
    if run is None:
        return None
    found = {"run": str(run.id), "status": run.status, "ws": f"/ws/runs/{run.id}/", "outcomes": None}
    result = (TraceEvent.objects.filter(run_id=run.id, kind="explore.result").values_list("data", flat=True).first()
              if run.status in Run.FINAL else None)
    if result:
        merged = {}
        for outcome in result.get("outcomes") or []:
            status, shared = outcome.get("status"), outcome.get("shared") or {}
            key = outcome_key(status, shared)
            if key not in merged:
                merged[key] = {"key": key, "label": outcome_label(status, shared), "status": status,
                               "shared": shared, "count": 0, "schedule": outcome.get("schedule") or []}
            merged[key]["count"] += outcome.get("count", 1)
        found.update(explored=result.get("explored"), exhaustive=result.get("exhaustive"),
                     outcomes=sorted(merged.values(), key=lambda o: -o["count"]))
    return found


# --- answers and votes --------------------------------------------------------------------

def answer_text(answer):
    return answer if isinstance(answer, str) else json.dumps(answer)


def tally(activity, vote, answers=None):
    """{"vote", "total", "counts": [{"answer", "count"}]}: the question's choices first, in order."""
    if answers is None:
        answers = Answer.objects.filter(activity=activity, seat__removed__isnull=True).values_list("vote", "answer")
    counts = Counter(answer_text(answer) for v, answer in answers if v == vote)
    choices = [answer_text(c) for c in ((activity.question or {}).get("choices") or [])]
    ordered = [{"answer": c, "count": counts.pop(c, 0)} for c in choices]
    ordered += [{"answer": a, "count": n} for a, n in counts.most_common()]
    return {"vote": vote, "total": sum(item["count"] for item in ordered), "counts": ordered}


def shift(answers_by_seat):
    """How answers moved from vote 1 to vote 2, among the students who gave both."""
    moves = Counter((answer_text(by_vote[1]), answer_text(by_vote[2]))
                    for by_vote in answers_by_seat.values() if 1 in by_vote and 2 in by_vote)
    return [{"from": a, "to": b, "count": n} for (a, b), n in moves.most_common()]


def activity_public(activity, revealed_only=True):
    """What a student and the projector see of an activity: no tally before its reveal."""
    if activity is None:
        return None
    question = activity.question
    return {"id": activity.pk, "number": activity.number, "mode": activity.mode, "scenario": activity.scenario,
            "spec": without_answers(activity.spec), "challenge": activity.challenge or None, "question": question,
            "editing": activity.editing, "vote": {"number": activity.vote, "open": activity.vote_open},
            "revealed": list(activity.revealed), "created": stamp(activity.created)}


def reveal_content(activity):
    """What a reveal shows everyone: the tallies of the revealed votes, the exploration."""
    answers = list(Answer.objects.filter(activity=activity, seat__removed__isnull=True).values_list("vote", "answer"))
    return {"activity": activity.pk, "revealed": list(activity.revealed),
            "tallies": [tally(activity, vote, answers) for vote in sorted(activity.revealed)],
            "exploration": exploration(activity)}


# --- seats -------------------------------------------------------------------------------

def connected(seat, now=None):
    now = now or timezone.now()
    return seat.connections > 0 and seat.last_seen is not None and now - seat.last_seen < PRESENCE_STALE


def seat_status(seat, latest, activity):
    """idle, editing, queued/running → running, or the latest run's final status."""
    edited_since = seat.edited is not None and (activity is None or seat.edited >= activity.created)
    if latest is None:
        return "editing" if edited_since else "idle"
    if latest.status not in Run.FINAL:
        return "running"
    if edited_since and seat.edited > (latest.finished or latest.created):
        return "editing"
    return latest.status


def challenge_state(latest, checked=None):
    """The seat's latest check on the activity (POST .../checks: `{"source": "check",
    "challenge", "kind", "passed", "message", "at"}`), else the verdict on its latest
    run (run.finished["verdict"], `"source": "run"`), if any."""
    if checked is not None:
        return {"source": "check", "challenge": checked.challenge, "kind": checked.kind, "passed": checked.passed,
                "message": checked.message, "covered": (checked.result or {}).get("covered"),
                "run": str(checked.run_id) if checked.run_id else None, "at": stamp(checked.at)}
    if latest is None or not isinstance(latest.result, dict):
        return None
    verdict = latest.result.get("verdict")
    return {**verdict, "source": "run"} if isinstance(verdict, dict) else None


def latest_checks(activity, seat=None, seat_ids=None):
    """{seat id: its latest SeatCheck} on the activity (of one seat, or of the seats `seat_ids`)."""
    if activity is None:
        return {}
    found = SeatCheck.objects.filter(activity=activity, seat__removed__isnull=True)
    found = found.filter(seat=seat) if seat is not None else found
    found = found.filter(seat_id__in=seat_ids) if seat_ids is not None else found
    return {check.seat_id: check for check in found.order_by("at", "id")}


def seat_json(seat, latest, activity, answers, runs=0, now=None, checked=None):
    return {"id": seat.pk, "name": seat.name, "connected": connected(seat, now), "last_seen": stamp(seat.last_seen),
            "joined": stamp(seat.joined), "status": seat_status(seat, latest, activity),
            "answers": {str(vote): answer for vote, answer in sorted(answers.items())},
            "run": run_brief(latest), "challenge": challenge_state(latest, checked), "runs": runs}


def student_view(seat):
    """A student's own view: their seat, their runs of the activity, the activity, and
    what the teacher has revealed or put in the spotlight."""
    classroom = seat.classroom
    activity = classroom.activity
    links = SeatRun.objects.filter(seat=seat)
    links = links.filter(activity=activity) if activity is not None else links
    own = list(Run.objects.filter(id__in=links.values("run_id")).only(*RUN_FIELDS).order_by("created"))
    answers = {}
    if activity is not None:
        answers = dict(Answer.objects.filter(activity=activity, seat=seat).values_list("vote", "answer"))
    latest = own[-1] if own else None
    return {"role": "student", "code": classroom.code, "title": classroom.title, "open": classroom.is_open,
            "seat": {**seat_json(seat, latest, activity, answers, len(own), checked=latest_checks(activity, seat)
                                 .get(seat.pk)), "runs": [run_brief(r) for r in own]},
            "activity": activity_public(activity),
            "revealed": reveal_content(activity) if activity is not None and activity.revealed else None,
            "spotlight": classroom.spotlight}


def screen_view(classroom):
    """The projector: the activity's question, and only what the teacher revealed or spotlighted."""
    activity = classroom.activity
    return {"role": "screen", "code": classroom.code, "title": classroom.title, "open": classroom.is_open,
            "activity": activity_public(activity),
            "revealed": reveal_content(activity) if activity is not None and activity.revealed else None,
            "spotlight": classroom.spotlight}


# --- export ---------------------------------------------------------------------------------

EXPORT_COLUMNS = ["seat", "name", "activity", "mode", "scenario", "challenge", "vote1", "vote2", "status",
                  "outcome", "challenge_passed", "runs"]


def results(classroom):
    """Every student × activity: answers per vote, status, outcome, challenge, run ids."""
    seats = list(classroom.seats.all())
    activities = list(classroom.activities.order_by("number"))
    answers = defaultdict(dict)
    for activity_id, seat_id, vote, answer in Answer.objects.filter(activity__classroom=classroom).values_list(
            "activity_id", "seat_id", "vote", "answer"):
        answers[(seat_id, activity_id)][vote] = answer
    runs = defaultdict(list)
    links = SeatRun.objects.filter(seat__classroom=classroom).values_list("run_id", "seat_id", "activity_id")
    link_of = {run_id: (seat_id, activity_id) for run_id, seat_id, activity_id in links}
    for run in Run.objects.filter(id__in=list(link_of)).only(*RUN_FIELDS).order_by("created"):
        runs[link_of[run.id]].append(run)
    checks = {(check.seat_id, check.activity_id): check
              for check in SeatCheck.objects.filter(activity__classroom=classroom).order_by("at", "id")}
    rows = []
    for seat in seats:
        for activity in activities or [None]:
            activity_id = activity.pk if activity else None
            own = runs.get((seat.pk, activity_id), [])
            latest = own[-1] if own else None
            outcome = run_outcome(latest) if latest else None
            verdict = challenge_state(latest, checks.get((seat.pk, activity_id)))
            given = answers.get((seat.pk, activity_id), {})
            rows.append({"seat": seat.pk, "name": seat.name, "removed": seat.removed is not None,
                         "activity": activity_id, "mode": activity.mode if activity else None,
                         "scenario": activity.scenario if activity else None,
                         "challenge": (activity.challenge or None) if activity else None,
                         "answers": {str(v): a for v, a in sorted(given.items())},
                         "status": seat_status(seat, latest, activity) if activity else
                         (latest.status if latest else "idle"),
                         "outcome": outcome and outcome["label"], "outcome_key": outcome and outcome["key"],
                         "challenge_passed": verdict.get("passed") if verdict else None,
                         "challenge_message": verdict.get("message") if verdict else None,
                         "runs": [str(r.id) for r in own]})
    return {"code": classroom.code, "title": classroom.title, "created": stamp(classroom.created),
            "ended": stamp(classroom.ended),
            "activities": [{"id": a.pk, "number": a.number, "mode": a.mode, "scenario": a.scenario,
                            "challenge": a.challenge or None, "question": a.question} for a in activities],
            "rows": rows}


def csv_rows(data):
    yield EXPORT_COLUMNS
    for row in data["rows"]:
        yield [row["seat"], row["name"], row["activity"] or "", row["mode"] or "", row["scenario"] or "",
               row["challenge"] or "", answer_text(row["answers"].get("1", "")), answer_text(row["answers"].get("2", "")),
               row["status"], row["outcome"] or "",
               "" if row["challenge_passed"] is None else str(row["challenge_passed"]).lower(), " ".join(row["runs"])]
