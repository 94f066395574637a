"""The broker's handler on this node: turns publications into frames for local sockets.

This is the fan-out hot path. python-socketio's stock room emit creates one asyncio task
per recipient and waits for all of them, so a sender's ack waited on every delivery. Here
the event is encoded once into one Engine.IO packet, and that same packet is queued on each
recipient's socket without a task or an await per recipient; Engine.IO's per-socket writer
sends it. Actions and the broker only know ``Publication``; how it reaches sockets is
decided here alone.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from engineio import packet as eio_packet

from hubbub import metrics
from hubbub.fanout.base import Emit
from hubbub.realtime import contract
from hubbub.realtime.rooms import chat_room, user_room

log = logging.getLogger(__name__)

NAMESPACE = "/"
_SOCKETIO_EVENT = "2"  # Socket.IO packet type EVENT, default namespace, no ack id


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
        frame = eio_packet.Packet(
            eio_packet.MESSAGE, _SOCKETIO_EVENT + orjson.dumps([emit.event, emit.data]).decode()
        )
        # A socket still in its connect handler gets nothing before its CONNECT packet.
        pending = self._sio.manager.pending_connect.get(NAMESPACE)
        if pending:
            skip.update(pending)
        sockets = self._sio.eio.sockets
        queued = 0
        for sid, eio_sid in self._sio.manager.get_participants(NAMESPACE, room):
            if sid in skip:
                continue
            socket = sockets.get(eio_sid)
            if socket is None or socket.closed:
                continue  # going away; its disconnect is being handled
            socket.queue.put_nowait(frame)
            queued += 1
        if queued:
            metrics.DELIVERIES.inc(queued)  # once per emit, not per recipient
        return queued
