"""scheduler.py in-process: the choosers of controlled runs, over a stand-in runtime."""

from __future__ import annotations

from playground.engine import scheduler


class T:
    def __init__(self, name, state="parked", waiting_on=None, enabled=True):
        self.name, self.state, self.waiting_on, self.enabled = name, state, waiting_on, enabled


class Runtime:
    """What a chooser uses of the runtime."""

    def __init__(self, threads=()):
        self.threads = list(threads)
        self.schedule: list[str] = []
        self.stopping = False
        self.events: list[tuple[str, dict]] = []
        self.stopped: tuple | None = None
        self.waits = 0

    def stop(self, status, error=None):
        self.stopped = (status, error)
        self.stopping = True

    def emit_run(self, kind, **fields):
        self.events.append((kind, fields))

    def wait_changed(self):
        self.waits += 1
        return False  # the run's time is up


A, B, C = T("n/A"), T("n/B"), T("n/C")


def test_first_enabled_and_a_seeded_random_walk_are_deterministic():
    assert scheduler.FirstEnabled().choose(Runtime(), [B, A]) is B
    one, two = scheduler.RandomChooser(7), scheduler.RandomChooser(7)
    assert [one.choose(None, [A, B, C]) for _ in range(20)] == [two.choose(None, [A, B, C]) for _ in range(20)]
    assert {one.choose(None, [A, B, C]).name for _ in range(50)} == {"n/A", "n/B", "n/C"}


def test_replay_follows_the_schedule_then_hands_over():
    chooser = scheduler.ReplayChooser(["n/B", "n/A"], then=scheduler.FirstEnabled())
    rt = Runtime()
    assert [chooser.choose(rt, [A, B]).name for _ in range(3)] == ["n/B", "n/A", "n/A"]
    assert scheduler.ReplayChooser([]).choose(rt, [A]) is None


def test_replay_of_a_schedule_that_does_not_fit_stops_the_run():
    rt = Runtime()
    rt.schedule = ["n/A"]
    assert scheduler.ReplayChooser(["n/C"]).choose(rt, [A, B]) is None
    assert rt.stopped == ("failed", "the schedule does not fit this scenario: step 2 wants n/C, "
                                    "but only n/A, n/B can go")


def test_interactive_takes_the_learners_steps_refuses_impossible_ones_and_waits():
    lock = type("Res", (), {"gid": "n/x", "holders": lambda self: [A]})()
    blocked = T("n/B", "blocked", waiting_on=lock, enabled=False)
    rt = Runtime([A, blocked])
    chooser = scheduler.Interactive(seed=1)
    chooser.control({"type": "step", "thread": "n/B"})
    chooser.control({"type": "step", "thread": "n/A"})
    assert chooser.choose(rt, [A]) is A
    assert rt.events == [("step.refused", {"requested": "n/B", "reason": "n/B waits for n/x held by n/A"})]
    rt.events.clear()
    assert chooser.choose(rt, [A]) is None  # nothing asked: announce, then wait (here the time is up)
    assert rt.events == [("step.ready", {"enabled": ["n/A"], "blocked": [
        {"thread": "n/B", "waits_for": "n/x", "held_by": "n/A"}]})]
    chooser.control({"type": "deliver", "msg": "m7"})
    delivery = T("deliver:m7")
    assert chooser.choose(rt, [A, delivery]) is delivery
    chooser.control({"type": "continue"})
    assert chooser.choose(rt, [A]) is A


def test_why_a_thread_cannot_go():
    rt = Runtime([T("n/A", "finished"), T("n/B", "running")])
    assert scheduler.why_not(rt, "n/A") == "n/A has ended"
    assert scheduler.why_not(rt, "n/B") == "n/B cannot go now"
    assert scheduler.why_not(rt, "n/Z") == "there is no thread n/Z"


def test_the_chooser_follows_the_mode():
    def chooser(**settings):
        return scheduler.chooser_for({"seed": 3, **settings})

    assert isinstance(chooser(mode="replay", schedule=["n/A"]).then, scheduler.FirstEnabled)
    assert isinstance(chooser(mode="random").then, scheduler.RandomChooser)
    assert isinstance(chooser(mode="step").then, scheduler.Interactive)
    assert chooser(mode="free") is None and chooser(mode="explore") is None
