"""The broker's handler on this node: turns publications into emits to local sockets.

This is the seam for a faster fan-out later: actions and the broker only know
``Publication``; how it reaches the sockets is decided here alone.
"""

from __future__ import annotations

from typing import Any

from hubbub.fanout.base import Emit, MembershipChange, Publication
from hubbub.realtime.rooms import chat_room, user_room

NAMESPACE = "/"


class LocalEmitter:
    def __init__(self, sio: Any) -> None:
        self._sio = sio

    def sids_of(self, user_id: int) -> list[str]:
        return [sid for sid, _ in self._sio.manager.get_participants(NAMESPACE, user_room(user_id))]

    async def __call__(self, publication: Publication) -> None:
        if isinstance(publication, MembershipChange):
            await self._follow_membership(publication)
        else:
            await self._emit(publication)

    async def _emit(self, emit: Emit) -> None:
        skip = self.sids_of(emit.skip_user) if emit.skip_user is not None else None
        if emit.to == "room":
            room: str | None = chat_room(emit.key)
        elif emit.to == "user":
            room = user_room(int(emit.key))
        else:
            room = None
        await self._sio.emit(emit.event, emit.data, room=room, skip_sid=skip)

    async def _follow_membership(self, change: MembershipChange) -> None:
        room = chat_room(change.room)
        for sid in self.sids_of(change.user_id):
            if change.joined:
                await self._sio.enter_room(sid, room)
            else:
                await self._sio.leave_room(sid, room)
