"""Engine benchmarks: events per second from the sandbox child, and the cost of
an instrumented lock against a plain `threading.Lock`, measured in the same run.

Run with `make bench` (or `.venv/bin/python -m pytest tests/bench/bench_engine.py -s`).
Figures are printed, not asserted: these machines are noisy.
"""

from __future__ import annotations

import statistics
import threading
import time

from playground.engine.events import dumps
from playground.engine.runtime import Runtime
from playground.engine.sandbox import SandboxedRun
from playground.engine.spec import validate

LOCK_HEAVY = """
for i in range(ITERATIONS):
    with counter_lock:
        counter = counter + 1
"""


def lock_heavy_spec(iterations: int, threads: int = 2) -> dict:
    return validate({
        "slug": "bench-lock-heavy",
        "nodes": [{"id": "n", "shared": {"counter": 0}, "resources": [{"name": "counter_lock", "type": "lock"}],
                   "setup": f"ITERATIONS = {iterations}\n",
                   "threads": [{"name": f"P{i + 1}", "code": LOCK_HEAVY} for i in range(threads)]}],
        "run": {"timeout_ms": 120_000},
    })


def events_per_second(iterations: int) -> tuple[int, float, int]:
    run = SandboxedRun(lock_heavy_spec(iterations)).start()
    started = time.perf_counter()
    count, last = 0, None
    for batch in run.batches(max_events=1000):
        count += len(batch)
        last = batch[-1]
    elapsed = time.perf_counter() - started
    assert last["kind"] == "run.finished" and last["status"] == "completed", last
    assert last["shared"]["n"]["counter"] == 2 * iterations
    return count, elapsed, count / elapsed


def instrumented_pair_cost(n: int) -> float:
    """Seconds per acquire+release of an instrumented lock (events serialised, as in the child)."""
    code = "t0 = time.perf_counter()\nfor i in range(N):\n    l.acquire()\n    l.release()\nprint(time.perf_counter() - t0)\n"
    spec = validate({"nodes": [{"id": "n", "resources": [{"name": "l", "type": "lock"}], "setup": f"import time\nN = {n}\n",
                                "threads": [{"name": "P1", "code": code}]}], "run": {"timeout_ms": 120_000}})
    sink: list[bytes] = []
    end = Runtime(spec, lambda e: sink.append(dumps(e))).run()
    return float(end["outputs"]["n/P1"][0]) / n


def plain_pair_cost(n: int) -> float:
    lock = threading.Lock()
    t0 = time.perf_counter()
    for _ in range(n):
        lock.acquire()
        lock.release()
    return (time.perf_counter() - t0) / n


def test_engine_throughput_and_lock_overhead():
    iterations = 25_000  # 2 threads x 25,000 x 4 events = 200,000 events
    runs = [events_per_second(iterations) for _ in range(3)]
    best = max(r[2] for r in runs)
    print(f"\n[engine] lock-heavy scenario, 2 threads x {iterations} iterations, sandboxed child:")
    for count, elapsed, rate in runs:
        print(f"[engine]   {count} events in {elapsed:.2f} s = {rate:,.0f} events/s")
    print(f"[engine]   best {best:,.0f} events/s, median {statistics.median(r[2] for r in runs):,.0f} events/s")

    n = 50_000
    ratios = []
    for _ in range(3):
        plain = plain_pair_cost(n)
        instrumented = instrumented_pair_cost(n)
        ratios.append(instrumented / plain)
        print(f"[engine] acquire+release: instrumented {instrumented * 1e6:.2f} us, plain threading.Lock "
              f"{plain * 1e6:.3f} us, ratio {instrumented / plain:.1f}")
    print(f"[engine]   median ratio {statistics.median(ratios):.1f}")
