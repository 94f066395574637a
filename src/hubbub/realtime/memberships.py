"""Which chat rooms this node's sockets are in: always what the store says, in the end.

Membership changes race: a socket's ``joinRoom`` against a REST ``leave``, publications of
two changes crossing between nodes, a connect reading its rooms while a leave commits. The
rule that makes every interleaving come out right:

- every change is published *after* it commits, and each node, on receiving it, first
  applies it at once (so a join takes effect before the REST call answers), then
  **settles** the user: reads their memberships from the store and puts all of the user's
  local sockets in exactly those rooms;
- settles of one user are serialised on the node (one lock per user), and each reads the
  store inside the lock, so the last settle to run read a state at least as new as the
  last change whose publication reached the node. A stale apply can only be followed by a
  settle that corrects it.

``joinRoom`` and connect settle the same way instead of entering rooms from an earlier read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from hubbub.fanout.base import MembershipChange
from hubbub.realtime.emitter import LocalEmitter
from hubbub.realtime.rooms import chat_room, is_chat_room
from hubbub.store.base import Store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _UserLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # settles holding or awaiting it: the entry goes when none are left


class Memberships:
    def __init__(self, sio: Any, emitter: LocalEmitter, store: Callable[[], Store]) -> None:
        self._sio = sio
        self._emitter = emitter
        self._store = store  # the hub's, known once the app has started
        self._locks: dict[int, _UserLock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def follow(self, change: MembershipChange) -> None:
        """A published change: apply it now, then settle the user in the background (the
        broker's delivery loop must not wait on the database)."""
        sids = self._emitter.sids_of(change.user_id)
        if not sids:
            return
        room = chat_room(change.room)
        for sid in sids:
            if change.joined:
                await self._sio.enter_room(sid, room)
            else:
                await self._sio.leave_room(sid, room)
        self._spawn(self._settle_logged(change.user_id))

    async def settle(self, user_id: int) -> None:
        """Put every local socket of the user in exactly the rooms the store lists."""
        entry = self._locks.setdefault(user_id, _UserLock())
        entry.users += 1
        try:
            async with entry.lock:
                names = await self._store().member_room_names(user_id=user_id)
                wanted = {chat_room(name) for name in names}
                for sid in self._emitter.sids_of(user_id):
                    current = {r for r in self._sio.rooms(sid) if is_chat_room(r)}
                    for room in current - wanted:
                        await self._sio.leave_room(sid, room)
                    for room in wanted - current:
                        await self._sio.enter_room(sid, room)
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._locks[user_id]

    async def _settle_logged(self, user_id: int) -> None:
        try:
            await self.settle(user_id)
        except Exception as exc:  # the next change, connect or Resync settles again
            log.warning("could not settle memberships of user %s: %s", user_id, exc)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
