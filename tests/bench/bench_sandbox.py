"""What the operating-system wall costs: the same runs with and without bubblewrap.

`make bench` runs this; figures are printed, never asserted. Both configurations
are measured in the same run, alternating, because these machines are noisy:

- POST /api/runs → first event at a WebSocket client, on two embedded servers started
  side by side, one with `PLAYGROUND_SANDBOX=python-only` (the sandbox before the wall)
  and one with the default bubblewrap wall; small runs posted to each in turn;
- events per second produced by the sandbox child for a lock-heavy run (the engine
  benchmark's scenario), alternating the two modes in this process.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys

import pytest
from bench_engine import events_per_second
from bench_pipeline import Server, base_env, counter_spec, free_port, watch

from playground.engine import boundary

MODES = ("python-only", "bubblewrap")
SMALL_RUNS = int(os.environ.get("BENCH_SMALL_RUNS", "15"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def _summary(values: list[float]) -> str:
    ordered = sorted(values)
    return (f"median {statistics.median(ordered) * 1000:6.0f} ms, p90 "
            f"{ordered[int(0.9 * (len(ordered) - 1))] * 1000:6.0f} ms, max {ordered[-1] * 1000:6.0f} ms")


def test_time_to_first_event_with_and_without_the_wall(tmp_path):
    if boundary._probe(sys.executable):
        pytest.skip("bubblewrap cannot start here: " + boundary._probe(sys.executable))
    servers, bases = [], {}
    try:
        for mode in MODES:
            folder = tmp_path / mode
            folder.mkdir()
            server = Server({**base_env(folder), "PLAYGROUND_SANDBOX": mode}, folder)
            servers.append(server)
            port = free_port()
            server.run("manage.py", "migrate", "--noinput")
            server.start("serve", "manage.py", "serve", "--port", str(port))
            bases[mode] = f"http://127.0.0.1:{port}"
        for server, base in zip(servers, bases.values(), strict=True):
            server.wait_until_up(base)
        to_first: dict[str, list[float]] = {mode: [] for mode in MODES}
        for _ in range(2):  # warm both: the first run of a server starts its worker's spare child
            for mode in MODES:
                asyncio.run(watch(bases[mode], counter_spec(5)))
        for _ in range(SMALL_RUNS):
            for mode in MODES:
                posted, arrivals, status, _ = asyncio.run(watch(bases[mode], counter_spec(5)))
                assert status == "completed"
                to_first[mode].append(arrivals[0][0] - posted)
    finally:
        for server in servers:
            server.stop()
    print(f"\n=== POST /api/runs → first event at the client ({SMALL_RUNS} small runs each, alternating) ===")
    for mode in MODES:
        print(f"  {mode:12s} {_summary(to_first[mode])}")
    ratio = statistics.median(to_first["bubblewrap"]) / statistics.median(to_first["python-only"])
    print(f"  bubblewrap / python-only (medians): {ratio:.2f}")


def test_events_per_second_with_and_without_the_wall(monkeypatch):
    if boundary._probe(sys.executable):
        pytest.skip("bubblewrap cannot start here")
    rates: dict[str, list[float]] = {mode: [] for mode in MODES}
    for _ in range(ROUNDS):
        for mode in MODES:
            monkeypatch.setenv("PLAYGROUND_SANDBOX", mode)
            events_per_second(200)  # the spare child of this mode
            _, _, rate = events_per_second(25_000)
            rates[mode].append(rate)
    print("\n=== events per second from the sandbox child (2 threads × 25,000 locked increments) ===")
    for mode in MODES:
        print(f"  {mode:12s} " + ", ".join(f"{r:,.0f}" for r in rates[mode])
              + f"   median {statistics.median(rates[mode]):,.0f}")
    ratio = statistics.median(rates["bubblewrap"]) / statistics.median(rates["python-only"])
    print(f"  bubblewrap / python-only (medians): {ratio:.2f}")
