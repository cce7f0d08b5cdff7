"""Run a scenario in this process (tests, tools, the sandbox child)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .runtime import Runtime


def run_scenario(spec: dict, sink: Callable[[dict], Any] | None = None) -> dict:
    """Run a validated spec to its end; events go to `sink`; returns `run.finished`.

    Snippets get the restricted builtins here too, but only the sandbox child
    adds the audit hook and resource limits: run untrusted code through
    `sandbox.SandboxedRun`.
    """
    runtime = Runtime(spec, sink or (lambda event: None))
    return runtime.run()


def collect(spec: dict) -> list[dict]:
    """Run in-process and return every event (tests)."""
    events: list[dict] = []
    run_scenario(spec, events.append)
    return events
