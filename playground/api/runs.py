"""Runs: start one, read it (anyone with its id, like a share link), page through its
events, download its trace; list, cancel and delete your own (an account's runs, or
this browser session's)."""

import copy
import json
from uuid import UUID

import orjson
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connection, transaction
from django.db.models import Max, TextField
from django.db.models.functions import Cast
from django.http import HttpResponse, StreamingHttpResponse
from ninja import Query, Router, Status

from playground.engine.spec import SpecError, check_depth
from playground.exports import EXPORTERS, exporter, jsonl
from playground.runs import actions
from playground.runs.models import Run, TraceEvent
from playground.runs.quota import over_quota, owner_of, runs_of
from playground.runs.reaper import reap_stale_runs
from playground.scenarios.models import Scenario

from . import classrooms
from .errors import ApiError, not_found
from .scenarios import checked_spec
from .schemas import (
    Cancelled,
    EventsPage,
    ExportFormat,
    RunCreated,
    RunDetail,
    RunIn,
    RunSummary,
    TraceFormat,
    errors,
)

router = Router(tags=["runs"])

TRACE_TYPES = sorted({exporter.content_type for exporter in EXPORTERS.values()})
TRACE_DOC = {"responses": {"200": {"description": "the trace, as an attachment",
                                   "content": {t: {"schema": {"type": "object" if t == "application/json" else "string"}}
                                               for t in TRACE_TYPES}}}}


def run_json(run):
    last = TraceEvent.objects.filter(run=run).aggregate(last=Max("seq"))["last"] or 0
    stamp = lambda value: value.isoformat() if value else None  # noqa: E731
    return {"id": str(run.id), "status": run.status, "mode": run.mode, "scenario": run.scenario,
            "source": run.source, "result": run.result, "error": run.error, "events": last,
            "created": run.created.isoformat(), "started": stamp(run.started), "finished": stamp(run.finished),
            "wall": run.wall, "trace_bytes": run.trace_bytes, "ws": run.ws_path, "trace": run.trace_path}


def get_run(run_id):
    reap_stale_runs(run_id)  # whoever looks at a run whose worker died learns it now
    run = Run.objects.filter(id=run_id).first()
    if run is None:
        raise not_found("run")
    return run


def caller(request):
    """(user or None, session key or ""): whom the request speaks for."""
    user = request.user if request.user.is_authenticated else None
    return user, "" if user else (request.session.session_key or "")


def owned_run(request, run_id, verb):
    """The caller's own run, or ApiError 404 (no such run) / 403 (someone else's)."""
    run = Run.objects.filter(id=run_id).first()
    if run is None:
        raise not_found("run")
    if not run.is_owned_by(*caller(request)):
        raise ApiError(403, f"only the person (or browser session) that started this run may {verb} it")
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
    overrides = {key: value for key, value in data.items() if key != "scenario"}
    if overrides:
        run_section = spec.setdefault("run", {})
        if isinstance(run_section, dict):  # otherwise validation reports the bad `run`
            run_section.update(overrides)
    return spec, slug if isinstance(slug, str) else ""


@router.get("/runs", response={200: list[RunSummary], **errors(400)})
def run_list(request, limit: int = Query(50, ge=1, le=500)):
    """The caller's own runs, newest first: the account's, or this browser session's."""
    user, visitor = caller(request)
    runs = runs_of(user, visitor)[:limit] if user or visitor else []
    return [{"id": str(r.id), "status": r.status, "scenario": r.scenario, "mode": r.mode,
             "created": r.created.isoformat(), "trace_bytes": r.trace_bytes} for r in runs]


@router.post("/runs", response={201: RunCreated, **errors(400, 403, 413, 429)})
def run_create(request, body: RunIn):
    """Start a run of a scenario (a slug, a share id, or a whole spec). It belongs to the
    signed-in account, or else to this browser session. Sent with a classroom seat's cookie
    it is also that seat's run (the teacher's dashboard follows it), under the class's
    limits: CLASSROOM_MAX_RUNNING at once and CLASSROOM_MAX_RUNS_PER_MINUTE (429 past them)."""
    spec, slug = spec_from_request(body.model_dump(exclude_unset=True), request.user)
    spec = checked_spec(spec, too_long="the run may not last that long")
    user, visitor = owner_of(request)
    refusal = over_quota(user, visitor)
    if refusal:
        raise ApiError(429, refusal)
    seat = classrooms.seat_for_run(request)  # a student's run: the class's limits, and it is the seat's
    create = lambda: actions.create_run(spec, slug, owner=user, visitor=visitor)  # noqa: E731
    run = classrooms.start_seat_run(seat, spec, create) if seat else create()
    return Status(201, {"id": str(run.id), "status": run.status, "ws": run.ws_path, "trace": run.trace_path,
                          "url": f"/api/runs/{run.id}"})


@router.get("/runs/{uuid:run_id}", response={200: RunDetail, **errors(404)})
def run_detail(request, run_id: UUID):
    """A run and its outcome: anyone with its id may read it, like a share link."""
    return run_json(get_run(run_id))


@router.delete("/runs/{uuid:run_id}", response={204: None, **errors(403, 404, 409)})
def run_delete(request, run_id: UUID):
    """Its owner deletes a run that has ended, with its events: how a person makes room
    under their cap."""
    run = owned_run(request, run_id, "delete")
    if not run.is_final:
        raise ApiError(409, f"the run is still {run.status}; cancel it first")
    with transaction.atomic():
        TraceEvent.objects.filter(run=run).delete()
        run.delete()
    return HttpResponse(status=204)


