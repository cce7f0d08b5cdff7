import copy
import json

from django.db import transaction
from django.db.models import Max, TextField
from django.db.models.functions import Cast
from django.http import HttpResponse, JsonResponse

from playground.engine.spec import SpecError, check_depth
from playground.exports import EXPORTERS
from playground.runs import actions
from playground.runs.models import Run, TraceEvent
from playground.runs.quota import over_quota, owner_of, runs_of
from playground.runs.reaper import reap_stale_runs
from playground.scenarios.models import Scenario

from .http import ApiError, api_view, not_found, query_int, read_json
from .scenarios import checked_spec

# Body fields of POST /api/runs that override the spec's `run` section; errors in them
# are reported at run.<field>, as they would be in the spec.
RUN_OVERRIDES = ("mode", "seed", "schedule", "max_schedules", "timeout_ms")


def run_json(run):
    last = TraceEvent.objects.filter(run=run).aggregate(last=Max("seq"))["last"] or 0
    return {
        "id": str(run.id),
        "status": run.status,
        "mode": run.mode,
        "scenario": run.scenario,
        "source": run.source,
        "result": run.result,
        "error": run.error,
        "events": last,
        "created": run.created.isoformat(),
        "started": run.started.isoformat() if run.started else None,
        "finished": run.finished.isoformat() if run.finished else None,
        "wall": run.wall,
        "trace_bytes": run.trace_bytes,
        "ws": run.ws_path,
        "trace": run.trace_path,
    }


def get_run(run_id):
    reap_stale_runs(run_id)  # whoever looks at a run whose worker died learns it now
    run = Run.objects.filter(id=run_id).first()
    if run is None:
        raise not_found("run")
    return run


def spec_from_request(data, user=None):
    """The spec a POST /api/runs body asks for, before validation, and its slug. A slug
    names a built-in or one of the person's saved scenarios; a share id any saved one."""
    scenario = data.get("scenario")
    if isinstance(scenario, str):
        row = Scenario.objects.find(scenario, user)
        if row is None:
            raise ApiError(400, f"no scenario named {scenario!r}",
                           [{"path": "scenario", "message": f"no scenario named {scenario!r}"}])
        spec, slug = copy.deepcopy(row.spec), row.slug
    elif isinstance(scenario, dict):
        try:
            check_depth(scenario)  # before deepcopy, which would recurse past Python's limit
        except SpecError as exc:
            raise ApiError(400, "the scenario spec is invalid", exc.errors) from None
        spec, slug = copy.deepcopy(scenario), scenario.get("slug", "")
    else:
        raise ApiError(400, "scenario must be a slug or a spec",
                       [{"path": "scenario", "message": "give a scenario slug or a playground.scenario/1 spec"}])
    overrides = {key: data[key] for key in RUN_OVERRIDES if key in data}
    if overrides:
        run_section = spec.setdefault("run", {})
        if isinstance(run_section, dict):  # otherwise validation reports the bad `run`
            run_section.update(overrides)
    return spec, slug if isinstance(slug, str) else ""


@api_view("GET", "POST")
def run_collection(request):
    if request.method == "GET":  # the caller's own runs (an account's, or this browser session's)
        limit = query_int(request, "limit", 50, minimum=1, maximum=500)
        user = request.user if request.user.is_authenticated else None
        visitor = "" if user else (request.session.session_key or "")
        runs = runs_of(user, visitor)[:limit] if user or visitor else []
        return JsonResponse([{"id": str(r.id), "status": r.status, "scenario": r.scenario, "mode": r.mode,
                              "created": r.created.isoformat(), "trace_bytes": r.trace_bytes} for r in runs],
                            safe=False)
    spec, slug = spec_from_request(read_json(request), request.user)
    spec = checked_spec(spec, too_long="the run may not last that long")
    user, visitor = owner_of(request)
    refusal = over_quota(user, visitor)
    if refusal:
        raise ApiError(429, refusal)
    run = actions.create_run(spec, slug, owner=user, visitor=visitor)
    return JsonResponse({"id": str(run.id), "status": run.status, "ws": run.ws_path, "trace": run.trace_path,
                         "url": f"/api/runs/{run.id}"}, status=201)


@api_view("GET", "DELETE")
def run_detail(request, run_id):
    if request.method == "DELETE":
        return delete_run(request, run_id)
    return JsonResponse(run_json(get_run(run_id)))


def delete_run(request, run_id):
    """Its owner (the account, or the visitor's browser session) deletes a run that has
    ended, with its events: how a person makes room under their cap."""
    run = Run.objects.filter(id=run_id).first()
    if run is None:
        raise not_found("run")
    user = request.user if request.user.is_authenticated else None
    if not run.is_owned_by(user, request.session.session_key or ""):
        raise ApiError(403, "only the person (or browser session) that started this run may delete it")
    if not run.is_final:
        raise ApiError(409, f"the run is still {run.status}; cancel it first")
    with transaction.atomic():
        TraceEvent.objects.filter(run=run).delete()
        run.delete()
    return HttpResponse(status=204)


@api_view("POST")
def run_cancel(request, run_id):
    status = actions.request_cancel(run_id)
    if status is None:
        raise not_found("run")
    if status == Run.Status.CANCELLED:
        return JsonResponse({"id": str(run_id), "status": status})
    if status in Run.FINAL:
        raise ApiError(409, f"the run has already ended ({status})")
    # Running: the worker stops it within moments; the WebSocket reports the end.
    return JsonResponse({"id": str(run_id), "status": status, "cancel_requested": True}, status=202)


@api_view("GET")
def run_events(request, run_id):
    run = get_run(run_id)
    after = query_int(request, "after", 0)
    limit = query_int(request, "limit", 1000, minimum=1, maximum=10_000)
    # Each event's stored JSON is sent as it is: decoding and encoding 10,000 rows per
    # page was most of the time a large trace took to open.
    rows = list(TraceEvent.objects.filter(run=run, seq__gt=after).order_by("seq")
                .annotate(text=Cast("data", TextField())).values_list("seq", "text")[:limit])
    last = rows[-1][0] if rows else after
    tail = json.dumps({"after": after, "last": last, "more": len(rows) == limit, "status": run.status})
    body = '{"events":[' + ",".join(text for _, text in rows) + "]," + tail[1:]
    return HttpResponse(body, content_type="application/json")


@api_view("GET")
def run_trace(request, run_id):
    run = get_run(run_id)
    fmt = request.GET.get("format", "jsonl")
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise ApiError(400, f"unknown format {fmt!r}",
                       [{"path": "format", "message": f"one of {', '.join(sorted(EXPORTERS))}"}])
    events = list(TraceEvent.objects.filter(run=run).order_by("seq").values_list("data", flat=True))
    response = HttpResponse(exporter.export(events), content_type=exporter.content_type)
    name = f"{run.scenario or 'run'}-{str(run.id)[:8]}.{exporter.extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
