"""POST /api/traces: an uploaded JSONL trace becomes a stored run that can be watched,
downloaded and replayed like any other."""

import copy

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone

from playground.exports.jsonl import parse
from playground.runs.models import Run, TraceEvent
from playground.runs.quota import over_quota, owner_of
from playground.scenarios.models import Scenario

from .http import ApiError, api_view, too_big

INSERT_CHUNK = 2000


def read_upload(request):
    """The trace text: a multipart file field, or the raw body (application/x-ndjson)."""
    limit = settings.TRACE_UPLOAD_MAX_BYTES
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("trace") or request.FILES.get("file") or next(iter(request.FILES.values()), None)
        if upload is None:
            raise ApiError(400, "no file in the upload; send it as the field 'trace'")
        if upload.size > limit:
            return None
        raw = upload.read()
    else:
        # Read the stream directly: request.body stops at the API's 1 MB JSON limit.
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            return None
        raw = request.read(limit + 1)
        if len(raw) > limit:
            return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "the trace is not UTF-8 text") from None


def check(events):
    """Problems with the trace as {"path", "message"}: seq must run 1, 2, 3 … and it
    must end with run.finished, whose status the run takes."""
    errors = []
    if not events:
        return [{"path": "", "message": "the trace has no events"}]
    for index, event in enumerate(events):
        if event.get("seq") != index + 1:
            errors.append({"path": f"events[{index}].seq", "message": f"expected seq {index + 1}, "
                                                                      f"found {event.get('seq')!r}"})
            break
        if not isinstance(event.get("kind"), str) or not event["kind"]:
            errors.append({"path": f"events[{index}].kind", "message": "every event needs a kind"})
            break
    last = events[-1]
    if last.get("kind") != "run.finished":
        errors.append({"path": f"events[{len(events) - 1}]", "message": "the trace must end with run.finished"})
    elif last.get("status") not in Run.FINAL:
        errors.append({"path": f"events[{len(events) - 1}].status",
                       "message": f"status must be one of {', '.join(sorted(Run.FINAL))}"})
    return errors


def replay_spec(started, finished, user=None):
    """The spec the trace came from (a built-in or the person's own saved scenario), set
    to replay its schedule, if known."""
    slug = started.get("scenario") if isinstance(started.get("scenario"), str) else ""
    scenario = Scenario.objects.visible_to(user).filter(slug=slug).first() if slug else None
    if scenario is None:
        return slug, {}
    spec = copy.deepcopy(scenario.spec)
    run = spec.setdefault("run", {})
    if finished.get("schedule"):
        run["mode"], run["schedule"] = "replay", finished["schedule"]
    return slug, spec


@api_view("POST")
def trace_upload(request):
    text = read_upload(request)
    if text is None:
        return too_big()
    user, visitor = owner_of(request)
    refusal = over_quota(user, visitor)
    if refusal:
        raise ApiError(429, refusal)
    try:
        events = parse(text)
    except RecursionError:
        raise ApiError(400, "an event of the trace is nested too deeply") from None
    except ValueError as exc:
        raise ApiError(400, str(exc), [{"path": str(exc).split(":", 1)[0], "message": str(exc)}]) from None
    errors = check(events)
    if errors:
        raise ApiError(400, "the trace is not a playground.event/1 trace", errors)
    started = events[0] if events[0].get("kind") == "run.started" else {}
    finished = events[-1]
    slug, spec = replay_spec(started, finished, request.user)
    now = timezone.now()
    with transaction.atomic():
        run = Run.objects.create(
            source=Run.Source.UPLOAD, status=finished["status"], mode=str(started.get("mode") or ""),
            scenario=slug, spec=spec, result=finished, error=finished.get("error") or "",
            started=now, finished=now, owner=user, visitor=visitor, trace_bytes=len(text),
        )
        for start in range(0, len(events), INSERT_CHUNK):
            TraceEvent.objects.bulk_create(
                [TraceEvent(run=run, seq=e["seq"], kind=e["kind"], data=e) for e in events[start:start + INSERT_CHUNK]]
            )
    return JsonResponse({"id": str(run.id), "status": run.status, "events": len(events), "ws": run.ws_path,
                         "trace": run.trace_path, "url": f"/api/runs/{run.id}"}, status=201)
