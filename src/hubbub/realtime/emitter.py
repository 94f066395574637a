"""The broker's handler on this node: turns publications into frames for local sockets.

This is the fan-out hot path. python-socketio's stock room emit creates one asyncio task
per recipient and waits for all of them, so a sender's ack waited on every delivery. Here
the event is encoded once, and ``engine.deliver`` hands the same bytes to each recipient's
socket without a task or an await per recipient (one WebSocket frame for all: see
``websocket_lane``). Actions and the broker only know ``Publication``; how it reaches sockets is
decided here alone.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from hubbub import metrics
from hubbub.fanout.base import Emit
from hubbub.realtime import contract, engine
from hubbub.realtime.rooms import chat_room, user_room

log = logging.getLogger(__name__)

NAMESPACE = engine.NAMESPACE


class LocalEmitter:
    def __init__(self, sio: Any, *, check_wire: bool = False) -> None:
        self._sio = sio
        self._check_wire = check_wire  # events.EMITTED, checked (tests): realtime.contract

    def sids_of(self, user_id: int) -> list[str]:
        return [sid for sid, _ in self._sio.manager.get_participants(NAMESPACE, user_room(user_id))]

    def emit(self, emit: Emit) -> int:
        """Queue the event on every target socket of this node; returns how many."""
        if emit.to == "room":
            room: str | None = chat_room(emit.key)
        elif emit.to == "user":
            room = user_room(int(emit.key))
        else:
            room = None  # python-socketio keeps every connected socket in room None
        if self._check_wire:
            contract.check_emit(emit.event, emit.data)
        skip = set(self.sids_of(emit.skip_user)) if emit.skip_user is not None else set()
        # Engine.IO MESSAGE (4) carrying a Socket.IO EVENT (2), encoded once for everyone.
        payload = b"42" + orjson.dumps([emit.event, emit.data])
        queued = engine.deliver(self._sio, room, skip, payload)
        if queued:
            metrics.DELIVERIES.inc(queued)  # once per emit, not per recipient
        return queued
