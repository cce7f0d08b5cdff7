"""Explorer benchmark: for each lesson in the library and a 2-thread x 8-step counter
race, the schedules explored with reduction, whether exhaustive, the distinct outcomes,
schedules per second and wall time; each search gets 10 s (the aim for a check) and at
most 5,000 schedules. Shared-memory lessons also count every interleaving without
reduction (same run).

`BENCH_SLUGS=a,b` limits the lessons; `BENCH_BEFORE_DPOR=1` adds the explorer before
dynamic partial-order reduction (sleep sets + visited set only) in the same run. The
file also runs against an older tree (`PYTHONPATH=/tmp/before-dpor`), whose explorer
has no `dpor` switch. Run with `make bench`. Figures are printed, not asserted.
"""

from __future__ import annotations

import inspect
import json
import os
import time

import pytest

from playground.engine.explore import Explorer
from playground.engine.spec import validate
from tests.unit.helpers import LIBRARY

UNREDUCED_CAP = 20_000  # the unreduced count of a large space is "more than" this
REDUCED_CAP = 5_000
BUDGET_MS = 11_200  # the explorer stops at 90 % of the run's time limit: about 10 s

COUNTER_RACE = validate({
    "slug": "counter-race-2x8",
    "nodes": [{"id": "n", "shared": {"counter": 0},
               "threads": [{"name": "P1", "code": "for i in range(4):\n    counter = counter + 1\n"},
                           {"name": "P2", "code": "for i in range(4):\n    counter = counter + 1\n"}]}],
    "run": {"mode": "explore", "timeout_ms": 120_000},
})
HAS_DPOR = "dpor" in inspect.signature(Explorer).parameters


def explore(spec: dict, reduction: bool = True, **how) -> tuple[dict, float]:
    spec = dict(spec, run={**spec["run"], "mode": "explore", "timeout_ms": BUDGET_MS if reduction else 60_000,
                           "max_schedules": REDUCED_CAP if reduction else UNREDUCED_CAP})
    events: list[dict] = []
    started = time.perf_counter()
    Explorer(spec, events.append, reduction=reduction, **how).run()
    elapsed = time.perf_counter() - started
    (result,) = [e for e in events if e["kind"] == "explore.result"]
    return result, elapsed


def row(slug: str, result: dict, wall: float, extra: str = "") -> str:
    return (f"{slug:<32} {result['explored']:>8} {str(result['exhaustive']):>10} {len(result['outcomes']):>8} "
            f"{result['explored'] / wall:>8.0f} {wall:>7.2f} {result.get('stopped_by', ''):>14} {extra}")


@pytest.mark.timeout(7200)
def test_explore_figures():
    wanted = [s for s in os.environ.get("BENCH_SLUGS", "").split(",") if s]
    specs = [validate(json.loads(p.read_text())) for p in sorted(LIBRARY.glob("*.json"))
             if not wanted or p.stem in wanted]
    if not wanted or COUNTER_RACE["slug"] in wanted:
        specs.append(COUNTER_RACE)
    before = HAS_DPOR and os.environ.get("BENCH_BEFORE_DPOR") == "1"
    print()
    print(f"{'scenario':<32} {'explored':>8} {'exhaustive':>10} {'outcomes':>8} {'sched/s':>8} {'wall s':>7} "
          f"{'stopped by':>14} unreduced / before DPOR")
    for spec in specs:
        reduced, wall = explore(spec)
        extra = ""
        if "shared-state" in spec.get("tags", []) or spec["slug"] == COUNTER_RACE["slug"]:
            unreduced, _ = explore(spec, reduction=False)
            extra = str(unreduced["explored"]) if unreduced["exhaustive"] else f">{UNREDUCED_CAP}"
        if before:
            old, old_wall = explore(spec, dpor=False)
            same = ({o["key"] for o in old["outcomes"]} == {o["key"] for o in reduced["outcomes"]}
                    if old["exhaustive"] and reduced["exhaustive"] else "-")
            extra += (f" before: {old['explored']}{'' if old['exhaustive'] else '+'} in {old_wall:.1f} s, "
                      f"{len(old['outcomes'])} outcomes, same: {same}")
        print(row(spec["slug"], reduced, wall, extra), flush=True)
