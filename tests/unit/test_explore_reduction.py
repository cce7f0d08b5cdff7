"""The explorer's reductions never lose an outcome: with dynamic partial-order
reduction (races.py) + sleep sets + the visited set, the distinct outcomes are those
of the search without any reduction (where that one is feasible) and those of the
explorer before DPOR (sleep sets + visited set, every step tried at every state) —
for the built-in lessons small enough to search both ways and for random small
distributed programs. (`tests/bench/bench_explore.py` compares every lesson in the
library, within caps.)"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.engine.explore import Explorer
from playground.engine.spec import validate
from tests.unit.helpers import LIBRARY, TIMEOUT_MS

UNREDUCED_CAP = 1_500  # beyond this, the unreduced search is not the reference
REDUCED_CAP = 3_000


def explore(spec: dict, cap: int, **how) -> dict:
    spec = dict(spec, run={**spec["run"], "mode": "explore", "max_schedules": cap, "timeout_ms": TIMEOUT_MS})
    events: list[dict] = []
    Explorer(spec, events.append, **how).run()
    (result,) = [e for e in events if e["kind"] == "explore.result"]
    return result


def keys(result: dict) -> set[str]:
    return {o["key"] for o in result["outcomes"]}


def assert_same_outcomes(spec: dict) -> dict:
    """DPOR against no reduction (if feasible) and against the explorer before DPOR (if
    both finish): the same distinct outcomes. Returns the DPOR result."""
    dpor = explore(spec, REDUCED_CAP)
    before = explore(spec, REDUCED_CAP, dpor=False)
    if dpor["exhaustive"] and before["exhaustive"]:
        assert keys(dpor) == keys(before)
    if dpor["exhaustive"]:
        none = explore(spec, UNREDUCED_CAP, reduction=False)
        if none["exhaustive"]:
            assert keys(dpor) == keys(none)
    return dpor


SMALL_LESSONS = ["bank-withdraw-lock", "bank-withdraw-race", "condition-steps", "deadlock-two-locks",
                 "forgotten-release", "semaphore-db", "shared-x-race", "client-server-http", "rpc-stub",
                 "lamport-vector-clocks"]


@pytest.mark.parametrize("slug", SMALL_LESSONS)
def test_every_outcome_of_a_lesson_is_kept(slug):
    spec = validate(json.loads((LIBRARY / f"{slug}.json").read_text()))
    assert assert_same_outcomes(spec)["exhaustive"]


def net(programs: dict[str, list[str]], links: list[tuple[str, str]], *, loss: float = 0, duplicate: float = 0,
        shared: dict | None = None) -> dict:
    return validate({
        "slug": "random-net",
        "nodes": [{"id": node, "shared": (shared or {}).get(node, {}),
                   "threads": [{"name": f"t{k}", "code": code} for k, code in enumerate(codes)]}
                  for node, codes in programs.items()],
        "links": [{"a": a, "b": b, "latency_ms": 1, "loss": loss, "duplicate": duplicate} for a, b in links],
        "run": {"timeout_ms": TIMEOUT_MS, "seed": 3},
    })


@st.composite
def programs(draw):
    nodes = ["a", "b", "c"][:draw(st.integers(2, 3))]
    pairs = [(x, y) for i, x in enumerate(nodes) for y in nodes[i + 1:]]
    links = draw(st.lists(st.sampled_from(pairs), min_size=1, unique=True))
    near = {n: sorted({y for x, y in links if x == n} | {x for x, y in links if y == n}) for n in nodes}
    code: dict[str, list[str]] = {}
    for n in nodes:
        threads = []
        for _ in range(draw(st.integers(1, 2)) if n == "a" else 1):
            lines = []
            for _ in range(draw(st.integers(0, 3))):
                op = draw(st.sampled_from(["send", "recv", "wait", "count"]))
                if op == "send" and near[n]:
                    lines.append(f"send({draw(st.sampled_from(near[n]))!r}, {draw(st.integers(0, 3))})")
                elif op == "recv":
                    lines.append("m = recv(timeout=0.1)\nprint(m and (m.sender, m.content))")
                elif op == "wait":
                    lines.append("m = recv()\nprint(m.content)")
                else:
                    lines.append("x = x + 1")
            threads.append("\n".join(lines) + "\n" if lines else "pass\n")
        code[n] = threads
    return net(code, links, loss=draw(st.sampled_from([0, 0.5])), duplicate=draw(st.sampled_from([0, 0.5])),
               shared={n: {"x": 0} for n in nodes})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_distributed_programs_keep_every_outcome(spec):
    assert_same_outcomes(spec)


def test_messages_to_different_nodes_commute():
    """Three independent pairs (a→b, c→d, e→f): DPOR tries far fewer schedules than the
    explorer before it, and finds the one outcome."""
    pairs = {"a": ["send('b', 1)"], "b": ["print(recv().content)"], "c": ["send('d', 2)"],
             "d": ["print(recv().content)"], "e": ["send('f', 3)"], "f": ["print(recv().content)"]}
    spec = net(pairs, [("a", "b"), ("c", "d"), ("e", "f")])
    dpor = explore(spec, REDUCED_CAP)
    before = explore(spec, REDUCED_CAP, dpor=False)
    assert dpor["exhaustive"] and before["exhaustive"] and keys(dpor) == keys(before)
    assert len(dpor["outcomes"]) == 1
    assert dpor["explored"] * 4 <= before["explored"], (dpor["explored"], before["explored"])


def test_two_receivers_on_one_node_race_for_the_message():
    """Two threads of one node wait in recv(): either may get the one message."""
    spec = net({"a": ["send('b', 7)"], "b": ["print(recv().content)", "m = recv(timeout=0.1)\nprint(m and m.content)"]},
               [("a", "b")])
    result = assert_same_outcomes(spec)
    outputs = [o["outputs"] for o in result["outcomes"]]
    assert {"a/t0": [], "b/t0": ["7"], "b/t1": ["None"]} in outputs  # t1 timed out
    assert any(o["b/t1"] == ["7"] for o in outputs)  # t1 got it (t0 then waits forever)


def test_the_order_in_which_receivers_began_waiting_is_part_of_the_state():
    """The first thread waiting in recv() is handed the next arrival, so two states that
    differ only in who began waiting first are different states (hypothesis found this:
    the visited set merged them and lost the outcome where a/t1 gets b's message)."""
    spec = net({"a": ["m = recv()\nprint(m.content)\n",
                      "send('b', 0)\nm = recv(timeout=0.1)\nprint(m and (m.sender, m.content))\nsend('b', 0)\n"],
                "b": ["m = recv(timeout=0.1)\nprint(m and (m.sender, m.content))\nsend('a', 0)\n"], "c": ["pass\n"]},
               [("a", "b")], loss=0.5)
    result = assert_same_outcomes(spec)
    assert any(o["outputs"]["a/t1"] == ["('b', 0)"] and o["outputs"]["a/t0"] == [] for o in result["outcomes"])
