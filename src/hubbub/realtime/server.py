"""Socket.IO event handlers: parse, call an action, answer the ack. Nothing else.

Every client event answers ``{"ok": true, …}`` or ``{"ok": false, "error": …}``; a bad
payload never disconnects the socket and never reaches anyone else.
"""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import Any

from hubbub import metrics
from hubbub.actions import changes, messages, rooms
from hubbub.actions import sync as catchup
from hubbub.actions.auth import reauthenticate
from hubbub.config import Settings
from hubbub.errors import BadRequest
from hubbub.events import (
    EditMessageIn,
    MarkReadIn,
    MessageRef,
    ReactionIn,
    ReauthIn,
    RevIn,
    RoomRef,
    SendMessageIn,
    SyncIn,
)
from hubbub.hub import Hub
from hubbub.realtime import engine
from hubbub.realtime.codec import OrjsonCodec
from hubbub.realtime.dispatch import Ack, Dispatch, error_ack
from hubbub.realtime.engine import GuardedServer
from hubbub.realtime.origins import origin_check
from hubbub.realtime.sockets import Sockets
from hubbub.schemas import RoomOut, message_wire
from hubbub.security import TokenUser

log = logging.getLogger(__name__)


# The transport's own hard cap (Engine.IO closes the connection above it). Hubbub's
# answerable limit, ``max_event_bytes``, sits well below it.
TRANSPORT_MAX_BYTES = 1_000_000


