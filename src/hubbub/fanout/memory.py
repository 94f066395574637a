"""In-process broker and presence: the single-process default (no Redis configured)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from hubbub import metrics
from hubbub.fanout.base import Handler, Publication, deliver_here


class MemoryBroker:
    def __init__(self) -> None:
        self._handler: Handler | None = None

    def subscribe(self, handler: Handler) -> None:
        self._handler = handler

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._handler = None

    async def publish(self, publication: Publication) -> None:
        metrics.BROKER_PUBLISHED.inc()
        await deliver_here(self._handler, publication)

    async def ping(self) -> None:
        return None


class MemoryPresence:
    def __init__(self) -> None:
        self._sockets: dict[int, set[str]] = {}

    def on_users_gone(self, callback: Callable[[list[int]], Awaitable[None]]) -> None:
        return None  # one process: its users cannot outlive it

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._sockets.clear()

    async def socket_connected(self, *, user_id: int, sid: str) -> bool:
        sockets = self._sockets.setdefault(user_id, set())
        first = not sockets
        sockets.add(sid)
        return first

    async def socket_disconnected(self, *, user_id: int, sid: str) -> bool:
        sockets = self._sockets.get(user_id)
        if not sockets or sid not in sockets:
            return False
        sockets.discard(sid)
        if sockets:
            return False
        del self._sockets[user_id]
        return True

    async def online_user_ids(self) -> set[int]:
        return set(self._sockets)

    async def which_online(self, user_ids: list[int]) -> set[int]:
        return {user_id for user_id in user_ids if user_id in self._sockets}

    async def sockets_of(self, *, user_id: int) -> int:
        return len(self._sockets.get(user_id, ()))
