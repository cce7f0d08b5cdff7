"""The network half of the scenario spec: links, faults (with topology changes) and a
node's physical clock, and their checks at paths a learner can find.

`spec.py` builds the whole spec from these models and adds `network_errors` to its
own problems. Link settings are checked wherever they appear (`links[i]`, a `link`
or `link-add` fault's `settings`) against the same fields and ranges.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

FAULT_ACTIONS = ("crash", "restart", "partition", "heal", "link", "link-add", "link-remove")
LINK_SETTINGS = ("latency_ms", "jitter_ms", "loss", "duplicate", "reorder", "bandwidth")
MAX_OFFSET_MS = 366 * 86_400_000  # a year either way
MAX_BANDWIDTH = 1e12  # bytes a second


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LinkSettings(_Model):
    latency_ms: float = Field(default=0, ge=0, le=10_000)
    jitter_ms: float = Field(default=0, ge=0, le=10_000)
    loss: float = Field(default=0, ge=0, le=1)
    duplicate: float = Field(default=0, ge=0, le=1)
    reorder: float = Field(default=0, ge=0, le=1)
    # Bytes a second: a message takes its size / bandwidth to go through, one at a time
    # on each direction of the link. None: no limit.
    bandwidth: float | None = Field(default=None, gt=0, le=MAX_BANDWIDTH)


class Link(LinkSettings):
    a: str
    b: str


class Fault(_Model):
    """Something that happens to the network at `at_ms`.

    `partition` takes `groups` (no message crosses between groups, both ways)
    or `cut`, a list of one-way pairs `[from, to]` (a→b cut, b→a still flows).
    `link` changes the settings of the link between `a` and `b`; `link-add` adds a
    link between them (with these settings), `link-remove` takes it away. A link's
    settings may also be written beside `a` and `b` (they move into `settings`).
    """

    at_ms: float = Field(ge=0, le=3_600_000)
    action: Literal[FAULT_ACTIONS]  # type: ignore[valid-type]
    node: str | None = None
    groups: list[list[str]] | None = None
    cut: list[tuple[str, str]] | None = None
    a: str | None = None
    b: str | None = None
    settings: dict[str, float | None] | None = None

    @model_validator(mode="before")
    @classmethod
    def _settings_beside(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(k in data for k in LINK_SETTINGS):
            data = dict(data)
            settings = dict(data["settings"]) if isinstance(data.get("settings"), dict) else {}
            for key in LINK_SETTINGS:
                if key in data:
                    settings[key] = data.pop(key)
            data["settings"] = settings
        return data


class Clock(_Model):
    """A node's physical clock: `now()` reads the run's time × (1 + drift_ppm / 10⁶) + offset."""

    offset_ms: float = Field(default=0, ge=-MAX_OFFSET_MS, le=MAX_OFFSET_MS)
    drift_ppm: float = Field(default=0, ge=-500_000, le=1_000_000)


def _settings_errors(settings: dict, where: str) -> list[tuple[str, str]]:
    try:
        LinkSettings.model_validate(settings)
    except ValidationError as exc:
        return [(f"{where}.{'.'.join(str(p) for p in err['loc'])}",
                 err["msg"].removeprefix("Value error, ")) for err in exc.errors()]
    return []


def network_errors(node_ids: list[str], links: list[Link], faults: list[Fault]) -> list[tuple[str, str]]:
    """Every problem of the links and faults, as (path, message)."""
    problems: list[tuple[str, str]] = []
    add = problems.append
    linked: set[frozenset] = set()
    for i, link in enumerate(links):
        for end in ("a", "b"):
            if getattr(link, end) not in node_ids:
                add((f"links[{i}].{end}", f"unknown node {getattr(link, end)!r}"))
        if link.a == link.b:
            add((f"links[{i}]", "a link joins two different nodes"))
        linked.add(frozenset((link.a, link.b)))
    # The timeline in order, to know which links exist when a fault names one.
    for i, fault in sorted(enumerate(faults), key=lambda item: item[1].at_ms):
        where = f"faults[{i}]"
        if fault.action in ("crash", "restart") and fault.node not in node_ids:
            add((f"{where}.node", f"unknown node {fault.node!r}"))
        for group in fault.groups or []:
            for member in group:
                if member not in node_ids:
                    add((f"{where}.groups", f"unknown node {member!r}"))
        for pair in fault.cut or []:
            for member in pair:
                if member not in node_ids:
                    add((f"{where}.cut", f"unknown node {member!r}"))
        if fault.action == "partition" and not (fault.groups or fault.cut):
            add((where, "a partition needs `groups` or `cut`"))
        if fault.settings is not None:
            if fault.action in ("link", "link-add"):
                problems += _settings_errors(fault.settings, f"{where}.settings")
            else:
                add((f"{where}.settings", f"a {fault.action} has no link settings (only link and link-add)"))
        if fault.action in ("link", "link-add", "link-remove"):
            problems += _topology_errors(fault, where, node_ids, linked)
    return problems


def _topology_errors(fault: Fault, where: str, node_ids: list[str], linked: set) -> list[tuple[str, str]]:
    """A link fault's nodes, against the links that exist at its time (which it changes)."""
    a, b = fault.a, fault.b
    if fault.action == "link" and (a not in node_ids or b not in node_ids):
        return [(where, "a link change needs the nodes `a` and `b` of an existing link")]
    unknown = [(f"{where}.{end}", f"unknown node {node!r}" if node else f"a {fault.action} needs `{end}`")
               for end, node in (("a", a), ("b", b)) if node not in node_ids]
    if unknown:
        return unknown
    pair = frozenset((a, b))
    at = f"{fault.at_ms:g} ms"
    if fault.action == "link-add":
        if a == b:
            return [(where, "a link joins two different nodes")]
        if pair in linked:
            return [(where, f"{a} and {b} are already linked at {at}")]
        linked.add(pair)
    elif fault.action == "link-remove":
        if pair not in linked:
            return [(where, f"there is no link between {a} and {b} to remove at {at}")]
        linked.discard(pair)
    return []
