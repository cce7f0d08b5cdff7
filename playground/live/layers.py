"""The in-memory channel layer, made usable from several event loops of one process.

In the embedded deployment the Celery worker is a thread of the server process and
talks to the layer from its own event loop. The stock InMemoryChannelLayer keeps an
asyncio.Queue per channel; putting into it from another thread does not wake the loop
waiting on it (asyncio is not thread-safe), so a WebSocket would see events late or
never. Here a send to a channel that a different loop receives on is handed to that
loop with call_soon_threadsafe, which keeps the order of sends and wakes it at once.

Like the stock layer (and channels_redis) it is at-most-once: a message to a full or
abandoned channel is dropped. The database is the record; consumers recover from it.
"""

import asyncio
import time

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer


class ThreadSafeInMemoryChannelLayer(InMemoryChannelLayer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._receiver_loops = {}

    async def send(self, channel, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        loop = self._receiver_loops.get(channel)
        if loop is None or loop is asyncio.get_running_loop():
            self._put(channel, message)
        elif loop.is_running():
            loop.call_soon_threadsafe(self._put_or_drop, channel, message)
        # else: its receiver's loop has stopped; nobody will read it.

    def _put(self, channel, message):
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        try:
            # A shallow copy, not the stock deepcopy: senders here never mutate a message
            # after sending it, and deep-copying 500-event batches costs the server loop.
            queue.put_nowait((time.time() + self.expiry, dict(message)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    def _put_or_drop(self, channel, message):
        try:
            self._put(channel, message)
        except ChannelFull:
            pass

    async def receive(self, channel):
        self._receiver_loops[channel] = asyncio.get_running_loop()
        try:
            return await super().receive(channel)
        except asyncio.CancelledError:
            # The receiver went away (a consumer closing): forget its loop.
            if channel not in self.channels:
                self._receiver_loops.pop(channel, None)
            raise

    async def group_send(self, group, message):
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        # Snapshot the members: group_add/discard may run on another thread's loop.
        for channel in list(self.groups.get(group, {})):
            try:
                await self.send(channel, message)
            except ChannelFull:
                pass

    async def flush(self):
        await super().flush()
        self._receiver_loops = {}
