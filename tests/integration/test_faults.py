"""Faults on the scale-out deployment, as real processes: Redis stopped mid-run, a worker
SIGKILLed, Daphne restarted, idle sockets, crowds of viewers and of runs.

Each test starts its own `redis-server` on a free port (no persistence: a restart loses
its queue, as a crashed Redis would), its own Daphne and Celery workers, on a fresh
PostgreSQL database (copied from a migrated template, which is faster than migrating
each time). WebSocket clients reconnect with `?after=<last seq>` as the page does, and
every test checks what each client ended with: every seq from 1 exactly once, in order,
ending with `run.finished`, then the final status.

Skips loudly when PostgreSQL or `redis-server` is not there; with CI=true it fails
instead (CI has PostgreSQL at 127.0.0.1:5432 and Debian's redis-server).
Tests wait for conditions, never for time windows, except the two that are the fault
itself: Redis is down for 3 s, and an idle socket is left alone for 60 s.
"""

import asyncio
import json
import os
import signal
import time

import redis
import websockets

from .fault_harness import LOG_ERRORS, WAIT, Viewer, blocking_until, run_async, until
from .helpers import counter_spec, slow_spec, spec
from .processes import alive, descendants

# --- the tests -------------------------------------------------------------------------


def test_redis_stopped_for_3_s_fails_nothing_and_loses_no_queued_run(make_deployment):
    """Redis (broker and channel layer) stops for 3 s while a run is going and two more
    are queued behind it. Redis comes back empty, so the queued runs' task messages are
    gone: the sweep sends them again (RUN_REQUEUE_SECONDS=2, RUN_SWEEP_SECONDS=0.5 so
    that it acts quickly). Every run completes, every watcher ends with every event
    exactly once, and the next run after the outage succeeds."""
    deployment = make_deployment(RUN_REQUEUE_SECONDS=2, RUN_SWEEP_SECONDS=0.5)
    deployment.start_daphne()
    deployment.start_worker("worker", concurrency=1)  # one run at a time: the other two really wait

    async def scenario():
        running = await asyncio.to_thread(deployment.post_run, {"scenario": slow_spec(ticks=600, pause=0.02)})
        queued = [await asyncio.to_thread(deployment.post_run, {"scenario": counter_spec(100)}) for _ in range(2)]
        viewers = [Viewer(deployment, run_id) for run_id in [running, *queued]]
        following = [asyncio.create_task(viewer.follow()) for viewer in viewers]
        await until(lambda: deployment.get_run(running)["events"] >= 10, "the first run to be going")
        assert [deployment.get_run(q)["status"] for q in queued] == ["queued", "queued"]
        # Their task messages wait in Redis (not in the busy worker), so they die with it.
        assert redis.Redis.from_url(deployment.redis.url).llen(deployment.queue) >= 2

        stopped = time.monotonic()
        await asyncio.to_thread(deployment.redis.stop)
        at_stop = deployment.get_run(running)
        await asyncio.sleep(3)  # the outage itself
        await asyncio.to_thread(deployment.redis.start)
        back = time.monotonic()
        print(f"\nRedis down {back - stopped:.1f} s; the first run was at event {at_stop['events']} "
              f"({at_stop['status']})")
        assert at_stop["status"] == "running"

        await asyncio.gather(*following)
        done = time.monotonic()
        for viewer, name in zip(viewers, ["the running run", "queued run 1", "queued run 2"], strict=True):
            detail = await asyncio.to_thread(deployment.get_run, viewer.run_id)
            assert detail["status"] == "completed", (name, detail["status"], detail["error"])
            assert viewer.status == "completed", (name, viewer.status, viewer.error)
            viewer.check(f"the watcher of {name}")
            assert len(viewer.events) == detail["events"]
            print(f"{name}: {len(viewer.events)} events over {viewer.connections} connection(s)")
        print(f"all three runs done {done - back:.1f} s after Redis was back")

        after = await asyncio.to_thread(deployment.post_run, {"scenario": counter_spec(20)})
        viewer = await Viewer(deployment, after).follow()
        assert viewer.status == "completed", (viewer.status, viewer.error)
        viewer.check("the watcher of the run after the outage")

    run_async(scenario(), deployment)


