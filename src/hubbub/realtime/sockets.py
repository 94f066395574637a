"""The bookkeeping of this process's sockets: who each one is (``SocketSessions``), what
happens when one connects or goes, which rooms it is in (``Memberships``), and what the
broker tells this node (publications to emit, membership changes, ended logins,
``Resync``). The handlers (``server.py``) only parse and answer; the emitter only emits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from socketio.exceptions import ConnectionRefusedError as ConnectionRefused

from hubbub import metrics
from hubbub.actions import presence
from hubbub.actions.auth import authenticate
from hubbub.config import Settings
from hubbub.errors import RateLimited, Unauthorized
from hubbub.events import SessionEndedOut
from hubbub.fanout.base import MembershipChange, Publication, Resync, SessionEnded
from hubbub.hub import Hub
from hubbub.logs import connection_id
from hubbub.realtime import contract
from hubbub.realtime.dispatch import UNAVAILABLE
from hubbub.realtime.emitter import NAMESPACE, LocalEmitter
from hubbub.realtime.memberships import Memberships
from hubbub.realtime.rooms import user_room
from hubbub.realtime.sessions import SocketSessions
from hubbub.security import TokenUser

log = logging.getLogger(__name__)


class Sockets:
    """This node's sockets, from connect to disconnect, and the broker's handler."""

    def __init__(
        self,
        settings: Settings,
        sio: Any,
        hub: Callable[[], Hub | None],
        forget_pending: Callable[[str], None],
    ) -> None:
        self.settings = settings
        self.sio = sio
        self._hub = hub
        self._forget_pending = forget_pending  # the dispatcher's in-flight count
        self.emitter = LocalEmitter(sio, check_wire=settings.check_wire)
        self.sessions = SocketSessions(on_expired=self._expired)
        self.memberships = Memberships(sio, self.emitter, lambda: self.hub.store)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def hub(self) -> Hub:
        hub = self._hub()
        if hub is None:
            raise RuntimeError("realtime server used before the app started")
        return hub

    def renew(self, sid: str, user: TokenUser) -> None:
        """The socket's login, renewed (``reauth``)."""
        self.sessions.put(sid, user)

    # ---- what the broker tells this node ----
    async def on_publication(self, publication: Publication) -> None:
        if isinstance(publication, Resync):
            await self._resync()
        elif isinstance(publication, SessionEnded):
            await self._end_session(publication.session)
        elif isinstance(publication, MembershipChange):
            await self.memberships.follow(publication)
        else:
            self.emitter.emit(publication)

    async def _end_session(self, session: str) -> None:
        """A login ended (logout, replayed refresh token): close its sockets on this node."""
        for sid in self.sessions.of_session(session):
            await self._end(sid, "this login has ended; log in again")

    def _expired(self, sid: str) -> None:
        self._spawn(self._end(sid, "access token expired; reconnect with a fresh one"))

    async def _end(self, sid: str, why: str) -> None:
        """Tell the client why (``sessionEnded``), then disconnect it: from here on, it
        must connect again with a valid token, and catches up with ``sync``."""
        if self.sessions.get(sid) is None:
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

    async def joined(self, user_id: int) -> None:
        """A user joined a room through this node: their local sockets enter its room now,
        from the store rather than from the join, so a leave racing it wins
        (memberships.py); the publication does the same on every other node."""
        await self.memberships.settle(user_id)

    async def _resync(self) -> None:
        """After the broker may have lost publications: end the sockets of logins that
        ended meanwhile, and put every other socket in exactly its user's rooms."""
        await self.check_sessions()
        for user_id in {user.id for _, user in self.sessions.items()}:
            await self.memberships.settle(user_id)

    async def check_sessions(self) -> None:
        """End the sockets of logins that no longer stand, asked of the store in one query:
        what no broker told this node (the operator's command run without Redis, a lost
        publication), for a deactivated account too."""
        sessions = sorted({session for _, session in self.sessions.sessions()})
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

    # ---- connect and disconnect ----
    def _transport_open(self, sid: str) -> bool:
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, NAMESPACE)
        socket = self.sio.eio.sockets.get(eio_sid) if eio_sid else None
        return socket is not None and not socket.closed and not socket.closing

    async def connect(self, sid: str, auth: Any) -> None:
        """Authenticate and admit a new socket (``ConnectionRefused`` otherwise): its
        session, its user's room first, then its chat rooms, then presence."""
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
        self.sessions.put(sid, user)
        metrics.CONNECTIONS.inc()  # _forget takes it back, whatever happens from here
        try:
            # The user room first: a membership change published from now on reaches us.
            await self.sio.enter_room(sid, user_room(user.id))
            await self.memberships.settle(user.id)
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

    async def disconnect(self, sid: str, reason: Any) -> None:
        connection_id.set(sid)
        log.debug("disconnected (%s)", reason)
        await self._forget(sid)

    async def _forget(self, sid: str) -> None:
        self._forget_pending(sid)
        user = self.sessions.pop(sid)
        if user is not None:
            metrics.CONNECTIONS.dec()
            hub = self._hub()
            if hub is not None:
                await presence.socket_disconnected(hub, user, sid)
