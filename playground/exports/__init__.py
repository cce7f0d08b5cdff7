"""Trace exporters: pure functions from a run's events to a file in another format.

Each module has `stream(events, spec=None)`, which yields the file in pieces as the
events (any iterable of event dicts, in seq order) stream past, holding no more than
it must (see each module), and `export(events, spec=None)`, the whole file as text.
A new format is one module and one line here: the API's download
(`GET /api/runs/{id}/trace?format=…`) and its list of formats (`GET /api/exports`,
which the page's download menu shows) both read EXPORTERS.
"""

from typing import NamedTuple

from . import chrome, jsonl, mermaid, plantuml, shiviz


class Exporter(NamedTuple):
    stream: object  # (events, spec=None) -> Iterator[str]
    title: str
    extension: str
    content_type: str
    opens_with: str

    def export(self, events, spec=None):
        return "".join(self.stream(events, spec))


EXPORTERS = {
    "jsonl": Exporter(jsonl.stream, "Playground trace (JSONL)", "jsonl", "application/x-ndjson",
                      "This playground: upload it to replay the run or open its scenario in the editor; "
                      "any JSON Lines reader."),
    "chrome": Exporter(chrome.stream, "Chrome / Perfetto trace (JSON)", "chrome.json", "application/json",
                       "Perfetto (ui.perfetto.dev, Open trace file) or chrome://tracing: threads as tracks, "
                       "messages as arrows, locks held."),
    "shiviz": Exporter(shiviz.stream, "ShiViz log", "shiviz.log", "text/plain; charset=utf-8",
                       "ShiViz (bestchai.bitbucket.io/shiviz): paste or upload it for the space-time "
                       "diagram of the nodes and their messages."),
    "mermaid": Exporter(mermaid.stream, "Mermaid sequence diagrams (Markdown)", "mermaid.md",
                        "text/markdown; charset=utf-8",
                        "Mermaid: GitHub and GitLab Markdown, mermaid.live or mmdc draw each ```mermaid block."),
    "plantuml": Exporter(plantuml.stream, "PlantUML sequence diagram", "puml", "text/plain; charset=utf-8",
                         "PlantUML (plantuml -tsvg run.puml, or plantuml.com): one page per screenful."),
}

# Other names a download may ask for (`?format=perfetto`): the same file, not listed twice.
ALIASES = {"perfetto": "chrome"}


def exporter(name):
    """The Exporter for a format's name or alias (KeyError if neither)."""
    return EXPORTERS[ALIASES.get(name, name)]
