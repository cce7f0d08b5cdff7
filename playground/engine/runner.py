"""Run a scenario in this process (tests, tools, the sandbox child)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .verdicts import judged_run


def make_run(spec: dict, sink: Callable[[dict], Any], python_wall: bool = True) -> Any:
    """The object that runs a spec: the runtime, or the explorer for `explore`.

    `python_wall=False` is for tests only: snippets run unchecked with the real
    builtins, to prove that the operating-system wall alone stops them. It is
    a Python argument and never comes from a spec.
    """
    if spec["run"].get("mode") == "explore":
        from .explore import Explorer

        return Explorer(spec, sink, python_wall=python_wall)
    return judged_run(spec, sink, python_wall=python_wall)


def run_scenario(spec: dict, sink: Callable[[dict], Any] | None = None) -> dict:
    """Run a validated spec to its end; events go to `sink`; returns `run.finished`.

    Snippets get the restricted builtins here too, but only the sandbox child
    adds the audit hook and resource limits: run untrusted code through
    `sandbox.SandboxedRun`.
    """
    return make_run(spec, sink or (lambda event: None)).run()


def collect(spec: dict) -> list[dict]:
    """Run in-process and return every event (tests)."""
    events: list[dict] = []
    run_scenario(spec, events.append)
    return events
