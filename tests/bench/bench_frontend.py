"""Frontend benchmark: a 100,000-event trace in the space-time diagram, in Chromium.

Uploads a generated trace (several nodes with two threads each, locks, shared
variables and messages carrying Lamport and vector clocks) with POST /api/traces,
opens it in the page and prints the time until the diagram has every event and has
drawn its first frame, then the frame times while the diagram scrolls
(requestAnimationFrame intervals). Run with `make bench`; figures are printed, not
asserted. Aim: open under 2 s, scrolling at 30 fps or better.
"""

from __future__ import annotations

import json
import random
import statistics
import time
import urllib.request

from playwright.sync_api import sync_playwright

from tests.e2e.live_server import CHROMIUM_ARGS, LiveServer, chromium_path

N_EVENTS = 100_000
NODES = ["alpha", "beta", "gamma", "delta", "epsilon"]


def generate_trace(n=N_EVENTS, seed=7):
    """A free run's trace in playground.event/1: gapless seq, clocks on node-level events."""
    rng = random.Random(seed)
    threads = [f"{node}/{t}" for node in NODES for t in ("main", "worker")]
    vc = {node: {node: 0} for node in NODES}
    lamport = dict.fromkeys(NODES, 0)
    in_flight = []  # (id, from, to, send vc, send lamport)
    held = {}  # node/lock -> thread
    events = []
    t = 0.0
    msg_no = 0

    def emit(kind, node=None, thread=None, **fields):
        nonlocal t
        t += rng.uniform(0.00001, 0.0002)
        e = {"seq": len(events) + 1, "t": round(t, 6), "kind": kind, "node": node, "thread": thread}
        if node:
            vc[node][node] += 1
            lamport[node] += 1
            e["lamport"] = lamport[node]
            e["vc"] = dict(vc[node])
        e.update(fields)
        events.append(e)

    emit("run.started", mode="free", seed=seed, scenario="bench-100k",
         nodes=[{"id": n, "role": "peer"} for n in NODES], threads=threads)
    for th in threads:
        emit("thread.started", th.split("/")[0], th)
    while len(events) < n - len(threads) - 1:
        th = rng.choice(threads)
        node = th.split("/")[0]
        roll = rng.random()
        if roll < 0.25 and in_flight and any(m[2] == node for m in in_flight):
            m = next(m for m in in_flight if m[2] == node)
            in_flight.remove(m)
            if rng.random() < 0.05:
                emit("msg.drop", id=m[0], reason="loss", **{"from": m[1], "to": m[2]})
                continue
            for k, v in m[3].items():
                vc[node][k] = max(vc[node].get(k, 0), v)
            lamport[node] = max(lamport[node], m[4])
            emit("msg.recv", node, th, id=m[0], **{"from": m[1], "to": m[2]})
        elif roll < 0.45:
            msg_no += 1
            to = rng.choice([x for x in NODES if x != node])
            mid = f"m{msg_no}"
            emit("msg.send", node, th, id=mid, content={"n": msg_no}, bytes=12, **{"from": node, "to": to})
            in_flight.append((mid, node, to, dict(vc[node]), lamport[node]))
        elif roll < 0.7:
            lock = f"{node}/lock"
            owner = held.get(lock)
            if owner == th:
                del held[lock]
                emit("sync.release", node, th, resource="lock", rtype="lock", state={"owners": [], "waiting": []})
            elif owner is None:
                held[lock] = th
                emit("sync.acquire", node, th, resource="lock", rtype="lock",
                     state={"owners": [th], "waiting": []})
        else:
            value = rng.randint(0, 100)
            emit("var.write", node, th, name="counter", value=value, previous=None, line=3, snippet="main")
    for th in threads:
        emit("thread.finished", th.split("/")[0], th)
    emit("run.finished", status="completed", shared={}, outputs={}, schedule=[])
    return events


def upload(base, events):
    header = json.dumps({"format": "playground.event/1"})  # the trace says its format version
    body = "\n".join([header] + [json.dumps(e, separators=(",", ":")) for e in events]).encode()
    req = urllib.request.Request(f"{base}/api/traces", data=body, method="POST",
                                 headers={"Content-Type": "application/x-ndjson"})
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.loads(r.read())["id"], len(body)


SCROLL_SCRIPT = """
async ([steps, px]) => {
  const scroller = document.querySelector('[data-testid=spacetime] .st-scroller');
  const times = [];
  let last = performance.now();
  for (let i = 0; i < steps; i++) {
    scroller.scrollTop += px;
    await new Promise(requestAnimationFrame);
    const now = performance.now();
    times.push(now - last);
    last = now;
  }
  return times;
}
"""


def test_frontend_opens_and_scrolls_a_100k_trace(tmp_path):
    events = generate_trace()
    server = LiveServer(tmp_path / "server").start()
    try:
        run_id, size = upload(server.url, events)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(f"{server.url}/")  # the page's code is cached; what is timed is opening the trace
            page.get_by_test_id("scenario-title").wait_for()
            started = time.perf_counter()
            page.goto(f"{server.url}/#/runs/{run_id}")
            page.wait_for_function("+(document.querySelector('[data-testid=spacetime]')?.dataset.events || 0) > 0",
                                   timeout=120_000, polling="raf")
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
            first_paint = time.perf_counter() - started
            page.wait_for_function(
                f"document.querySelector('[data-testid=spacetime]')?.dataset.events === '{len(events)}'",
                timeout=120_000, polling="raf")
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
            opened = time.perf_counter() - started

            frames = page.evaluate(SCROLL_SCRIPT, [240, 180])
            zoomed_out = page.get_by_test_id("diagram-zoom-out")
            for _ in range(4):
                zoomed_out.click()
            dense = page.evaluate(SCROLL_SCRIPT, [240, 400])
            heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : 0")
            browser.close()
    finally:
        server.stop()

    def report(name, times):
        times = times[5:]  # the first frames include the scroll's start
        med = statistics.median(times)
        p95 = sorted(times)[int(len(times) * 0.95)]
        print(f"  {name}: median frame {med:.1f} ms ({1000 / med:.0f} fps), p95 {p95:.1f} ms, "
              f"worst {max(times):.1f} ms")

    print(f"\nFrontend: {len(events):,} events ({size / 1e6:.1f} MB JSONL), Chromium headless")
    print(f"  open to first paint of the diagram (first 10,000 events drawn): {first_paint:.2f} s (aim < 2 s)")
    print(f"  open to all {len(events):,} events in and drawn: {opened:.2f} s")
    report("scrolling at 22 px/event", frames)
    report("scrolling zoomed out (~4.3 px/event)", dense)
    if heap:
        print(f"  JS heap after opening: {heap / 1e6:.0f} MB")
