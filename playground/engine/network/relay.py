"""A link's relay: its settings, and the fate it gives each message.

Every directed link a→b has its own `LinkRelay` with its own seeded random
generator, so a run with the same seed draws the same fates. It decides only:
the network applies partitions and crashes before asking, and carries the copies.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

LINK_FIELDS = ("latency_ms", "jitter_ms", "loss", "duplicate", "reorder")


class LinkRelay:
    """One directed link's settings and seeded decisions (bandwidth is not modelled)."""

    __slots__ = ("a", "b", "settings", "rng")

    def __init__(self, a: str, b: str, settings: Mapping[str, Any], seed: Any):
        self.a, self.b = a, b
        self.settings: dict[str, float] = {k: float(settings.get(k) or 0) for k in LINK_FIELDS}
        self.rng = random.Random(f"{seed}/{a}->{b}")

    def __repr__(self) -> str:
        return f"LinkRelay({self.a}->{self.b} {self.settings})"

    def change(self, settings: Mapping[str, Any]) -> None:
        """New values for some of the settings (a `link` fault); unknown keys are ignored."""
        self.settings.update({k: float(v) for k, v in settings.items() if k in LINK_FIELDS})

    def fate(self) -> list[tuple[float, int]] | None:
        """None if the message is lost, else `(delay in seconds, copy)` for each copy that
        arrives: copy 0, and copy 1 when it is duplicated. A copy may be held back long
        enough for the next messages to overtake it (reordering)."""
        s, rng = self.settings, self.rng
        if rng.random() < s["loss"]:
            return None
        copies = 2 if rng.random() < s["duplicate"] else 1
        latency, jitter, reorder = s["latency_ms"], s["jitter_ms"], s["reorder"]
        fate = []
        for copy in range(copies):
            delay = latency + (rng.uniform(-jitter, jitter) if jitter else 0)
            if reorder and rng.random() < reorder:
                delay += rng.uniform(1, 2) * max(latency, 5.0)
            fate.append((max(0.0, delay) / 1000, copy))
        return fate
