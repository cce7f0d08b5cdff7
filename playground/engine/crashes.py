"""Crashes and restarts of a node (a fault, from the timeline or a click)."""

from __future__ import annotations

import threading
from typing import Any

from .lifecycle import ThreadLife
from .memory import Memory
from .monitor import Monitor


class Crashes:
    def __init__(self, monitor: Monitor, life: ThreadLife, memory: Memory, network: Any):
        self.m = monitor
        self.life = life
        self.memory = memory
        self.network = network

    def crash_node(self, node_id: str | None) -> None:
        """The node stops: its threads end at their next step, its memory and inbox are lost."""
        m = self.m
        with m.mutex:
            node = m.nodes.get(node_id or "")
            if node is None or node.crashed or m.closed:
                return
            node.crashed = True
            node.store, node.last = {}, {}  # its memory is lost (a restart starts from the spec)
            self.network.crashed_node(node.id)
            m.emit_run("node.crash", node=node.id)
            for t in node.threads:
                t.cond.notify_all()
            m.changed.notify_all()

    def restart_node(self, node_id: str | None) -> None:
        """A crashed node comes back with fresh memory: setup runs again, then its threads."""
        m, life = self.m, self.life
        with m.mutex:
            node = m.nodes.get(node_id or "")
            if node is None or not node.crashed or m.closed or m.stopping:
                return
            node.crashed = False
            self.network.crashed.discard(node.id)
            self.memory.reset(node)
            node.resources, node.auto_names = {}, {}
            m.emit_run("node.restart", node=node.id)
            boot = [(life.new_thread(node, t["name"], t["name"]), t) for t in node.spec.get("threads", [])]

        def start() -> None:
            node.globals = life.build_globals(life.runtime, node)
            setup_error = life.run_setup(node)
            with m.mutex:
                for thread_ctx, spec in boot:
                    life.start_thread(thread_ctx, life.thread_body(node, thread_ctx, spec["code"], setup_error),
                                      gated=False)

        threading.Thread(target=start, name=f"restart-{node.id}", daemon=True).start()
