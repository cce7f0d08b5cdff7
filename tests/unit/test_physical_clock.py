"""A node's physical clock: `now()` is the run's time × (1 + drift) + offset, after a
fixed epoch. Free runs read real time (asserted with bounds that hold on a loaded
machine); controlled runs read the threads' virtual time, exactly and the same in
every replay. Logical clocks are not touched."""

import pytest

from playground.engine.snippet_api import EPOCH
from playground.engine.spec import SpecError, validate
from tests.unit.helpers import TIMEOUT_MS, finished, kinds, run

STAMP = "print(repr(now()))\n"


def nodes_spec(code: dict[str, str], clocks: dict[str, dict], **run_settings) -> dict:
    return validate({
        "nodes": [{"id": node, "clock": clocks.get(node), "threads": [{"name": "main", "code": text}]}
                  for node, text in code.items()],
        "links": [{"a": "a", "b": "b"}] if {"a", "b"} <= set(code) else [],
        "run": {"timeout_ms": TIMEOUT_MS, **run_settings},
    })


def stamps(events: list[dict], thread: str) -> list[float]:
    return [float(line) for line in finished(events)["outputs"][thread]]


def around(events: list[dict], thread: str) -> tuple[float, float]:
    """The run's time (event `t`) just before and just after the thread's first stamp."""
    started = next(e for e in kinds(events, "thread.started") if e["thread"] == thread)
    printed = next(e for e in kinds(events, "output") if e["thread"] == thread)
    return started["t"], printed["t"]


def test_two_nodes_with_offsets_of_plus_two_and_minus_one_second_are_three_seconds_apart():
    clocks = {"a": {"offset_ms": 2000}, "b": {"offset_ms": -1000}}
    events = run(nodes_spec({"a": STAMP, "b": STAMP}, clocks))
    (a,), (b,) = stamps(events, "a/main"), stamps(events, "b/main")
    # Each stamp is the epoch + its offset + the run's time when it was read, which lies
    # between the thread's start and its print: bounds that hold however slow the machine.
    for value, offset, thread in ((a, 2.0, "a/main"), (b, -1.0, "b/main")):
        before, after = around(events, thread)
        assert before - 1e-3 <= value - EPOCH - offset <= after + 1e-3
    (a_before, a_after), (b_before, b_after) = around(events, "a/main"), around(events, "b/main")
    assert a_before - b_after - 2e-3 <= a - b - 3.0 <= a_after - b_before + 2e-3


def test_under_control_the_offsets_are_exact_and_a_replay_reads_the_same_clocks():
    clocks = {"a": {"offset_ms": 2000}, "b": {"offset_ms": -1000}}
    first = run(nodes_spec({"a": STAMP, "b": STAMP}, clocks, mode="random", seed=3))
    (a,), (b,) = stamps(first, "a/main"), stamps(first, "b/main")
    assert (a, b) == (EPOCH + 2.0, EPOCH - 1.0) and a - b == 3.0
    again = run(nodes_spec({"a": STAMP, "b": STAMP}, clocks, mode="replay", schedule=finished(first)["schedule"]))
    assert finished(again)["outputs"] == finished(first)["outputs"]


def test_a_drift_of_100000_ppm_makes_a_clock_run_ten_percent_fast():
    code = "t0 = now()\nsleep(1)\nprint(repr(now() - t0))\n"
    events = run(nodes_spec({"fast": code, "true": code}, {"fast": {"drift_ppm": 100_000}}))
    (fast,), (true,) = stamps(events, "fast/main"), stamps(events, "true/main")
    assert fast >= 1.1 - 1e-9 and true >= 1.0 - 1e-9  # a sleep never ends early
    controlled = run(nodes_spec({"fast": code, "true": code}, {"fast": {"drift_ppm": 100_000}}, mode="random"))
    assert stamps(controlled, "fast/main") == [pytest.approx(1.1)]
    assert stamps(controlled, "true/main") == [pytest.approx(1.0)]


