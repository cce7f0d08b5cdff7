"""Exports of a 1,000,000-event run, each format downloaded from a real `manage.py serve`
(Daphne, ASGI): time to the first byte, total time, size, and how much the server's
memory (the RSS of the serving process, sampled every 20 ms) grew while it streamed.

Run: `make bench` or `.venv/bin/python -m pytest tests/bench/bench_exports.py -s`
(BENCH_EXPORT_EVENTS to change the size). The run is written straight into the
server's database (an upload of 1,000,000 events is past the upload limit)."""

import os
import subprocess
import threading
import time
import urllib.request

import pytest

from playground.exports import EXPORTERS
from tests.e2e.live_server import PYTHON, ROOT, LiveServer

N_EVENTS = int(os.environ.get("BENCH_EXPORT_EVENTS", "1000000"))
LIMIT_S = 10.0

FILL = """
import sys
from tests.bench.bench_frontend import generate_trace
import orjson
from playground.runs.execute import Batch, store
from playground.runs.models import Run
from playground.engine.spec import validate
from tests.unit.helpers import builtin
events = generate_trace(int(sys.argv[-1]))
run = Run.objects.create(spec=builtin("rpc-stub"), scenario="bench-export", status="completed", result=events[-1])
for start in range(0, len(events), 5000):  # stored as the worker stores a run's events
    store(run.id, Batch([(e, orjson.dumps(e)) for e in events[start:start + 5000]]))
print(run.id)
"""


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def download(url, pid):
    base = rss_kb(pid)
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    size = 0
    with urllib.request.urlopen(url, timeout=600) as response:
        first = response.read(1)
        ttfb = time.perf_counter() - start
        size = len(first)
        while chunk := response.read(1 << 20):
            size += len(chunk)
    total = time.perf_counter() - start
    done.set()
    sampler.join()
    return ttfb, total, size, (peak[0] - base) / 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("bench-exports"))
    live.var_dir.mkdir(parents=True, exist_ok=True)
    live.manage("migrate", "--noinput")
    filled = subprocess.run([PYTHON, "-c", "import django\ndjango.setup()\n" + FILL, str(N_EVENTS)],
                            cwd=ROOT, env=live.env, capture_output=True, text=True, timeout=1800)
    assert filled.returncode == 0, filled.stderr[-3000:]
    live.run_id = filled.stdout.strip().splitlines()[-1]
    live.start(timeout=180)
    yield live
    live.stop()


def test_every_format_of_a_million_event_run_streams_in_under_ten_seconds(server):
    rows = []
    for fmt in EXPORTERS:
        url = f"{server.url}/api/runs/{server.run_id}/trace?format={fmt}"
        rows.append((fmt, *download(url, server.process.pid)))
    print(f"\n{N_EVENTS:,} events, served by manage.py serve (pid {server.process.pid})")
    print(f"{'format':10} {'first byte':>11} {'total':>8} {'size':>10} {'server memory':>14}")
    for fmt, ttfb, total, size, grown in rows:
        print(f"{fmt:10} {ttfb * 1000:9.0f} ms {total:6.1f} s {size / 1e6:7.1f} MB {grown:+11.0f} MB")
    for fmt, ttfb, total, _, grown in rows:
        assert ttfb < 1.0, (fmt, ttfb)
        assert grown < 100, (fmt, grown)  # MB: streamed, not built in memory
        if N_EVENTS >= 1_000_000:
            assert total < LIMIT_S, (fmt, total)
