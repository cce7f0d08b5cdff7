"""Instrumented primitives behave like Python's, and stuck threads are named."""

from tests.unit.helpers import finished, kinds, run, scenario


def test_a_thread_taking_a_plain_lock_twice_deadlocks_with_itself():
    events = run(scenario({"P1": "from threading import Lock\nl = Lock()\nl.acquire()\nl.acquire()\n"}))
    (deadlock,) = kinds(events, "deadlock")
    assert deadlock["cycle"] == [{"thread": "n/P1", "waits_for": "n/l", "held_by": "n/P1"}]
    assert finished(events)["status"] == "deadlock"


def test_an_rlock_can_be_taken_twice_by_its_owner():
    events = run(scenario({"P1": "from threading import RLock\nl = RLock()\nwith l:\n    with l:\n        print('in')\n"}))
    assert finished(events)["status"] == "completed"
    assert [e["state"]["value"] for e in kinds(events, "sync.acquire")] == [1, 2]


def test_a_semaphore_nobody_releases_is_reported_when_all_threads_are_stuck():
    events = run(scenario({"P1": "s.acquire()\ns.acquire()\n"},
                          resources=[{"name": "s", "type": "semaphore", "value": 1}]))
    (deadlock,) = kinds(events, "deadlock")
    assert deadlock["reason"] in ("all-blocked", "cycle")
    assert deadlock["cycle"][0]["waits_for"] == "n/s"


def test_a_condition_nobody_notifies_is_a_deadlock():
    events = run(scenario({"P1": "with c:\n    c.wait()\n"}, resources=[{"name": "c", "type": "condition"}]))
    (deadlock,) = kinds(events, "deadlock")
    assert deadlock["reason"] == "all-blocked"
    assert deadlock["cycle"] == [{"thread": "n/P1", "waits_for": "n/c", "held_by": None}]
    failed = kinds(events, "thread.failed")
    assert failed and "deadlock" in failed[0]["error"]


def test_threads_joining_each_other_form_a_cycle():
    code = ("from threading import Lock\nl = Lock()\n"
            "def worker():\n    l.acquire()\n"
            "l.acquire()\nt = spawn(worker, name='W')\nt.join()\n")
    events = run(scenario({"P1": code}))
    (deadlock,) = kinds(events, "deadlock")
    pairs = {(e["thread"], e["waits_for"]) for e in deadlock["cycle"]}
    assert pairs == {("n/P1", "n/W"), ("n/W", "n/l")}


def test_a_timed_acquire_gives_up_instead_of_deadlocking():
    code = "l.acquire()\nok = l.acquire(timeout=0.05)\nprint(ok)\nl.release()\n"
    events = run(scenario({"P1": code}, resources=[{"name": "l", "type": "lock"}]))
    end = finished(events)
    assert end["status"] == "completed" and end["outputs"]["n/P1"] == ["False"]
    assert kinds(events, "sync.timeout")


def test_an_event_wakes_every_waiter_and_a_barrier_releases_all_parties():
    events = run(scenario(
        {"A": "e.wait()\nprint('a')\n", "B": "e.wait()\nprint('b')\n", "S": "sleep(0.02)\ne.set()\n"},
        resources=[{"name": "e", "type": "event"}]))
    assert finished(events)["status"] == "completed"
    assert len(kinds(events, "sync.wake")) == 2
    events = run(scenario({f"P{i}": "b.wait()\nprint('through')\n" for i in range(3)},
                          resources=[{"name": "b", "type": "barrier", "parties": 3}]))
    end = finished(events)
    assert end["status"] == "completed"
    assert all(lines == ["through"] for lines in end["outputs"].values())


def test_textbook_threading_code_runs_verbatim_with_display_names_from_assignments():
    code = (
        "import threading\n"
        "counter_lock = threading.Lock()\n"
        "def work(n):\n"
        "    global total\n"
        "    with counter_lock:\n"
        "        total = total + n\n"
        "ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]\n"
        "for t in ts:\n    t.start()\n"
        "for t in ts:\n    t.join()\n"
        "print(total)\n"
    )
    events = run(scenario({"main": code}, shared={"total": 0}))
    end = finished(events)
    assert end["status"] == "completed", end
    assert end["outputs"]["n/main"] == ["6"]
    assert {e["resource"] for e in kinds(events, "sync.acquire")} == {"counter_lock"}
    assert len(kinds(events, "thread.started")) == 5


def test_a_snippet_error_is_an_event_with_its_line_and_the_run_fails():
    events = run(scenario({"P1": "x = 1\ny = x / 0\n", "P2": "print('fine')\n"}))
    (failed,) = kinds(events, "thread.failed")
    assert failed["thread"] == "n/P1" and failed["line"] == 2
    assert failed["error"] == "ZeroDivisionError: division by zero"
    end = finished(events)
    assert end["status"] == "failed" and end["outputs"]["n/P2"] == ["fine"]


def test_local_variables_are_not_shared_but_globals_are():
    code = "def f():\n    balance = 99\n    return balance\nf()\nbalance = balance + 1\n"
    events = run(scenario({"P1": code}, shared={"balance": 1}))
    assert [e["value"] for e in kinds(events, "var.write")] == [2]
    assert finished(events)["shared"]["n"] == {"balance": 2}
