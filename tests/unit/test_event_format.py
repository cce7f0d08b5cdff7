"""Events come exactly as CONTRACT.md says: numbered, timed, placed, clocked."""

from tests.unit.helpers import builtin, kinds, run

NODE_LEVEL = {"thread.started", "thread.finished", "thread.failed", "var.read", "var.write", "output",
              "sync.request", "sync.acquire", "sync.release", "sync.wait", "sync.wake", "sync.notify"}


def test_seq_is_gapless_from_one_and_time_never_goes_back():
    events = run(builtin("semaphore-db"))
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    times = [e["t"] for e in events]
    assert times == sorted(times)
    assert events[0]["kind"] == "run.started" and events[-1]["kind"] == "run.finished"


def test_every_event_has_the_common_fields_and_node_events_carry_clocks_and_lines():
    events = run(builtin("bank-withdraw-lock"))
    for e in events:
        assert {"seq", "t", "kind", "node", "thread"} <= e.keys()
        if e["kind"] in NODE_LEVEL:
            assert e["node"] == "bank" and e["thread"].startswith("bank/")
            assert isinstance(e["lamport"], int) and e["vc"]["bank"] == e["lamport"]
            assert "line" in e and e["snippet"] in ("setup", "P1", "P2")
    lamports = [e["lamport"] for e in events if "lamport" in e]
    assert lamports == sorted(lamports)


def test_kind_specific_fields():
    events = run(builtin("bank-withdraw-lock"))
    started = events[0]
    assert started["mode"] == "free" and started["scenario"] == "bank-withdraw-lock"
    assert isinstance(started["seed"], int) and events[-1]["seed"] == started["seed"]  # drawn when not given
    assert started["threads"] == ["bank/P1", "bank/P2"]
    write = kinds(events, "var.write")[0]
    assert write["name"] == "balance" and write["previous"] == 10 and write["value"] in (2, 3)
    assert write["snippet"] == "setup" and write["line"] == 12
    acquire = kinds(events, "sync.acquire")[0]
    assert acquire["resource"] == "balance_lock" and acquire["rtype"] == "lock"
    assert acquire["state"]["owners"] == [acquire["thread"]]
    end = events[-1]
    assert set(end) >= {"status", "shared", "outputs", "schedule"}


def test_a_shared_list_changed_in_place_shows_as_a_write():
    spec = builtin("semaphore-db")
    events = run(spec)
    writes = kinds(events, "var.write")
    assert len(writes) == 3
    assert sorted(len(w["value"]) for w in writes) == [1, 2, 3]
    setup = spec["nodes"][0]["setup"].splitlines()
    line = next(i for i, text in enumerate(setup, 1) if "database.append" in text)
    assert all(w["line"] == line and w["in_place"] for w in writes)
