"""A node's inbox: the messages it has received, and the threads waiting in `recv()`."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from .wire import Message


class Inbox:
    """A node's received messages; a thread in `recv()` waits on it (a resource of the
    wait-for graph, `node/inbox`). Every method runs with the monitor held."""

    rtype = "inbox"

    def __init__(self, node_id: str):
        self.name = "inbox"
        self.gid = f"{node_id}/inbox"
        self.messages: deque[Message] = deque()
        self.waiters: list = []

    def holders(self) -> list:
        return []

    def state(self) -> dict:
        return {"owners": [], "waiting": [t.name for t in self.waiters], "value": len(self.messages)}

    def put(self, message: Message, wake) -> None:
        """Into the inbox, or straight to the first thread waiting in recv() (`wake(ctx)`)."""
        if self.waiters:
            waiter = self.waiters.pop(0)
            waiter.mail = message
            waiter.granted = self
            wake(waiter)
        else:
            self.messages.append(message)

    def take(self, ctx, wait_until, timeout: float | None) -> Message | None:
        """The next message for `ctx`, waiting for it with `wait_until(ctx, granted,
        resource, timeout)`; None when the wait times out."""
        if self.messages:
            return self.messages.popleft()
        self.waiters.append(ctx)
        ctx.mail = None
        got = wait_until(ctx, lambda: ctx.mail is not None, self, timeout)
        ctx.granted = None
        if not got:
            if ctx in self.waiters:
                self.waiters.remove(ctx)
            return None
        message, ctx.mail = ctx.mail, None
        return message

    def lose_all(self) -> Iterator[Message]:
        """The node crashed: nobody waits here any more; its messages are taken out one by one."""
        self.waiters.clear()
        while self.messages:
            yield self.messages.popleft()
