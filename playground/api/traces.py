"""POST /api/traces: an uploaded JSONL trace becomes a stored run that can be watched,
downloaded and replayed like any other, with the scenario it carries.

The trace is checked whole before anything is stored: its format version on every line
(or a header line), seq 1, 2, 3 … without a gap, each event against the event contract
(a known kind, each field of its type: playground.exports.checks), the text a database
refuses, the header's spec (a playground.scenario/1 spec) and the final run.finished.
A refusal is a 400 naming the line and the field (`events[4].vc`, "line 6: …")."""

import copy
import json

import orjson
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from ninja import Router, Status

from playground.engine.spec import SpecError, validate
from playground.exports.checks import problem
from playground.exports.jsonl import read
from playground.runs.execute import Batch, store
from playground.runs.models import Run, TraceEvent
from playground.runs.quota import over_quota, owner_of
from playground.scenarios.models import Scenario

from .errors import ApiError, too_big
from .jsonbody import MAX_EVENT_DEPTH, check_value
from .schemas import Uploaded, errors

router = Router(tags=["traces"])

INSERT_CHUNK = 2000
# Fields of these events that the run stores in columns of its own (besides each kind).
STORED = {"run.started": ("mode", "scenario"), "run.finished": ("error",)}
LIMITS = {"kind": TraceEvent._meta.get_field("kind").max_length, "mode": Run._meta.get_field("mode").max_length,
          "scenario": Run._meta.get_field("scenario").max_length}


def compact(event):
    """An event's JSON as the engine writes it: compact, keys in their order."""
    try:
        return orjson.dumps(event)
    except TypeError:  # integers beyond 64 bits
        return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


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


def check(events, lines=None):
    """Problems with the trace as {"path", "message"}: seq must run 1, 2, 3 … and it
    must end with run.finished, whose status the run takes; what is stored in columns
    must fit them, no text may be one a database refuses (NUL, lone surrogates), and
    each event must keep the event contract. Each message names the event's line."""
    if not events:
        return [{"path": "", "message": "the trace has no events"}]
    for index, event in enumerate(events):
        problems = check_event(index, event)
        if problems:
            line = lines[index] if lines else index + 1
            return [{**p, "message": f"line {line}: {p['message']}"} for p in problems]
    errors = []
    last = events[-1]
    if last.get("kind") != "run.finished":
        errors.append({"path": f"events[{len(events) - 1}]", "message": "the trace must end with run.finished"})
    elif last.get("status") not in Run.FINAL:
        errors.append({"path": f"events[{len(events) - 1}].status",
                       "message": f"status must be one of {', '.join(sorted(Run.FINAL))}"})
    return errors


def check_event(index, event):
    where = f"events[{index}]"
    seq = event.get("seq")
    if type(seq) is not int or seq != index + 1:
        return [{"path": f"{where}.seq", "message": f"expected seq {index + 1}, found {seq!r}"}]
    kind = event.get("kind")
    if not isinstance(kind, str) or not kind:
        return [{"path": f"{where}.kind", "message": "every event needs a kind"}]
    for field in STORED.get(kind, ()) + ("kind",):
        value = event.get(field)
        if value is None:
            continue
        if not isinstance(value, str):
            return [{"path": f"{where}.{field}", "message": f"{field} must be text"}]
        limit = LIMITS.get(field)
        if limit and len(value) > limit:
            return [{"path": f"{where}.{field}", "message": f"at most {limit} characters ({len(value)} given)"}]
    problems = check_value(event, where, MAX_EVENT_DEPTH)
    if problems:
        return problems
    broken = problem(event)
    if broken:
        field, message = broken
        return [{"path": f"{where}.{field}", "message": message}]
    return []


def checked_header_spec(spec, line):
    """The spec a trace's header carries, if it is a playground.scenario/1 spec."""
    problems = check_value(spec, "spec", MAX_EVENT_DEPTH)
    if problems:
        raise ApiError(400, f"line {line}: {problems[0]['path']}: {problems[0]['message']}", problems)
    try:
        validate(spec)
    except SpecError as exc:
        errors = [{"path": f"spec.{e['path']}" if e.get("path") else "spec", "message": e["message"]}
                  for e in exc.errors]
        first = errors[0] if errors else {"path": "spec", "message": "invalid"}
        raise ApiError(400, f"line {line}: the header's spec is invalid: {first['path']}: {first['message']}",
                       errors) from None
    return spec


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


UPLOAD_DOC = {"requestBody": {"required": True, "content": {
    "application/x-ndjson": {"schema": {"type": "string", "description": "one playground.event/1 event per line"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["trace"],
                                       "properties": {"trace": {"type": "string", "format": "binary"}}}}}}}


@router.post("/traces", response={201: Uploaded, **errors(400, 403, 413, 429)}, openapi_extra=UPLOAD_DOC)
def trace_upload(request):
    """Upload a JSONL trace (the raw body, or the multipart field `trace`): it becomes a
    stored run of yours that can be watched, downloaded and replayed. Every line says its
    format, `"format": "playground.event/1"`, or the trace opens with the header line
    `{"format": "playground.event/1", "spec": {…}}` (the spec is optional: the
    scenario the run ran, kept with the run so that it opens in the editor; the JSONL
    download writes it). Another version is refused, naming the line; so is an event
    that breaks the event contract (an unknown kind, a field of the wrong type), naming
    the line and the field. Nothing is stored unless the whole trace is good."""
    text = read_upload(request)
    if text is None:
        return too_big()
    user, visitor = owner_of(request)
    refusal = over_quota(user, visitor)
    if refusal:
        raise ApiError(429, refusal)
    try:
        trace = read(text)
    except ValueError as exc:
        raise ApiError(400, str(exc), [{"path": str(exc).split(":", 1)[0], "message": str(exc)}]) from None
    events = trace.events
    errors = check(events, trace.lines)
    if errors:
        first = errors[0]
        raise ApiError(400, f"the trace is not a playground.event/1 trace: {first['path']}: {first['message']}",
                       errors)
    started = events[0] if events[0].get("kind") == "run.started" else {}
    finished = events[-1]
    if trace.spec is not None:
        spec = checked_header_spec(trace.spec, 1)
        slug = started.get("scenario") if isinstance(started.get("scenario"), str) else ""
    else:
        slug, spec = replay_spec(started, finished, request.user)
    now = timezone.now()
    with transaction.atomic():
        run = Run.objects.create(
            source=Run.Source.UPLOAD, status=finished["status"], mode=str(started.get("mode") or ""),
            scenario=slug, spec=spec, result=finished, error=finished.get("error") or "",
            started=now, finished=now, owner=user, visitor=visitor, trace_bytes=len(text),
        )
        # Stored as compact JSON lines, the way the worker stores a run's (so that every
        # stored event reads the same and a JSONL download can send it as it is).
        for start in range(0, len(events), INSERT_CHUNK):
            store(run.id, Batch([(e, compact(e)) for e in events[start:start + INSERT_CHUNK]]))
    return Status(201, {"id": str(run.id), "status": run.status, "events": len(events), "ws": run.ws_path,
                          "trace": run.trace_path, "url": f"/api/runs/{run.id}"})
