"""The network between nodes: real TCP sockets on loopback, and fault-injecting links.

    sender thread ──TCP──► LinkRelay (a→b) ──TCP──► node b's socket ──► b's inbox ──► recv()

- `wire`: a message and its frame (4-byte length + JSON), the payload's size cap.
- `relay`: `LinkRelay`, one directed link's settings and its seeded decisions.
- `sockets`: free runs — the sockets, the relays and the network thread's timers.
- `held`: controlled runs — messages held in memory, each arrival a step (`Delivery`).
- `inbox`: `Inbox`, a node's received messages and the threads waiting in `recv()`.
- `faults`: `FaultTimeline` (crash, restart, partition, heal, link) and `Partition`.
- `network`: `Network`, what the runtime and the snippets talk to; it picks the
  transport (`sockets` or `held`) once, by mode.
"""

from .faults import FaultTimeline, NodeCrashed, Partition
from .held import Delivery, HeldDeliveries
from .inbox import Inbox
from .network import Network
from .relay import LINK_FIELDS, LinkRelay
from .sockets import SocketTransport
from .wire import HEADER, MAX_FRAME, MAX_PAYLOAD, MAX_PAYLOAD_DEPTH, Message

__all__ = [
    "HEADER", "LINK_FIELDS", "MAX_FRAME", "MAX_PAYLOAD", "MAX_PAYLOAD_DEPTH",
    "Delivery", "FaultTimeline", "HeldDeliveries", "Inbox", "LinkRelay", "Message", "Network",
    "NodeCrashed", "Partition", "SocketTransport",
]
