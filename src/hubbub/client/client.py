"""``Client``: a bot's connection to Hubbub, that never misses or doubles a message.

It keeps, per room, what it has handed on (``stream.RoomStream``); after every
(re)connect — a network blip, a server restart — it asks ``sync`` by ``rev`` for every
change since, and hands on only what is new, once, in order. Sends carry a ``client_id``
and are retried until acknowledged, so a send in flight during a restart is stored once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from hubbub.client.errors import HubbubClientError
from hubbub.client.models import Message, Room, User
from hubbub.client.session import Session
from hubbub.client.stream import RoomStream

log = logging.getLogger(__name__)

Handler = Callable[[Message], Awaitable[None]]
SEND_TIMEOUT = 10.0


class Client:
    """Connect with an API token (bots) or a username and password.

    ``on_message`` handlers get every new message of the rooms the user is in (not the
    user's own unless ``own=True``), each once, in seq order per room; ``on_update``
    handlers every change (edit, delete, reaction, reply count), each state once.
    """

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        own: bool = False,
    ) -> None:
        self.url = url.rstrip("/")
        self.session = Session(self.url, token=token, username=username, password=password)
        self.me: User | None = None
        self._own = own
        self._on_message: list[Handler] = []
        self._on_update: list[Handler] = []
        self._streams: dict[str, RoomStream] = {}
        self._sio = socketio.AsyncClient(reconnection=True, reconnection_delay_max=5)
        self._connected = asyncio.Event()
        self._syncing: asyncio.Lock | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # Handlers run one at a time, in the order messages were handed on, on one task
        # (so a handler may await a send, and the next message waits for it).
        self._deliveries: asyncio.Queue[tuple[list[Handler], Message]] = asyncio.Queue()
        self._sio.on("connect", self._on_connect)
        self._sio.on("disconnect", self._on_disconnect)
        self._sio.on("receiveMessage", self._on_event)
        self._sio.on("messageUpdated", self._on_event)

    # ---- decorators ----
    def on_message(self, handler: Handler) -> Handler:
        self._on_message.append(handler)
        return handler

    def on_update(self, handler: Handler) -> Handler:
        self._on_update.append(handler)
        return handler

    # ---- lifecycle ----
    async def start(self) -> None:
        """Log in if needed, learn the rooms, connect (and keep reconnecting)."""
        self._syncing = asyncio.Lock()
        await self.session.login()
        self.me = User.of(await self.session.call("GET", "/api/me"))
        for room in await self.rooms():
            if room.member:
                self._streams.setdefault(room.name, RoomStream()).start_at(room.last_seq, room.rev)
        await self._sio.connect(
            self.url, auth=self._auth, transports=["websocket"], wait_timeout=10, retry=True
        )
        self._spawn(self._keep_token_fresh())
        self._spawn(self._deliver())

    async def run(self) -> None:
        """``start``, then run until cancelled (or ``close``)."""
        await self.start()
        try:
            await self._sio.wait()
        finally:
            await self.close()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        with contextlib.suppress(Exception):
            await self._sio.disconnect()
        await self.session.close()

    async def __aenter__(self) -> Client:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- rooms and messages ----
    async def rooms(self) -> list[Room]:
        body = await self.session.call("GET", "/api/rooms")
        return [Room.of(r) for r in body["rooms"]]

    async def join(self, room: str) -> Room:
        joined = Room.of(await self.session.call("POST", f"/api/rooms/{room}/join"))
        self._streams.setdefault(room, RoomStream()).start_at(joined.last_seq, joined.rev)
        return joined

    async def send(self, room: str, text: str, *, reply_to: int | None = None) -> Message:
        """Stored once, however often the connection drops meanwhile: the same
        ``client_id`` is sent again until the server acknowledges it."""
        payload: dict[str, Any] = {"room": room, "text": text, "client_id": uuid.uuid4().hex}
        if reply_to is not None:
            payload["reply_to"] = reply_to
        while True:
            await self._connected.wait()
            try:
                ack = await self._sio.call("sendMessage", payload, timeout=SEND_TIMEOUT)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                continue  # not answered: the same client_id again
            if ack.get("ok"):
                return Message.of(ack["message"])
            error = HubbubClientError.of(ack)
            if error.code not in ("rate_limited", "unavailable"):
                raise error
            await asyncio.sleep(error.retry_after or 1.0)

    async def react(self, message: Message, emoji: str) -> Message:
        return Message.of(
            await self.session.call(
                "PUT", f"/api/rooms/{message.room}/messages/{message.seq}/reactions/{emoji}"
            )
        )

    # ---- the stream ----
    async def _auth(self) -> dict[str, str]:
        return {"token": self.session.token or ""}

    async def _on_connect(self) -> None:
        self._connected.set()
        self._spawn(self._catch_up())

    async def _on_disconnect(self, *args: Any) -> None:
        self._connected.clear()

    async def _on_event(self, data: dict[str, Any]) -> None:
        message = Message.of(data)
        stream = self._streams.get(message.room)
        if stream is None:  # a room joined elsewhere (another tab, the web client)
            stream = self._streams[message.room] = RoomStream()
            stream.start_at(message.seq - 1, message.rev - 1)
        await self._hand_on(stream, message)
        if stream.missing:
            self._spawn(self._catch_up())

    async def _hand_on(self, stream: RoomStream, message: Message) -> None:
        new, changed = stream.take(message)
        for m in new:
            if self._own or self.me is None or m.user.id != self.me.id:
                self._deliveries.put_nowait((self._on_message, m))
        for m in changed:
            self._deliveries.put_nowait((self._on_update, m))

    async def _catch_up(self) -> None:
        """Every change since what each room's stream has seen, by rev, until none is left."""
        assert self._syncing is not None
        async with self._syncing:
            while True:
                marks = {name: {"rev": s.rev} for name, s in self._streams.items()}
                if not marks:
                    return
                try:
                    ack = await self._sio.call("sync", {"rooms": marks}, timeout=SEND_TIMEOUT)
                except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                    return  # the next connect catches up again
                if not ack.get("ok"):
                    log.warning("sync refused: %s", ack)
                    return
                more = False
                for name, found in ack["messages"].items():
                    stream = self._streams[name]
                    for data in found:
                        await self._hand_on(stream, Message.of(data))
                    if ack["has_more"].get(name):
                        more = True
                        if found:
                            stream.synced(found[-1]["rev"])
                    else:
                        stream.synced(ack["rev"][name])
                for name in ack.get("errors", {}):
                    self._streams.pop(name, None)  # no longer readable: stop following
                if not more:
                    return

    async def _deliver(self) -> None:
        while True:
            handlers, message = await self._deliveries.get()
            for handler in handlers:
                try:
                    await handler(message)
                except Exception:
                    log.exception("a message handler failed")

    async def _keep_token_fresh(self) -> None:
        while True:
            wait = self.session.seconds_to_refresh()
            if wait == float("inf"):
                return  # an API token: nothing to refresh
            await asyncio.sleep(wait)
            await self.session.refresh()
            if self._sio.connected:
                await self._sio.call("reauth", {"token": self.session.token}, timeout=SEND_TIMEOUT)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
