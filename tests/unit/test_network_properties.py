"""Property test: over random topologies, programs and faulty links, clocks agree
with happens-before, nothing is received twice unless the link duplicated it, and
nothing crosses a partition."""

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.helpers import finished, kinds, network, run

NODES = ["n0", "n1", "n2", "n3"]


@st.composite
def scenarios(draw):
    count = draw(st.integers(2, 4))
    nodes = NODES[:count]
    pairs = [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1:]]
    links = draw(st.lists(st.sampled_from(pairs), min_size=1, unique=True))
    link_specs = [{"a": a, "b": b, "latency_ms": draw(st.integers(0, 3)), "jitter_ms": draw(st.integers(0, 2)),
                   "loss": draw(st.sampled_from([0, 0.1, 0.3])), "duplicate": draw(st.sampled_from([0, 0.2])),
                   "reorder": draw(st.sampled_from([0, 0.3]))} for a, b in links]
    neighbours = {n: sorted({b for a, b in links if a == n} | {a for a, b in links if b == n}) for n in nodes}
    programs = {}
    for n in nodes:
        lines = []
        for _ in range(draw(st.integers(0, 6))):
            if neighbours[n] and draw(st.booleans()):
                lines.append(f"send({draw(st.sampled_from(neighbours[n]))!r}, {draw(st.integers(0, 99))})")
            else:
                lines.append("recv(timeout=0.02)")
        lines.append("while recv(timeout=0.05) is not None:\n    pass")
        programs[n] = "\n".join(lines) + "\n"
    faults = []
    if len(nodes) > 2 and draw(st.booleans()):
        cut = draw(st.sampled_from(links))
        faults.append({"at_ms": draw(st.integers(0, 20)), "action": "partition", "cut": [list(cut)]})
    return network(programs, link_specs, faults=faults, seed=draw(st.integers(0, 1000)))


def less(a: dict, b: dict) -> bool:
    keys = set(a) | set(b)
    return all(a.get(k, 0) <= b.get(k, 0) for k in keys) and a != b


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_clocks_delivery_and_partitions_hold_on_any_topology(spec):
    events = run(spec)
    assert finished(events)["status"] in ("completed", "deadlock")
    sends = {e["id"]: e for e in kinds(events, "msg.send")}
    duplicated = Counter(e["id"] for e in kinds(events, "msg.duplicate"))
    received = Counter()
    cut_at = {}
    for e in kinds(events, "net.partition"):
        for a, b in e["cut"]:
            cut_at.setdefault((a, b), e["seq"])
    for e in kinds(events, "msg.recv"):
        send = sends[e["id"]]
        received[e["id"]] += 1
        assert less(send["vc"], e["vc"]), (send, e)  # happens-before shows in the vector clocks
        assert send["lamport"] < e["lamport"]
        link = (send["from"], send["to"])
        assert not (link in cut_at and send["seq"] > cut_at[link]), "a message crossed a partition"
    for mid, times in received.items():
        assert times <= 1 + duplicated[mid]
    # Lamport clocks never go back on a node, and vector clocks only grow
    last: dict[str, dict] = {}
    for e in events:
        if "vc" in e and e.get("node"):
            prev = last.get(e["node"])
            if prev is not None:
                assert less(prev["vc"], e["vc"]) and prev["lamport"] < e["lamport"]
            last[e["node"]] = e