def test_now_looks_like_a_time_and_a_node_without_a_clock_reads_the_run_time():
    events = run(nodes_spec({"n": "import time\nprint(repr(now()))\nprint(time.gmtime(now()).tm_year)\n"}, {}))
    value, year = stamps(events, "n/main")
    before, after = around(events, "n/main")
    assert before - 1e-3 <= value - EPOCH <= after + 1e-3 and year >= 2024


def test_under_control_virtual_time_follows_sleeps_spawned_threads_and_messages():
    a = "sleep(2)\nsend('b', 'x' * 498)\n"  # 500 bytes at 1000 B/s: half a second on the link
    b = ("def child():\n    sleep(0.25)\n    print('child', repr(now()))\n"
         "sleep(1)\nt = spawn(child)\nt.join()\n"
         "recv()\nprint('got', repr(now()))\n"
         "recv(timeout=3)\nprint('late', repr(now()))\n")
    spec = validate({"nodes": [{"id": "a", "threads": [{"name": "main", "code": a}]},
                               {"id": "b", "clock": {"offset_ms": 500},
                                "threads": [{"name": "main", "code": b}]}],
                     "links": [{"a": "a", "b": "b", "latency_ms": 100, "bandwidth": 1000}],
                     "run": {"mode": "random", "seed": 5, "timeout_ms": TIMEOUT_MS}})
    lines = finished(run(spec))["outputs"]
    values = {line.split()[0]: float(line.split()[1]) - EPOCH for line in lines["b/main"] + lines["b/child"]}
    assert values["child"] == pytest.approx(0.5 + 1 + 0.25)  # its parent's time when spawned, then its own sleep
    assert values["got"] == pytest.approx(0.5 + 2 + 0.1 + 0.5)  # not before it was sent and carried
    assert values["late"] == pytest.approx(0.5 + 2 + 0.1 + 0.5 + 3)  # a timed-out wait took its time


def test_under_control_a_join_waits_in_virtual_time_for_the_slowest_thread():
    """Threads working side by side: the joiner's clock reads the end of the longest, as
    in a free run (multithreaded-client's speed-up is measured so)."""
    code = ("def work(seconds):\n    sleep(seconds)\n"
            "start = now()\nworkers = [spawn(work, s) for s in (0.3, 0.1, 0.2)]\n"
            "for w in workers:\n    w.join()\nprint(repr(now() - start))\n")
    controlled = run(nodes_spec({"n": code}, {}, mode="random", seed=2))
    assert stamps(controlled, "n/main") == [pytest.approx(0.3)]
    (free,) = stamps(run(nodes_spec({"n": code}, {})), "n/main")
    assert 0.3 - 1e-9 <= free < 0.6  # real time: the longest sleep, not their sum


def test_logical_clocks_do_not_see_the_physical_clock():
    plain = run(nodes_spec({"a": STAMP}, {}, mode="random"))
    skewed = run(nodes_spec({"a": STAMP}, {"a": {"offset_ms": 5000, "drift_ppm": 7}}, mode="random"))
    assert [(e["kind"], e.get("lamport"), e.get("vc")) for e in plain] == \
        [(e["kind"], e.get("lamport"), e.get("vc")) for e in skewed]


def test_a_clock_is_checked_at_its_path_and_now_is_a_name_of_the_playground():
    def errors(node: dict) -> list[dict]:
        with pytest.raises(SpecError) as err:
            validate({"nodes": [{"id": "n", "threads": [{"name": "t", "code": "pass"}], **node}]})
        return err.value.errors

    assert errors({"clock": {"drift_ppm": 2_000_000}})[0]["path"] == "nodes[0].clock.drift_ppm"
    assert errors({"clock": {"offset_ms": "soon"}})[0]["path"] == "nodes[0].clock.offset_ms"
    assert errors({"clock": {"skew": 1}})[0]["path"] == "nodes[0].clock.skew"
    assert "built-in name" in errors({"shared": {"now": 1}})[0]["message"]
    spec = validate({"nodes": [{"id": "n", "clock": {"offset_ms": -250}, "threads": [{"name": "t", "code": "pass"}]}]})
    assert spec["nodes"][0]["clock"] == {"offset_ms": -250, "drift_ppm": 0}
