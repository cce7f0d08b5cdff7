"""Explorer benchmark: for each built-in and a 2-thread x 8-step counter race,
the schedules explored with reduction, whether exhaustive, the schedules
without reduction (same run), schedules per second and wall time.

Run with `make bench`. Figures are printed, not asserted.
"""

from __future__ import annotations

import json
import time

import pytest

from playground.engine.explore import Explorer
from playground.engine.spec import validate
from tests.unit.helpers import LIBRARY

UNREDUCED_CAP = 20_000  # the unreduced count of a large space is "more than" this
REDUCED_CAP = 5_000  # distributed lessons with recv timeouts have large spaces: report how far it got

COUNTER_RACE = validate({
    "slug": "counter-race-2x8",
    "nodes": [{"id": "n", "shared": {"counter": 0},
               "threads": [{"name": "P1", "code": "for i in range(4):\n    counter = counter + 1\n"},
                           {"name": "P2", "code": "for i in range(4):\n    counter = counter + 1\n"}]}],
    "run": {"mode": "explore", "timeout_ms": 120_000},
})


def explore(spec: dict, reduction: bool) -> tuple[dict, float]:
    spec = dict(spec, run={**spec["run"], "mode": "explore", "timeout_ms": 60_000,
                           "max_schedules": REDUCED_CAP if reduction else UNREDUCED_CAP})
    events: list[dict] = []
    started = time.perf_counter()
    Explorer(spec, events.append, reduction=reduction).run()
    elapsed = time.perf_counter() - started
    (result,) = [e for e in events if e["kind"] == "explore.result"]
    return result, elapsed


@pytest.mark.timeout(3600)
def test_explore_figures():
    specs = [validate(json.loads(p.read_text())) for p in sorted(LIBRARY.glob("*.json"))] + [COUNTER_RACE]
    print()
    print(f"{'scenario':<22} {'explored':>8} {'exhaustive':>10} {'unreduced':>10} {'outcomes':>8} "
          f"{'sched/s':>8} {'wall s':>7}")
    for spec in specs:
        reduced, wall = explore(spec, reduction=True)
        if "shared-state" in spec.get("tags", []) or spec["slug"] == COUNTER_RACE["slug"]:
            unreduced, _ = explore(spec, reduction=False)
            full = str(unreduced["explored"]) if unreduced["exhaustive"] else f">{UNREDUCED_CAP}"
        else:  # messages and timeouts: too many interleavings to count one by one here
            full = "-"
        print(f"{spec['slug']:<22} {reduced['explored']:>8} {str(reduced['exhaustive']):>10} {full:>10} "
              f"{len(reduced['outcomes']):>8} {reduced['explored'] / wall:>8.0f} {wall:>7.2f}")