def test_a_worker_killed_with_nobody_watching_has_its_run_failed_by_the_sweep_and_leaves_no_child(
        make_deployment):
    """Two workers, one run each. One worker is SIGKILLed (as the OOM killer would) and
    nobody looks at its run: the other worker's sweep fails it ("worker lost") within
    RUN_STALE_SECONDS + RUN_SWEEP_SECONDS (the defaults, 10 + 2.5 s: the README's bound)
    plus a margin for a loaded machine; its sandbox child dies with it; the other run
    goes on. The run is polled in the database, not through the app: GET /api/runs/<id>
    and a WebSocket would reap the run themselves and hide a sweep that does not work."""
    stale, sweep, margin = 10.0, 2.5, 7.5
    deployment = make_deployment(RUN_STALE_SECONDS=stale, RUN_SWEEP_SECONDS=sweep)
    deployment.start_daphne()
    workers = [deployment.start_worker(name, concurrency=1) for name in ("worker-a", "worker-b")]
    runs = [deployment.post_run({"scenario": slow_spec(ticks=100_000, pause=0.01)}) for _ in workers]
    try:
        blocking_until(lambda: all(deployment.db_status(r)[0] == "running" for r in runs), "both runs to start")
        children = blocking_until(lambda: all(descendants(w.pid) for w in workers) and descendants(workers[0].pid),
                                  "each worker's sandbox child")
    except AssertionError:
        raise AssertionError(deployment.logs()) from None

    killed_at = time.monotonic()
    os.kill(workers[0].pid, signal.SIGKILL)  # the worker process only, not its group
    workers[0].wait(timeout=30)

    gone = []  # when the killed worker's sandbox child was first seen gone

    def one_failed():
        if not gone and not alive(children):
            gone.append(time.monotonic())
        statuses = {r: deployment.db_status(r) for r in runs}
        failed = [r for r, (status, _) in statuses.items() if status != "running"]
        return (failed, statuses) if failed else None

    failed, statuses = blocking_until(one_failed, "the killed worker's run to be failed", interval=0.2)
    took = time.monotonic() - killed_at
    gone = gone[0] if gone else blocking_until(lambda: not alive(children) and time.monotonic(),
                                               "the sandbox child to be gone")
    print(f"\nthe run was failed {took:.1f} s after its worker was killed; "
          f"its sandbox child was gone {gone - killed_at:.1f} s after")
    assert len(failed) == 1, statuses
    lost = failed[0]
    assert statuses[lost] == ("failed", "worker lost"), statuses
    assert took <= stale + sweep + margin, f"failed {took:.1f} s after the kill, past the bound"
    assert gone - killed_at <= 10, "the sandbox child outlived its worker"
    detail = deployment.get_run(lost)
    assert (detail["status"], detail["error"]) == ("failed", "worker lost")
    survivor = next(r for r in runs if r != lost)
    assert deployment.db_status(survivor)[0] == "running", "the other worker's run should go on"
    assert workers[1].poll() is None


def test_a_client_resumes_exactly_across_a_daphne_restart(make_deployment):
    deployment = make_deployment()
    deployment.start_daphne()
    deployment.start_worker("worker")

    async def scenario():
        run_id = await asyncio.to_thread(deployment.post_run, {"scenario": slow_spec(ticks=600, pause=0.02)})
        viewer = Viewer(deployment, run_id)
        following = asyncio.create_task(viewer.follow())
        await until(lambda: viewer.last_seq >= 20, "the client to have some events")
        restarted = time.monotonic()
        await asyncio.to_thread(deployment.stop_daphne)
        seen_before = viewer.last_seq
        await asyncio.to_thread(deployment.start_daphne)
        print(f"\nDaphne restarted in {time.monotonic() - restarted:.1f} s; the client had {seen_before} events")
        await following
        assert viewer.connections >= 2, "the client should have reconnected"
        assert viewer.status == "completed", (viewer.status, viewer.error)
        viewer.check("the client")
        detail = await asyncio.to_thread(deployment.get_run, run_id)
        assert detail["events"] == len(viewer.events)
        assert viewer.events[-1]["shared"]["box"]["clock"] == 600
        print(f"resumed: {len(viewer.events)} events over {viewer.connections} connections")

    run_async(scenario(), deployment)


async def idle(ws, seconds):
    """Read until the socket has been silent for `seconds`; returns what arrived meanwhile.
    A socket closed by the server fails the test with its close code."""
    arrived = []
    while True:
        try:
            arrived.append(json.loads(await asyncio.wait_for(ws.recv(), seconds)))
        except TimeoutError:
            return arrived
        except websockets.exceptions.ConnectionClosed as exc:
            raise AssertionError(f"an idle socket was closed: {exc} (after {arrived[-3:]})") from None


