"""A link's relay: its settings, and the fate it gives each message.

Every directed link a→b has its own `LinkRelay` with its own seeded random
generator, so a run with the same seed draws the same fates. It decides only:
the network applies partitions and crashes before asking, and carries the copies.

A link with a `bandwidth` (bytes a second) carries one message at a time: each
message takes `size / bandwidth` seconds to go through, after the messages before
it on that direction of the link (first in, first out), then the latency.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

LINK_FIELDS = ("latency_ms", "jitter_ms", "loss", "duplicate", "reorder", "bandwidth")


def _setting(key: str, value: Any) -> float | None:
    """A setting's value; a bandwidth of None (or 0) is no limit."""
    if key == "bandwidth":
        return float(value) if value else None
    return float(value or 0)


class LinkRelay:
    """One directed link's settings, its seeded decisions and its queue (bandwidth)."""

    __slots__ = ("a", "b", "settings", "rng", "busy_until")

    def __init__(self, a: str, b: str, settings: Mapping[str, Any], seed: Any):
        self.a, self.b = a, b
        self.settings: dict[str, float | None] = {k: _setting(k, settings.get(k)) for k in LINK_FIELDS}
        self.rng = random.Random(f"{seed}/{a}->{b}")
        self.busy_until = 0.0  # when the link has finished sending the messages given to it so far

    def __repr__(self) -> str:
        return f"LinkRelay({self.a}->{self.b} {self.settings})"

    def change(self, settings: Mapping[str, Any]) -> None:
        """New values for some of the settings (a `link` fault); unknown keys are ignored."""
        self.settings.update({k: _setting(k, v) for k, v in settings.items() if k in LINK_FIELDS})

    def transfer_s(self, size: int) -> float:
        """Seconds a message of `size` bytes takes to go through (0 without a bandwidth)."""
        bandwidth = self.settings["bandwidth"]
        return size / bandwidth if bandwidth else 0.0

    def span(self) -> tuple[float, float]:
        """The least and the most delay (seconds, before any queueing) that `fate` can give a
        message sent now, without its transfer time: a message queued behind another on a
        link with a bandwidth finishes going through after it, so only these can reorder.
        A message sent later overtakes an earlier one in a free run only if its least delay
        is below the earlier one's most: with jitter, reordering, or a latency lowered since."""
        latency, jitter, reorder = (self.settings[k] or 0.0 for k in ("latency_ms", "jitter_ms", "reorder"))
        held_back = 2 * max(latency, 5.0) if reorder else 0.0
        return max(0.0, latency - jitter) / 1000, (max(0.0, latency + jitter) + held_back) / 1000

    def fate(self, size: int = 0, now: float | None = None) -> list[tuple[float, int]] | None:
        """None if the message is lost, else `(delay in seconds, copy)` for each copy that
        arrives: copy 0, and copy 1 when it is duplicated. A copy may be held back long
        enough for the next messages to overtake it (reordering).

        `now` (free runs: the relay's clock) queues the message behind those still going
        through: its delay includes that wait and its own transfer time. Without `now`
        (controlled runs) only the transfer time is added: the order is chosen elsewhere."""
        s, rng = self.settings, self.rng
        if rng.random() < s["loss"]:
            return None
        transfer = self.transfer_s(size)
        if now is not None and transfer:
            start = max(now, self.busy_until)
            self.busy_until = start + transfer
            transfer = self.busy_until - now
        copies = 2 if rng.random() < s["duplicate"] else 1
        latency, jitter, reorder = s["latency_ms"], s["jitter_ms"], s["reorder"]
        fate = []
        for copy in range(copies):
            delay = latency + (rng.uniform(-jitter, jitter) if jitter else 0)
            if reorder and rng.random() < reorder:
                delay += rng.uniform(1, 2) * max(latency, 5.0)
            fate.append((max(0.0, delay) / 1000 + transfer, copy))
        return fate
