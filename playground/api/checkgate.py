"""How many checks explore at once. A fix check (and a predict whose answer the explorer
computes) explores in a sandbox child for up to 20 s of CPU: two hundred students pressing
Check together must queue for a few sandboxes, not start two hundred. So, per server
process: at most CHECKS_MAX_RUNNING explorations at once, a check waits up to
CHECKS_WAIT_SECONDS for a slot (then 503, try again), and one person (an account, a
visitor's session, a classroom seat) has one exploring check at a time (429)."""

import threading
from contextlib import contextmanager

from django.conf import settings

from .errors import ApiError

_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}  # by the setting's value (tests change it)
_exploring: set[str] = set()


def explores(challenge) -> bool:
    """Whether checking this challenge explores in the sandbox (a break is a read, a stated
    predict answer a comparison)."""
    return challenge["kind"] == "fix" or (challenge["kind"] == "predict" and isinstance(challenge.get("answer"), dict))


def slots() -> threading.BoundedSemaphore:
    with _lock:
        n = settings.CHECKS_MAX_RUNNING
        return _slots.setdefault(n, threading.BoundedSemaphore(n))


def exploring() -> set[str]:
    """Who has a check exploring or waiting for a slot now."""
    with _lock:
        return set(_exploring)


@contextmanager
def gate(challenge, who: str):
    """Run the body as `who`'s one exploring check, in one of the process's slots."""
    if not explores(challenge):
        yield
        return
    with _lock:
        if who in _exploring:
            raise ApiError(429, "your previous check is still exploring; wait for its answer, then check again")
        _exploring.add(who)
    try:
        slot = slots()
        if not slot.acquire(timeout=settings.CHECKS_WAIT_SECONDS):
            raise ApiError(503, "the checker is busy with other people's checks; try again in a moment")
        try:
            yield
        finally:
            slot.release()
    finally:
        with _lock:
            _exploring.discard(who)