def test_idle_sockets_stay_open_for_60_s_on_redis(make_deployment):
    """A watcher of a finished run (after its final status) and one of a step-mode run
    waiting for a click: each socket is left silent for 60 s (the condition tested),
    then still answers."""
    deployment = make_deployment()
    deployment.start_daphne()
    deployment.start_worker("worker")

    async def scenario():
        finished = await asyncio.to_thread(deployment.post_run, {"scenario": counter_spec(10)})
        stepped = await asyncio.to_thread(deployment.post_run, {"scenario": spec(
            "two-ticks", [("T", "clock = clock + 1\nclock = clock + 1\n")], shared={"clock": 0}, mode="step",
            timeout_ms=600_000)})
        done = await Viewer(deployment, finished).follow(keep_open=True)
        done.check("the watcher of the finished run")
        url = f"{deployment.ws_base}/ws/runs/{stepped}/?after=0"
        waiting = await websockets.connect(url, origin=deployment.base, max_size=None, ping_interval=None)
        await until(lambda: deployment.get_run(stepped)["status"] == "running", "the step-mode run to start")

        started = time.monotonic()
        quiet_done, quiet_step = await asyncio.gather(idle(done.ws, 60), idle(waiting, 60))
        print(f"\nboth sockets silent for 60 s ({time.monotonic() - started:.1f} s in all)")
        assert quiet_done == [], f"a finished run's socket was sent {quiet_done}"
        step_events = [e for m in quiet_step if m["type"] == "events" for e in m["events"]]
        assert not [e for e in step_events if e["kind"] == "step"], "the run stepped without a click"

        for ws in (done.ws, waiting):
            await ws.send(json.dumps({"type": "no-such-thing"}))
            reply = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
            assert reply["type"] == "error" and "unknown message type" in reply["message"], reply

        await waiting.send(json.dumps({"type": "step", "thread": "box/T"}))
        while True:  # the click is answered by its step event
            message = json.loads(await asyncio.wait_for(waiting.recv(), WAIT))
            if message["type"] == "events":
                step_events += message["events"]
                if any(e["kind"] in ("step", "run.finished") for e in message["events"]):
                    break
        assert [e["seq"] for e in step_events] == list(range(1, len(step_events) + 1))
        await done.ws.close()
        await waiting.close()

    run_async(scenario(), deployment)
    errors = [line for line in deployment.log("daphne").splitlines() if LOG_ERRORS.search(line)]
    assert not errors, "Daphne logged errors:\n" + "\n".join(errors[:30])


def test_200_viewers_of_one_run_and_50_runs_at_once_each_end_with_the_whole_sequence_then_the_status(
        make_deployment):
    deployment = make_deployment()
    deployment.start_daphne()
    deployment.start_worker("worker-a", concurrency=4)
    deployment.start_worker("worker-b", concurrency=4)

    async def scenario():
        # 200 viewers connecting around the start of one run.
        run_id = await asyncio.to_thread(deployment.post_run, {"scenario": slow_spec(ticks=150, pause=0.02)})
        viewers = [Viewer(deployment, run_id) for _ in range(200)]
        started = time.monotonic()
        await asyncio.gather(*(viewer.follow(timeout=WAIT * 2) for viewer in viewers))
        took = time.monotonic() - started
        for viewer in viewers:
            assert viewer.status == "completed", (viewer.status, viewer.error)
            viewer.check("a viewer")
        reconnected = sum(1 for viewer in viewers if viewer.connections > 1)
        print(f"\n200 viewers of one run ({len(viewers[0].events)} events) done in {took:.1f} s; "
              f"{reconnected} had to reconnect")
        assert reconnected == 0, [v.drops[:2] for v in viewers if v.drops][:5]

        # 50 runs at once, one watcher each.
        started = time.monotonic()
        runs = await asyncio.gather(*(asyncio.to_thread(deployment.post_run, {"scenario": counter_spec(30)})
                                      for _ in range(50)))
        watchers = [Viewer(deployment, r) for r in runs]
        await asyncio.gather(*(watcher.follow(timeout=WAIT * 2) for watcher in watchers))
        print(f"50 runs at once, watched, done in {time.monotonic() - started:.1f} s")
        for watcher in watchers:
            assert watcher.status == "completed", (watcher.status, watcher.error)
            watcher.check("a watcher")
            assert watcher.events[-1]["shared"]["box"]["counter"] == 60
        assert sum(w.connections > 1 for w in watchers) == 0, [w.drops[:2] for w in watchers if w.drops][:5]

    run_async(scenario(), deployment)
    errors = [line for line in deployment.log("daphne").splitlines() if LOG_ERRORS.search(line)]
    assert not errors, "Daphne logged errors:\n" + "\n".join(errors[:30])