@router.post("/runs/{uuid:run_id}/cancel", response={200: Cancelled, 202: Cancelled, **errors(403, 404, 409)},
             exclude_none=True)
def run_cancel(request, run_id: UUID):
    """Its owner stops a run: 200 if it was queued (cancelled at once), 202 while a running
    one stops (the WebSocket reports its end), 409 if it had already ended."""
    owned_run(request, run_id, "cancel")
    status = actions.request_cancel(run_id)
    if status is None:
        raise not_found("run")
    if status == Run.Status.CANCELLED:
        return Status(200, {"id": str(run_id), "status": status})
    if status in Run.FINAL:
        raise ApiError(409, f"the run has already ended ({status})")
    return Status(202, {"id": str(run_id), "status": status, "cancel_requested": True})


@router.get("/runs/{uuid:run_id}/events", response={200: EventsPage, **errors(400, 404)})
def run_events(request, run_id: UUID, after: int = Query(0, ge=0), limit: int = Query(1000, ge=1, le=10_000)):
    """A page of stored events after seq `after`, exactly as they were emitted."""
    run = get_run(run_id)
    # Each event's stored JSON is sent as it is: decoding and encoding 10,000 rows per
    # page was most of the time a large trace took to open.
    rows = list(TraceEvent.objects.filter(run=run, seq__gt=after).order_by("seq")
                .annotate(text=Cast("data", TextField())).values_list("seq", "text")[:limit])
    last = rows[-1][0] if rows else after
    tail = json.dumps({"after": after, "last": last, "more": len(rows) == limit, "status": run.status})
    body = '{"events":[' + ",".join(text for _, text in rows) + "]," + tail[1:]
    return HttpResponse(body, content_type="application/json")


# Rows read from the database at a time, and bytes sent at a time, while a trace streams.
ROWS_PER_FETCH = 2000
CHUNK_BYTES = 256 * 1024


def stored_events(run):
    """The run's events in seq order, the stored JSON decoded by orjson."""
    return (orjson.loads(text) for text in stored_texts(run))


def stored_texts(run):
    """The run's events' JSON texts in seq order, read from the database a few thousand
    rows at a time with a plain cursor (Django's per-row work was most of a large
    export's time)."""
    table = connection.ops.quote_name(TraceEvent._meta.db_table)
    data, seq, run_id = (connection.ops.quote_name(TraceEvent._meta.get_field(f).column) for f in ("data", "seq", "run"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT CAST({data} AS TEXT) FROM {table} WHERE {run_id} = %s ORDER BY {seq}",
                       [TraceEvent._meta.get_field("run").get_db_prep_value(run.id, connection)])
        while rows := cursor.fetchmany(ROWS_PER_FETCH):
            for (text,) in rows:
                yield text


def in_chunks(pieces, size=CHUNK_BYTES):
    """The exporter's pieces as bytes of about `size` each; the first at once, so that the
    download starts before the first chunk fills."""
    pieces = iter(pieces)
    first = next(pieces, None)
    if first is not None:
        yield first.encode()
    buffer, held = [], 0
    for piece in pieces:
        buffer.append(piece)
        held += len(piece)
        if held >= size:
            yield "".join(buffer).encode()
            buffer, held = [], 0
    if buffer:
        yield "".join(buffer).encode()


async def pulled(chunks):
    """An async iterator over a sync one, each step run in the request's sync thread
    (the database cursor stays in the thread that opened it). Under ASGI, Django reads a
    sync iterator to its end before sending anything; this one is sent as it comes."""
    step = sync_to_async(lambda: next(chunks, None), thread_sensitive=True)
    try:
        while (chunk := await step()) is not None:
            yield chunk
    finally:
        await sync_to_async(chunks.close, thread_sensitive=True)()


@router.get("/runs/{uuid:run_id}/trace", response=errors(400, 404), openapi_extra=TRACE_DOC)
def run_trace(request, run_id: UUID, fmt: TraceFormat = Query("jsonl", alias="format")):
    """The run's trace as a download, streamed as it is written (the first bytes come at
    once, the server holds a few thousand events at a time): JSONL (playground.event/1,
    opening with a header line that carries the run's spec, each line saying its format),
    Chrome/Perfetto JSON, ShiViz, Mermaid (Markdown) or PlantUML. `GET /api/exports`
    lists the formats and the tools that open them."""
    run = get_run(run_id)
    chosen = exporter(fmt)
    if fmt == "jsonl":  # the stored JSON as it is, with its format put in front
        pieces = jsonl.stream_stored(stored_texts(run), run.spec or None)
    else:
        pieces = chosen.stream(stored_events(run), run.spec or None)
    chunks = in_chunks(pieces)
    content = pulled(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type=chosen.content_type)
    name = f"{run.scenario or 'run'}-{str(run.id)[:8]}.{chosen.extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/exports", response=list[ExportFormat], tags=["traces"])
def export_formats(request):
    """The formats a trace downloads in (`GET /api/runs/{id}/trace?format=…`): each with
    its title, file extension, content type and one line saying which tool opens it.
    The page's download menu is built from this list; a new format is one module in
    playground/exports and one line in its EXPORTERS registry."""
    return [{"format": name, "title": e.title, "extension": e.extension, "content_type": e.content_type,
             "opens_with": e.opens_with} for name, e in EXPORTERS.items()]
