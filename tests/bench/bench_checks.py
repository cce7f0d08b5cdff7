"""Fix-check benchmark: for every built-in fix challenge (the shared-memory lessons),
the wall time of the check as POST /api/checks makes it — the learner's code explored
in the sandbox child, the witness replayed there — on the broken original (which
fails) and on the reference solution (which passes), and the length of the witness
returned against the longest failing one found. Aim: at most 2 s a check.

Run with `make bench` (or `pytest tests/bench/bench_checks.py -s`). Printed, not asserted.
"""

from __future__ import annotations

import time

import pytest

from playground.engine.challenges import check
from playground.engine.challenges import fix as checker
from tests.unit import challenge_cases as cases

AIM_S = 2.0


@pytest.mark.parametrize("slug,cid", cases.challenges("fix"))
def test_bench_fix_check(slug, cid):
    checker._ORIGINALS.clear()  # the lesson's own exploration is cached per process: time it too
    spec, ch = cases.lesson(slug), cases.challenge(slug, cid)
    t0 = time.perf_counter()
    failed = check(spec, ch, edited_spec=cases.original(slug, cid))
    t1 = time.perf_counter()
    passed = check(spec, ch, edited_spec=cases.reference(slug, cid))
    t2 = time.perf_counter()
    assert not failed["passed"] and passed["passed"]
    print(f"\n{slug}/{cid}: broken {t1 - t0:.2f} s ({failed['covered']}; {failed['failing']} of "
          f"{failed['outcomes']} outcomes fail; witness {failed['witness_length']} steps, longest "
          f"{failed['longest_witness']}) · fixed {t2 - t1:.2f} s ({passed['covered']})"
          f"{'' if max(t1 - t0, t2 - t1) <= AIM_S else '  over the 2 s aim'}")
