"""The ``Broker`` and ``Presence`` protocols and what travels through the broker.

The broker knows nothing about sockets: it hands each publication to the one handler
the realtime layer registers on every node (``realtime/emitter.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Emit:
    """Emit one Socket.IO event, on every node, to the sockets of a target.

    ``to`` is ``room`` (members of a chat room), ``user`` (every socket of a user) or
    ``all`` (every connected socket). ``skip_user`` leaves out every socket of that user.
    """

    event: str
    data: dict[str, Any]
    to: Literal["room", "user", "all"]
    key: str = ""
    skip_user: int | None = None


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """A user joined or left a room: every socket of theirs, on every node, follows."""

    user_id: int
    room: str
    joined: bool


@dataclass(frozen=True, slots=True)
class Resync:
    """Membership changes may have been missed (the broker lost events): every node
    re-reads from the store which rooms each of its sockets belongs in."""


@dataclass(frozen=True, slots=True)
class SessionEnded:
    """A login was ended (logout): every node closes the sockets opened with its tokens."""

    session: str


Publication = Emit | MembershipChange | Resync | SessionEnded
Handler = Callable[[Publication], Awaitable[None]]


async def deliver_here(handler: Handler | None, publication: Publication) -> None:
    """Hand a publication to this node's handler. A failure is logged, never raised: what
    is published was committed first, so it must still reach the other nodes and its
    sender still gets an ack (clients fill a gap with ``sync``), never ``unavailable``."""
    if handler is None:
        return
    try:
        await handler(publication)
    except Exception:
        # Imported here: the operator's commands import this module, and must not load
        # prometheus_client before ``hubbub serve`` has chosen its mode (metrics_dir.py).
        from hubbub import metrics

        metrics.BROKER_ERRORS.labels("deliver").inc()
        log.exception("delivering a %s on this node failed", type(publication).__name__)


class Broker(Protocol):
    def subscribe(self, handler: Handler) -> None:
        """Register the node's one handler (before ``start``)."""

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def publish(self, publication: Publication) -> None:
        """Deliver to the handler on every node, this one included, in publish order.
        Never raises for a failed delivery or an unreachable broker: the write it
        announces is committed (``deliver_here``; other nodes resync)."""

    async def ping(self) -> None:
        """Raise if the broker cannot deliver."""


class Presence(Protocol):
    """Who is online, counted by sockets so several tabs per user are one presence."""

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    def on_users_gone(self, callback: Callable[[list[int]], Awaitable[None]]) -> None:
        """Register who to tell when users went offline without a disconnect event
        (their node died); single-process presence never calls it."""

    async def socket_connected(self, *, user_id: int, sid: str) -> bool:
        """Record a socket; ``True`` if it is the user's first (they came online)."""

    async def socket_disconnected(self, *, user_id: int, sid: str) -> bool:
        """Forget a socket; ``True`` if it was the user's last (they went offline)."""

    async def online_user_ids(self) -> set[int]: ...
    async def which_online(self, user_ids: list[int]) -> set[int]: ...
    async def sockets_of(self, *, user_id: int) -> int:
        """The user's sockets on every live node (the cap on connections per user)."""
