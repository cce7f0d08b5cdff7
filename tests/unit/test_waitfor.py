"""waitfor.py in-process: the wait-for graph over plain stand-ins for threads and resources."""

from __future__ import annotations

from playground.engine import waitfor


class Res:
    rtype = "lock"

    def __init__(self, gid, *holders):
        self.gid = gid
        self.owners = list(holders)

    def holders(self):
        return self.owners


class T:
    rtype = "thread"

    def __init__(self, name, state="running", waiting_on=None, forever=True):
        self.name = self.gid = name
        self.state, self.waiting_on, self.forever = state, waiting_on, forever

    @property
    def alive(self):
        return self.state in ("running", "parked", "blocked")

    def holders(self):
        return [self] if self.alive else []


def two_locks():
    p1, p2 = T("n/P1", "blocked"), T("n/P2", "blocked")
    x, y = Res("n/x", p1), Res("n/y", p2)
    p1.waiting_on, p2.waiting_on = y, x
    return p1, p2, x, y


def test_a_cycle_through_single_holder_resources_is_found():
    p1, p2, x, y = two_locks()
    assert waitfor.find_cycle(p1) == [p1, p2]
    edges = [waitfor.edge(t) for t in waitfor.find_cycle(p1)]
    assert edges == [{"thread": "n/P1", "waits_for": "n/y", "held_by": "n/P2"},
                     {"thread": "n/P2", "waits_for": "n/x", "held_by": "n/P1"}]
    assert waitfor.describe(edges) == "n/P1 waits for n/y held by n/P2; n/P2 waits for n/x held by n/P1."


def test_no_cycle_for_a_timed_wait_a_running_holder_or_a_shared_resource():
    p1, p2, x, y = two_locks()
    p1.forever = False
    assert waitfor.find_cycle(p1) is None
    p1, p2, x, y = two_locks()
    p2.state = "running"
    assert waitfor.find_cycle(p1) is None
    p1, p2, x, y = two_locks()
    y.owners.append(T("n/P3"))  # a semaphore two threads hold: only all-blocked can tell
    assert waitfor.find_cycle(p1) is None


def test_joining_a_thread_waits_for_that_thread():
    p1, p2 = T("n/P1", "blocked"), T("n/P2", "blocked")
    p1.waiting_on, p2.waiting_on = p2, p1
    assert waitfor.find_cycle(p1) == [p1, p2]


def test_all_blocked_needs_every_live_thread_waiting_forever():
    inbox = Res("n/inbox")
    waiting = T("n/main", "blocked", inbox)
    done = T("n/other", "finished")
    assert waitfor.all_blocked([waiting, done]) == [waiting]
    assert waitfor.edge(waiting)["held_by"] is None
    assert "nobody will ever signal it" in waitfor.describe([waitfor.edge(waiting)])
    assert waitfor.all_blocked([waiting, T("n/busy")]) is None
    assert waitfor.all_blocked([done]) is None


def test_the_graph_has_holds_and_waits_edges():
    p1, p2, x, y = two_locks()
    free = Res("n/free")
    graph = waitfor.graph([p1, p2], [x, y, free])
    ids = {n["id"]: n["type"] for n in graph["nodes"]}
    assert ids == {"n/x": "resource", "n/y": "resource", "n/P1": "thread", "n/P2": "thread"}
    assert {"from": "n/x", "to": "n/P1", "type": "holds"} in graph["edges"]
    assert {"from": "n/P1", "to": "n/y", "type": "waits"} in graph["edges"]
    assert len(graph["edges"]) == 4
