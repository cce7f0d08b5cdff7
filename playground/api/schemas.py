"""What the API takes and gives, as pydantic models: the OpenAPI document at
/api/openapi.json is generated from these (and schemathesis checks the answers
against it). A scenario spec stays a JSON object here: the engine validates it
(playground.engine.spec), with a path for every error."""

from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, WithJsonSchema

from playground.exports import ALIASES, EXPORTERS

Spec = dict[str, Any]


class Problem(Schema):
    path: str = Field(description="where: a field (`nodes[0].threads[1].code`), a query parameter, "
                                  "a trace line (`line 3`), or empty for the whole request")
    message: str


class Error(Schema):
    """Every error: a 4xx status and this body."""

    error: str
    errors: list[Problem]


def errors(*codes):
    """The error responses of an operation, for its `response=`."""
    return {code: Error for code in codes}


class Me(Schema):
    authenticated: bool
    username: str | None
    login: str
    signup: str
    logout: str
    sandbox: str = Field(description="how runs are walled in: `bubblewrap`, or `python-only`")


class ScenarioListing(Schema):
    slug: str
    title: str
    summary: str
    tags: list[Any]
    builtin: bool
    owner: bool = Field(description="the caller saved it (and may change it)")
    share_id: str | None = None
    share_url: str | None = None
    updated: str | None = None


class Saved(ScenarioListing):
    url: str


class Ok(Schema):
    ok: Literal[True]


class RunIn(Schema):
    """POST /api/runs. The fields beside `scenario` override the spec's `run` section;
    their errors are reported at `run.<field>`, as they would be in the spec."""

    scenario: Annotated[Any, WithJsonSchema({"oneOf": [
        {"type": "string", "description": "a built-in's slug, one of your saved scenarios' slugs, or a share id"},
        {"type": "object", "description": "a playground.scenario/1 spec"}]})]
    mode: Annotated[Any, WithJsonSchema({"type": "string", "enum": ["free", "step", "replay", "explore"]})] = None
    seed: Annotated[Any, WithJsonSchema({"type": "integer"})] = None
    schedule: Annotated[Any, WithJsonSchema({"type": "array", "items": {"type": "string"}})] = None
    max_schedules: Annotated[Any, WithJsonSchema({"type": "integer", "minimum": 1})] = None
    timeout_ms: Annotated[Any, WithJsonSchema({"type": "integer", "minimum": 1})] = None


class RunCreated(Schema):
    id: str
    status: str
    ws: str = Field(description="the WebSocket path that streams its events")
    trace: str = Field(description="where its JSONL trace downloads")
    url: str


class RunSummary(Schema):
    id: str
    status: str
    scenario: str
    mode: str
    created: str
    trace_bytes: int


class RunDetail(Schema):
    id: str
    status: str
    mode: str
    scenario: str
    source: Literal["execution", "upload"]
    result: dict[str, Any] | None = Field(description="the run.finished event, once there is one")
    error: str
    events: int = Field(description="how many events are stored (the last seq)")
    created: str
    started: str | None
    finished: str | None
    wall: float | None
    trace_bytes: int
    ws: str
    trace: str


class EventsPage(Schema):
    events: list[dict[str, Any]]
    after: int
    last: int = Field(description="the seq of the last event in this page (`after` if none)")
    more: bool
    status: str


class Cancelled(Schema):
    id: str
    status: str
    cancel_requested: bool | None = Field(None, description="true: the run is stopping (202)")


class Uploaded(RunCreated):
    events: int


TraceFormat = Literal[tuple(sorted({*EXPORTERS, *ALIASES}))]


class ExportFormat(Schema):
    """One format a trace downloads in (GET /api/exports)."""

    format: str = Field(description="the value of `format` in GET /api/runs/{id}/trace")
    title: str
    extension: str = Field(description="the downloaded file's extension")
    content_type: str
    opens_with: str = Field(description="one line saying which tool opens it")
