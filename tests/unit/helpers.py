"""Small builders for engine tests: a scenario in a line or two."""

from __future__ import annotations

import json
from pathlib import Path

from playground.engine.runner import collect
from playground.engine.spec import validate

LIBRARY = Path(__file__).resolve().parents[2] / "playground" / "scenarios" / "library"
# A run's own time limit in tests: far beyond what any test run needs, so a loaded machine
# never turns a run that would complete into a timeout. Tests about the time limit set theirs.
TIMEOUT_MS = 60_000


def scenario(threads: dict[str, str], *, shared: dict | None = None, setup: str = "",
             resources: list | None = None, **run) -> dict:
    """A validated one-node spec; `run` overrides the run settings."""
    data = {
        "slug": "test",
        "nodes": [{"id": "n", "shared": shared or {}, "setup": setup, "resources": resources or [],
                   "threads": [{"name": name, "code": code} for name, code in threads.items()]}],
        "run": {"timeout_ms": TIMEOUT_MS, **run},
    }
    return validate(data)


def network(nodes: dict[str, str], links: list[dict], *, faults: list | None = None,
            shared: dict[str, dict] | None = None, setup: dict[str, str] | None = None, **run) -> dict:
    """A validated spec of several nodes, one thread `main` each."""
    data = {
        "slug": "test-net",
        "nodes": [{"id": node, "shared": (shared or {}).get(node, {}), "setup": (setup or {}).get(node, ""),
                   "threads": [{"name": "main", "code": code}] if code else []}
                  for node, code in nodes.items()],
        "links": links, "faults": faults or [],
        "run": {"timeout_ms": TIMEOUT_MS, **run},
    }
    return validate(data)


def builtin(slug: str, **run) -> dict:
    """A lesson as shipped, with a generous time limit (see TIMEOUT_MS); `run` overrides."""
    data = json.loads((LIBRARY / f"{slug}.json").read_text())
    data["run"]["timeout_ms"] = max(data["run"].get("timeout_ms", 0), TIMEOUT_MS)
    data["run"].update(run)
    return validate(data)


def run(spec: dict) -> list[dict]:
    return collect(spec)


def stepped(spec: dict, controls: list[dict]) -> list[dict]:
    """A step-mode run driven by the learner's clicks (`controls`, sent in order), to its end."""
    import threading

    from playground.engine.runtime import Runtime

    events: list[dict] = []
    rt = Runtime(spec, events.append)
    runner = threading.Thread(target=rt.run)
    runner.start()
    for message in controls:
        rt.control(message)
    runner.join(60)
    assert not runner.is_alive(), "the stepped run did not end"
    return events


def kinds(events: list[dict], kind: str) -> list[dict]:
    return [e for e in events if e["kind"] == kind]


def finished(events: list[dict]) -> dict:
    assert events[-1]["kind"] == "run.finished", events[-1]
    return events[-1]
