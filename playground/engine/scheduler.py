"""Choosers for the controlled scheduler: who takes the next step.

The runtime calls `choose(runtime, enabled)` with its monitor held, when no
thread is running; it returns one of `enabled` (or None to end the run).
"""

from __future__ import annotations

import random
from collections import deque
from typing import Any


class FirstEnabled:
    """Deterministic: the first enabled thread in the scenario's order."""

    def choose(self, runtime, enabled):
        return enabled[0]


class RandomChooser:
    """A seeded random walk: the same seed, the same run."""

    def __init__(self, seed: Any):
        self.rng = random.Random(f"schedule/{seed}")

    def choose(self, runtime, enabled):
        return self.rng.choice(enabled)


class ReplayChooser:
    """Follows a recorded schedule; then hands over to `then` (None: stop)."""

    def __init__(self, schedule: list[str], then: Any = None):
        self.todo = deque(schedule)
        self.then = then

    def choose(self, runtime, enabled):
        if not self.todo:
            if self.then is None:  # an outcome's witness that ends while threads could go on (a livelock)
                runtime.stop("timeout", "the schedule ends here while threads could still go on")
                return None
            return self.then.choose(runtime, enabled)
        wanted = self.todo.popleft()
        for t in enabled:
            if t.name == wanted:
                return t
        runtime.stop("failed", f"the schedule does not fit this scenario: step {len(runtime.schedule) + 1} "
                               f"wants {wanted}, but only {', '.join(t.name for t in enabled)} can go")
        return None

    def control(self, message: dict) -> None:
        if self.then is not None and hasattr(self.then, "control"):
            self.then.control(message)


class Interactive:
    """The learner decides, one step at a time, from the browser.

    Control messages: `{"type": "step", "thread": "bank/P1"}`,
    `{"type": "step", "random": true}`, `{"type": "deliver", "msg": "m7"}`,
    `{"type": "continue"}` (random steps to the end).
    """

    def __init__(self, seed: Any):
        self.requests: deque[dict] = deque()
        self.random = RandomChooser(seed)
        self.running_free = False

    def control(self, message: dict) -> None:
        if message.get("type") == "step":
            self.requests.append(message)
        elif message.get("type") == "deliver":
            self.requests.append({"thread": f"deliver:{message.get('msg')}"})
        elif message.get("type") == "continue":
            self.running_free = True

    def choose(self, runtime, enabled):
        announced = False
        while True:
            if runtime.stopping:
                return None
            if self.running_free:
                return self.random.choose(runtime, enabled)
            while self.requests:
                message = self.requests.popleft()
                if message.get("random"):
                    return self.random.choose(runtime, enabled)
                for t in enabled:
                    if t.name == message.get("thread"):
                        return t
                runtime.emit_run("step.refused", requested=message.get("thread"),
                                 reason=why_not(runtime, message.get("thread")))
            if not announced:
                runtime.emit_run("step.ready", enabled=[t.name for t in enabled], blocked=blocked(runtime))
                announced = True
            if not runtime.wait_changed():
                return None


def blocked(runtime) -> list[dict]:
    """Why each disabled thread cannot go: what it waits for, held by whom."""
    from .waitfor import edge

    return [edge(t) for t in runtime.threads if t.state == "blocked" and not t.enabled]


def why_not(runtime, name: str | None) -> str:
    for t in runtime.threads:
        if t.name == name:
            if t.state in ("finished", "failed"):
                return f"{name} has ended"
            if t.waiting_on is not None:
                holders = ", ".join(h.name for h in t.waiting_on.holders()) or "nobody"
                return f"{name} waits for {t.waiting_on.gid} held by {holders}"
            return f"{name} cannot go now"
    if name and name.startswith("deliver:"):
        held = runtime.network.held
        for d in held:
            if d.name == name:  # held, but not the next on its link
                first = next(e for e in held if e.link == d.link)
                return (f"{name[8:]} is behind {first.name[8:]} on the link {d.link[0]} → {d.link[1]}, "
                        f"which delivers in order")
        return f"{name[8:]} is not on its way (never sent, arrived or lost)"
    return f"there is no thread {name}"


def chooser_for(settings: dict) -> Any:
    """The chooser a run's settings ask for (explore makes its own)."""
    mode, seed = settings.get("mode", "free"), settings.get("seed", 1)
    schedule = settings.get("schedule") or []
    if mode == "replay":
        return ReplayChooser(schedule, then=FirstEnabled())
    if mode == "random":
        return ReplayChooser(schedule, then=RandomChooser(seed))
    if mode == "step":
        return ReplayChooser(schedule, then=Interactive(seed))
    return None
