"""A worker process's connection to the channel layer.

Celery task code is synchronous. `async_to_sync` would start a fresh event loop for
every call, and channels_redis keeps its connections per loop, so every batch would
open a new Redis connection. Instead each worker process keeps one event loop on a
daemon thread and submits coroutines to it.
"""

import asyncio
import os
import threading

_lock = threading.Lock()
_link = None


class LayerLink:
    def __init__(self):
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="layer-link", daemon=True)
        self._thread.start()

    def call(self, coro, timeout=30.0):
        """Run a coroutine on the link's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def spawn(self, coro):
        """Start a coroutine on the link's loop; returns a concurrent.futures.Future."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)


def get_link():
    """The process's link; a forked worker child gets its own (loops do not survive fork)."""
    global _link
    with _lock:
        if _link is None or _link.pid != os.getpid():
            _link = LayerLink()
        return _link
