"""Faults: crashes, restarts, partitions, healing, link changes and topology changes
(a link added or removed), from the scenario's timeline (free runs) or from the
learner's clicks (any run)."""

from __future__ import annotations

from collections.abc import Iterable

from .relay import LINK_FIELDS


class NodeCrashed(BaseException):
    """Raised in a thread whose node has crashed: it stops where it is."""


class Partition:
    """The directed pairs (a, b) whose messages are cut: a→b lost while b→a may still flow."""

    def __init__(self, node_ids: Iterable[str]):
        self.node_ids = set(node_ids)
        self.cut: set[tuple[str, str]] = set()

    def __contains__(self, pair: tuple[str, str]) -> bool:
        return pair in self.cut

    def split(self, groups: list[list[str]], pairs: list[tuple[str, str]]) -> None:
        """Cut every pair between two different groups (both ways), and the pairs given
        (one way each); unknown nodes are ignored. Cuts already in force stay."""
        pairs = list(pairs)
        for i, g in enumerate(groups):
            for h in groups[i + 1:]:
                for x in g:
                    for y in h:
                        pairs += [(x, y), (y, x)]
        self.cut.update(p for p in pairs if p[0] in self.node_ids and p[1] in self.node_ids)

    def heal(self) -> None:
        self.cut.clear()

    def pairs(self) -> list[list[str]]:
        return sorted([list(p) for p in self.cut])


class FaultTimeline:
    """The scenario's faults, applied at their `at_ms` by the network thread; and every
    fault's effect, whether it comes from the timeline or from a click."""

    def __init__(self, network, faults: list[dict]):
        self.network = network
        self.rt = network.rt
        self.faults = sorted(faults, key=lambda f: f["at_ms"])
        self.pending = len(self.faults)
        self.pending_restarts = sum(f["action"] == "restart" for f in self.faults)

    def start(self, after) -> None:
        """Schedule every fault with `after(delay_s, action)` (the transport's timers)."""
        for fault in self.faults:
            after(fault["at_ms"] / 1000, lambda f=fault: self._timed(f))

    def _timed(self, fault: dict) -> None:
        self.apply(fault)
        with self.rt.mutex:
            self.pending -= 1
            self.pending_restarts -= fault["action"] == "restart"
            self.rt.check_deadlock()
            self.rt.changed.notify_all()

    def apply(self, fault: dict) -> None:
        """A fault from the timeline or from the learner's click."""
        rt, action = self.rt, fault.get("action")
        if action == "crash":
            rt.crash_node(fault.get("node"))
        elif action == "restart":
            rt.restart_node(fault.get("node"))
        else:
            with rt.mutex:
                if action == "partition":
                    self._partition(fault)
                elif action == "heal":
                    self.network.partition.heal()
                    rt.emit_run("net.heal")
                elif action == "link":
                    self._change_link(fault)
                elif action == "link-add":
                    self._add_link(fault)
                elif action == "link-remove":
                    self._remove_link(fault)
                rt.check_deadlock()

    def _partition(self, fault: dict) -> None:
        partition = self.network.partition
        groups = [list(g) for g in fault.get("groups") or []]
        partition.split(groups, [tuple(p) for p in fault.get("cut") or []])
        self.rt.emit_run("net.partition", groups=groups, cut=partition.pairs())

    def _change_link(self, fault: dict) -> None:
        a, b = ends(fault)
        relays = self.network.relays
        if (a, b) not in relays:
            return
        for pair in ((a, b), (b, a)):
            relays[pair].change(link_settings(fault))
        self.rt.emit_run("net.link", a=a, b=b, change="settings", settings=relays[a, b].settings)

    def _add_link(self, fault: dict) -> None:
        """A new link between `a` and `b` (both ways); nothing happens if they are already
        linked or are not two nodes of the run (a click may name anything)."""
        a, b = ends(fault)
        relay = self.network.add_link(a, b, link_settings(fault))
        if relay is not None:
            self.rt.emit_run("net.link", a=a, b=b, change="add", settings=relay.settings)

    def _remove_link(self, fault: dict) -> None:
        """The link between `a` and `b` is gone (both ways): sending over it fails, and what
        is on its way over it is dropped (`link-removed`)."""
        a, b = ends(fault)
        relay = self.network.remove_link(a, b)
        if relay is not None:
            self.rt.emit_run("net.link", a=a, b=b, change="remove", settings=relay.settings)


def ends(fault: dict) -> tuple[str | None, str | None]:
    """A link fault's nodes `a` and `b` (None for what is not text: a click may send anything)."""
    a, b = fault.get("a"), fault.get("b")
    return (a if isinstance(a, str) else None), (b if isinstance(b, str) else None)


def link_settings(fault: dict) -> dict:
    """A link fault's settings: its `settings` object, or the link fields given beside
    `a` and `b`; values that are not numbers (a click may send anything) are left out."""
    given = fault.get("settings")
    if not isinstance(given, dict):
        given = {k: fault[k] for k in LINK_FIELDS if k in fault}
    return {k: v for k, v in given.items() if k in LINK_FIELDS and _number(k, v)}


def _number(key: str, value) -> bool:
    if value is None:
        return key == "bandwidth"  # no limit
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < float("inf")
