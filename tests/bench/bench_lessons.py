"""Every lesson of the library, as a learner meets it: the wall time of one free run in
the sandbox child, and of each of its challenge checks as POST /api/checks makes them
(a predict against its right answer; a break against a run that breaks it; a fix on
the code the learner starts from and on the reference solution), with whether the
check's exploration was exhaustive. Aim: every check at most 10 s.

Run with `make bench` (or `pytest tests/bench/bench_lessons.py -s`). Printed, not asserted.
"""

from __future__ import annotations

import time

import pytest

from playground.engine.challenges import check
from playground.engine.sandbox import run_sandboxed
from tests.unit import challenge_cases as cases

AIM_S = 10.0
ROWS: list[str] = []


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _check_rows(slug: str, spec: dict) -> list[str]:
    rows = []
    for ch in spec.get("challenges") or []:
        kind, cid = ch["kind"], ch["id"]
        try:
            if kind == "predict":
                answer = ch.get("answer")
                answer = answer[0] if isinstance(answer, list) and answer else answer
                seconds, result = _timed(lambda ch=ch, answer=answer: check(spec, ch, answer=answer))
            elif kind == "break":
                events = run_sandboxed(cases.break_spec(slug, cid))
                seconds, result = _timed(lambda ch=ch, events=events: check(spec, ch, events=events))
            else:
                seconds, result = _timed(lambda ch=ch, cid=cid: check(spec, ch, edited_spec=cases.original(slug, cid)))
                more, fixed = _timed(lambda ch=ch, cid=cid: check(spec, ch, edited_spec=cases.reference(slug, cid)))
                seconds = max(seconds, more)
                result = {**result, "covered": f"{result.get('covered', '')} / fixed: {fixed.get('covered', '')}"}
        except KeyError:
            rows.append(f"    {kind:7s} {cid}: no test case to time it with")
            continue
        exhaustive = "exhaustive" if result.get("exhaustive") else ("—" if kind != "fix" else "not exhaustive")
        over = "  OVER THE 10 s AIM" if seconds > AIM_S else ""
        rows.append(f"    {kind:7s} {cid}: {seconds:6.2f} s  {exhaustive}{over}")
    return rows


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("slug", cases.LESSONS)
def test_bench_lesson(slug):
    spec = cases.lesson(slug)
    seconds, events = _timed(lambda: run_sandboxed(spec))
    end = events[-1]
    ROWS.append(f"{slug}: free run {seconds:.2f} s ({end['status']}, {len(events)} events)")
    ROWS.extend(_check_rows(slug, spec))
    print("\n" + "\n".join(ROWS[-1 - len(spec.get('challenges') or []):]))
