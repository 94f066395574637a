"""Socket.IO event handlers: parse, call an action, answer the ack. Nothing else.

Every client event answers ``{"ok": true, …}`` or ``{"ok": false, "error": …}``; a bad
payload never disconnects the socket and never reaches anyone else.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from functools import partial
from typing import Any

from socketio.exceptions import ConnectionRefusedError as ConnectionRefused

from hubbub import metrics
from hubbub.actions import changes, messages, presence, rooms
from hubbub.actions import sync as catchup
from hubbub.actions.auth import authenticate
from hubbub.config import Settings
from hubbub.errors import BadRequest, Forbidden, RateLimited, Unauthorized
from hubbub.events import (
    EditMessageIn,
    MarkReadIn,
    MessageRef,
    ReactionIn,
    ReauthIn,
    RevIn,
    RoomRef,
    SendMessageIn,
    SessionEndedOut,
    SyncIn,
)
from hubbub.fanout.base import MembershipChange, Publication, Resync, SessionEnded
from hubbub.hub import Hub
from hubbub.logs import connection_id
from hubbub.realtime import contract
from hubbub.realtime.codec import OrjsonCodec
from hubbub.realtime.dispatch import UNAVAILABLE, Ack, Dispatch, error_ack
from hubbub.realtime.emitter import NAMESPACE, LocalEmitter
from hubbub.realtime.engine import GuardedServer
from hubbub.realtime.memberships import Memberships
from hubbub.realtime.origins import origin_check
from hubbub.realtime.rooms import user_room
from hubbub.realtime.sessions import SocketSessions
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
            async_mode="asgi",
            cors_allowed_origins=origin_check(settings.cors_origins),
            json=OrjsonCodec,
            max_http_buffer_size=TRANSPORT_MAX_BYTES,
            http_compression=True,
            compression_threshold=1024,
        )
        self.emitter = LocalEmitter(self.sio, check_wire=settings.check_wire)
        self._memberships = Memberships(self.sio, self.emitter, lambda: self.hub.store)
        self._hub: Hub | None = None
        self._sessions = SocketSessions(on_expired=self._expired)
        self._dispatch = Dispatch(settings, self._sessions, lambda: self.hub.limits)
        self._tasks: set[asyncio.Task[None]] = set()
        self._register()

    @property
    def hub(self) -> Hub:
        if self._hub is None:
            raise RuntimeError("realtime server used before the app started")
        return self._hub

    def attach(self, hub: Hub) -> None:
        self._hub = hub
        hub.broker.subscribe(self._on_publication)

    async def _on_publication(self, publication: Publication) -> None:
        if isinstance(publication, Resync):
            await self._resync()
        elif isinstance(publication, SessionEnded):
            await self._end_session(publication.session)
        elif isinstance(publication, MembershipChange):
            await self._memberships.follow(publication)
        else:
            self.emitter.emit(publication)

    async def _end_session(self, session: str) -> None:
        """A login ended (logout, replayed refresh token): close its sockets on this node."""
        for sid in self._sessions.of_session(session):
            await self._end(sid, "this login has ended; log in again")

    def _expired(self, sid: str) -> None:
        self._spawn(self._end(sid, "access token expired; reconnect with a fresh one"))

    async def _end(self, sid: str, why: str) -> None:
        """Tell the client why (``sessionEnded``), then disconnect it: from here on, it
        must connect again with a valid token, and catches up with ``sync``."""
        if self._sessions.get(sid) is None:
            return
        ended = SessionEndedOut(code="unauthorized", message=why)
        if self.settings.check_wire:
            contract.check_emit("sessionEnded", ended.model_dump())
        await self.sio.emit("sessionEnded", ended.model_dump(), to=sid)
        await self.sio.disconnect(sid)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _resync(self) -> None:
        """After the broker may have lost publications: end the sockets of logins that
        ended meanwhile, and put every other socket in exactly its user's rooms."""
        await self.check_sessions()
        for user_id in {user.id for _, user in self._sessions.items()}:
            await self._memberships.settle(user_id)

    async def check_sessions(self) -> None:
        """End the sockets of logins that no longer stand, asked of the store in one query:
        what no broker told this node (the operator's command run without Redis, a lost
        publication), for a deactivated account too."""
        sessions = sorted({session for _, session in self._sessions.sessions()})
        if not sessions:
            return
        live = await self.hub.store.live_sessions(sessions=sessions)
        for session in sessions:
            if session not in live:
                await self._end_session(session)

    async def watch_sessions(self, every: float) -> None:
        """``check_sessions`` every ``every`` seconds, for as long as the process runs: a
        login ended anywhere closes its sockets here within that time."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.check_sessions()
            except Exception as exc:  # the store did not answer: the next round asks again
                log.warning("could not check the sockets' logins: %s", exc)

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
    def _is_event(self, sid: str) -> bool:
        """A client may *send* events named "connect"/"disconnect": python-socketio routes
        them to the same handlers. The real ones arrive while the sid is not connected."""
        return bool(self.sio.manager.is_connected(sid, NAMESPACE))

    def _transport_open(self, sid: str) -> bool:
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, NAMESPACE)
        socket = self.sio.eio.sockets.get(eio_sid) if eio_sid else None
        return socket is not None and not socket.closed and not socket.closing

    async def on_connect(
        self, sid: str, environ: Any = None, auth: Any = None, *extra: Any
    ) -> Ack | None:
        if self._is_event(sid):
            return error_ack(BadRequest("'connect' is reserved"))
        connection_id.set(sid)
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            user = await authenticate(self.hub, token if isinstance(token, str) else None)
        except Unauthorized as exc:
            raise ConnectionRefused("unauthorized", exc.to_wire()) from exc
        except Exception as exc:
            log.warning("connect refused: the store did not answer (%s)", exc)
            raise ConnectionRefused("unavailable", UNAVAILABLE) from exc
        try:
            await presence.admit_socket(self.hub, user, here=len(self.emitter.sids_of(user.id)))
        except RateLimited as exc:
            raise ConnectionRefused("rate_limited", exc.to_wire()) from exc
        self._sessions.put(sid, user)
        metrics.CONNECTIONS.inc()  # _forget takes it back, whatever happens from here
        try:
            # The user room first: a membership change published from now on reaches us.
            await self.sio.enter_room(sid, user_room(user.id))
            await self._memberships.settle(user.id)
            await presence.socket_connected(self.hub, user, sid)
        except Exception as exc:
            log.exception("connect failed")
            await self._forget(sid)
            raise ConnectionRefused("unavailable", UNAVAILABLE) from exc
        if not self._transport_open(sid):
            # It went away while we were connecting it; python-socketio will not call
            # on_disconnect for a connection that never completed, so undo here.
            await self._forget(sid)
            raise ConnectionRefused("gone")
        log.debug("user %d connected", user.id)
        return None

    async def on_disconnect(self, sid: str, reason: Any = None, *extra: Any) -> Ack | None:
        if self._is_event(sid):
            return error_ack(BadRequest("'disconnect' is reserved"))
        connection_id.set(sid)
        log.debug("disconnected (%s)", reason)
        await self._forget(sid)
        return None

    async def _forget(self, sid: str) -> None:
        self._dispatch.forget(sid)
        user = self._sessions.pop(sid)
        if user is not None:
            metrics.CONNECTIONS.dec()
            if self._hub is not None:
                await presence.socket_disconnected(self._hub, user, sid)

    async def on_unknown(self, *args: Any) -> Ack:
        # python-socketio calls the catch-all with (event, sid, *data), except for an
        # event literally named "*", which it treats as the handler's own: (sid, *data).
        first = args[0] if args else None
        event = "*" if isinstance(first, str) and self._is_event(first) else first
        metrics.EVENTS.labels("unknown").inc()  # never the client's name: it is unbounded
        return error_ack(BadRequest(f"unknown event {event!r}"))

    # ---- events ----
    async def join_room(self, sid: str, user: TokenUser, payload: RoomRef) -> Ack:
        joined = await rooms.join_and_load(self.hub, user, payload.room)
        # From the store, not from this join: a leave racing it must win (memberships.py).
        await self._memberships.settle(user.id)
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
        renewed = await authenticate(self.hub, payload.token)
        if renewed.id != user.id:
            raise Forbidden("that token is another user's")
        self._sessions.put(sid, renewed)
        return {"ok": True, "expires_in": max(0, renewed.expires_at - int(time.time()))}

    async def mark_read(self, sid: str, user: TokenUser, payload: MarkReadIn) -> Ack:
        await rooms.mark_read(self.hub, user, payload.room, seq=payload.seq)
        return {"ok": True}
