"""Trace exporters: pure functions from a run's event list to a file in another format."""

from typing import NamedTuple

from . import chrome, jsonl, mermaid, plantuml, shiviz


class Exporter(NamedTuple):
    export: object  # (events: list[dict]) -> str
    content_type: str
    extension: str


EXPORTERS = {
    "jsonl": Exporter(jsonl.export, "application/x-ndjson", "jsonl"),
    "chrome": Exporter(chrome.export, "application/json", "chrome.json"),
    "perfetto": Exporter(chrome.export, "application/json", "chrome.json"),
    "shiviz": Exporter(shiviz.export, "text/plain; charset=utf-8", "shiviz.log"),
    "mermaid": Exporter(mermaid.export, "text/plain; charset=utf-8", "mmd"),
    "plantuml": Exporter(plantuml.export, "text/plain; charset=utf-8", "puml"),
}