class RealtimeServer:
    """The Socket.IO server of one process, bound to its ``Hub`` at start-up."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sio = GuardedServer(
            queue_limit=settings.socket_queue_limit,
            buffer_limit=settings.socket_buffer_bytes,
            write_delay=settings.socket_write_delay_ms / 1000,
            async_mode="asgi",
            cors_allowed_origins=origin_check(settings.cors_origins),
            json=OrjsonCodec,
            max_http_buffer_size=TRANSPORT_MAX_BYTES,
            http_compression=True,
            compression_threshold=1024,
        )
        self._hub: Hub | None = None
        self.sockets = Sockets(
            settings, self.sio, lambda: self._hub, lambda sid: self._dispatch.forget(sid)
        )
        self._dispatch = Dispatch(settings, self.sockets.sessions, lambda: self.hub.limits)
        self.emitter = self.sockets.emitter
        self._register()

    @property
    def hub(self) -> Hub:
        if self._hub is None:
            raise RuntimeError("realtime server used before the app started")
        return self._hub

    def attach(self, hub: Hub) -> None:
        self._hub = hub
        hub.broker.subscribe(self.sockets.on_publication)

    async def check_sessions(self) -> None:
        await self.sockets.check_sessions()

    async def watch_sessions(self, every: float) -> None:
        await self.sockets.watch_sessions(every)

    def _register(self) -> None:
        sio = self.sio
        sio.on("connect", self.on_connect)
        sio.on("disconnect", self.on_disconnect)
        on = partial(self._dispatch.register, sio)
        on("joinRoom", RoomRef, self.join_room, limit="joins")
        on("leaveRoom", RoomRef, self.leave_room, limit="joins")
        on("sendMessage", SendMessageIn, self.send_message, limit="messages")
        on("typing", RoomRef, self.typing, limit="typing", quiet=True)
        on("editMessage", EditMessageIn, self.edit_message, limit="writes")
        on("deleteMessage", MessageRef, self.delete_message, limit="writes")
        on("addReaction", ReactionIn, self.add_reaction, limit="writes")
        on("removeReaction", ReactionIn, self.remove_reaction, limit="writes")
        on("sync", SyncIn, self.sync, limit="reads")
        on("markRead", MarkReadIn, self.mark_read, limit="writes")
        on("reauth", ReauthIn, self.reauth, limit="writes")
        sio.on("*", self.on_unknown)

    # ---- connection ----
    def _is_event(self, sid: str, name: str) -> bool:
        """A client may *send* events named "connect"/"disconnect": python-socketio routes
        them to the same handlers (engine.in_handshake tells them apart)."""
        return not engine.in_handshake(self.sio, sid, name)

    async def on_connect(
        self, sid: str, environ: Any = None, auth: Any = None, *extra: Any
    ) -> Ack | None:
        if self._is_event(sid, "connect"):
            return error_ack(BadRequest("'connect' is reserved"))
        await self.sockets.connect(sid, auth)
        return None

    async def on_disconnect(self, sid: str, reason: Any = None, *extra: Any) -> Ack | None:
        if self._is_event(sid, "disconnect"):
            return error_ack(BadRequest("'disconnect' is reserved"))
        await self.sockets.disconnect(sid, reason)
        return None

    async def on_unknown(self, *args: Any) -> Ack:
        # python-socketio calls the catch-all with (event, sid, *data), except for an
        # event literally named "*", which it treats as the handler's own: (sid, *data).
        first = args[0] if args else None
        event = "*" if engine.is_sid(self.sio, first) else first
        metrics.EVENTS.labels("unknown").inc()  # never the client's name: it is unbounded
        return error_ack(BadRequest(f"unknown event {event!r}"))

    # ---- events ----
    async def join_room(self, sid: str, user: TokenUser, payload: RoomRef) -> Ack:
        joined = await rooms.join_and_load(self.hub, user, payload.room)
        await self.sockets.joined(user.id)
        return {
            "ok": True,
            "room": RoomOut.of(joined.room).model_dump(),
            "messages": [message_wire(m) for m in joined.latest.messages],
            "members": [m.model_dump() for m in joined.members],
        }

    async def leave_room(self, sid: str, user: TokenUser, payload: RoomRef) -> Ack:
        await rooms.leave_room(self.hub, user, payload.room)
        return {"ok": True}

    async def send_message(self, sid: str, user: TokenUser, payload: SendMessageIn) -> Ack:
        message = await messages.send_message(
            self.hub,
            user,
            room=payload.room,
            text=payload.text,
            client_id=payload.client_id,
            reply_to=payload.reply_to,
            attachments=tuple(payload.attachments),
        )
        return {"ok": True, "message": message_wire(message)}

    async def edit_message(self, sid: str, user: TokenUser, payload: EditMessageIn) -> Ack:
        message = await changes.edit_message(
            self.hub, user, room=payload.room, seq=payload.seq, text=payload.text
        )
        return {"ok": True, "message": message_wire(message)}

    async def delete_message(self, sid: str, user: TokenUser, payload: MessageRef) -> Ack:
        message = await changes.delete_message(self.hub, user, room=payload.room, seq=payload.seq)
        return {"ok": True, "message": message_wire(message)}

    async def add_reaction(self, sid: str, user: TokenUser, payload: ReactionIn) -> Ack:
        return await self._react(user, payload, add=True)

    async def remove_reaction(self, sid: str, user: TokenUser, payload: ReactionIn) -> Ack:
        return await self._react(user, payload, add=False)

    async def _react(self, user: TokenUser, payload: ReactionIn, *, add: bool) -> Ack:
        message = await changes.react(
            self.hub, user, room=payload.room, seq=payload.seq, emoji=payload.emoji, add=add
        )
        return {"ok": True, "message": message_wire(message)}

    async def typing(self, sid: str, user: TokenUser, payload: RoomRef) -> Ack:
        await rooms.typing(self.hub, user, payload.room)
        return {"ok": True}

    async def sync(self, sid: str, user: TokenUser, payload: SyncIn) -> Ack:
        marks = {
            room: catchup.RevMark(mark.rev) if isinstance(mark, RevIn) else mark
            for room, mark in payload.rooms.items()
        }
        result = await catchup.sync(self.hub, user, marks)
        ack: Ack = {
            "ok": True,
            "messages": {
                room: [message_wire(m) for m in found] for room, found in result.messages.items()
            },
            "has_more": result.has_more,
            "rev": result.rev,
        }
        if result.errors:
            ack["errors"] = {room: error.to_wire() for room, error in result.errors.items()}
        return ack

    async def reauth(self, sid: str, user: TokenUser, payload: ReauthIn) -> Ack:
        """A fresh access token for this socket (after a refresh), so it outlives the one
        it connected with."""
        renewed = await reauthenticate(self.hub, user, payload.token)
        self.sockets.renew(sid, renewed)
        return {"ok": True, "expires_in": max(0, renewed.expires_at - int(time.time()))}

    async def mark_read(self, sid: str, user: TokenUser, payload: MarkReadIn) -> Ack:
        await rooms.mark_read(self.hub, user, payload.room, seq=payload.seq)
        return {"ok": True}
