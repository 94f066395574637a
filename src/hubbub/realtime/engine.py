"""Where Hubbub touches python-socketio / python-engineio internals: only here.

Three guards the libraries do not offer as options, the fan-out fast path's needs, and
packets that are never scanned for binary data (``JsonPacket``):

- **Bounded outgoing queues.** Engine.IO gives every socket an unbounded ``asyncio.Queue``;
  a client that stops reading would make the server buffer for it without end. Here each
  queue holds at most ``queue_limit`` packets; the packet past that closes the socket
  (the client reconnects and catches up with ``sync``: nothing is lost).
- **No binary packets.** Hubbub's protocol is JSON only. A binary event announces its
  attachments up front and the library would collect them in memory; it is refused and the
  connection closed before anything is buffered.
- **Malformed frames close quietly.** A frame that does not decode would otherwise log a
  traceback per frame; here it costs one warning line, and the connection is closed.

``check_internals`` runs at start-up and refuses to start on a library release whose
internals moved, rather than failing on the first message.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from importlib.metadata import version
from typing import Any
from urllib.parse import parse_qs

import engineio
import socketio
from engineio import async_socket

log = logging.getLogger(__name__)

# The releases these internals were read from and tested with (see the lock file).
TESTED = {"python-socketio": ("5.11", "5.19"), "python-engineio": ("4.9", "4.16")}

# Socket.IO packet types 5 (BINARY_EVENT) and 6 (BINARY_ACK): the first character.
_BINARY_PACKET_TYPES = ("5", "6")


def check_internals() -> None:
    """Refuse to start on python-socketio/engineio releases these internals were not
    written for: better a clear start-up error than a fan-out that silently breaks."""
    for name, (low, high) in TESTED.items():
        found = _version(version(name))[:2]
        if not (_version(low) <= found < _version(high)):
            raise RuntimeError(
                f"{name} {version(name)} is outside the tested range {low} <= v < {high}; "
                "install the versions from requirements.lock"
            )
    needed: list[tuple[Any, str]] = [
        (socketio.AsyncServer, "_handle_eio_message"),
        (socketio.AsyncServer, "_handle_event"),
        (socketio.AsyncServer, "_engineio_server_class"),
        (engineio.AsyncServer, "create_queue"),
        (async_socket.AsyncSocket, "close"),
        (socketio.AsyncManager, "get_participants"),
        (socketio.AsyncManager, "eio_sid_from_sid"),
    ]
    missing = [f"{owner.__name__}.{name}" for owner, name in needed if not hasattr(owner, name)]
    if missing:
        raise RuntimeError(f"python-socketio internals moved: {', '.join(missing)}")
    if not isinstance(getattr(socketio.packet.Packet, "uses_binary_events", None), bool):
        raise RuntimeError("python-socketio internals moved: Packet.uses_binary_events")
    if not hasattr(socketio.AsyncManager(), "pending_connect"):
        raise RuntimeError("python-socketio internals moved: manager.pending_connect")
    if not isinstance(getattr(asyncio.Queue(), "_queue", None), deque):
        raise RuntimeError("asyncio internals moved: Queue._queue (Outbox counts it)")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


class Outbox(asyncio.Queue[Any]):
    """An Engine.IO socket's outgoing queue with a bound: the packet past ``limit`` is
    dropped and the socket is closed (``None``, the writer's stop sentinel, always fits)."""

    _queue: deque[Any]  # asyncio.Queue's storage, made in its _init

    def __init__(self, server: EngineServer, limit: int) -> None:
        super().__init__()
        self._server = server
        self._limit = limit
        self.overflowed = False

    def put_nowait(self, item: Any) -> None:
        # ``_queue`` rather than ``qsize()``: one call less on every packet to every socket.
        if len(self._queue) >= self._limit and item is not None:
            if not self.overflowed:
                self.overflowed = True
                self._server.overflowed(self)
            return
        super().put_nowait(item)

    def drop_all(self) -> None:
        while not self.empty():
            self.get_nowait()
            self.task_done()


class EngineServer(engineio.AsyncServer):  # type: ignore[misc]
    """Engine.IO with bounded per-socket queues."""

    def __init__(self, *args: Any, queue_limit: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue_limit = queue_limit
        self._closing: set[asyncio.Task[None]] = set()

    def create_queue(self, *args: Any, **kwargs: Any) -> Any:
        return Outbox(self, self.queue_limit)

    def overflowed(self, queue: Outbox) -> None:
        for eio_sid, socket in list(self.sockets.items()):
            if socket.queue is queue:
                log.warning(
                    "closing a connection that stopped reading (%d packets queued)",
                    self.queue_limit,
                )
                self._start(self.abort(eio_sid))
                return

    async def abort(self, eio_sid: str) -> None:
        """Close a socket without waiting for its queue to drain (the client may never
        read it): the disconnect handlers run, and what was queued is dropped."""
        socket = self.sockets.pop(eio_sid, None)
        if socket is None:
            return
        await socket.close(wait=False, abort=True, reason=self.reason.SERVER_DISCONNECT)
        if isinstance(socket.queue, Outbox):
            socket.queue.drop_all()
        socket.queue.put_nowait(None)  # the writer's stop sentinel: it closes the transport

    def _start(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)


class JsonPacket(socketio.packet.Packet):  # type: ignore[misc]
    """Socket.IO packets of a JSON-only protocol. python-socketio walks the data of every
    packet it builds (each ack, each emit) looking for bytes to send as attachments;
    Hubbub sends none and refuses any that come in, so the walk is skipped (it grew with
    the v2 message's fields: ~2% of the event loop's time in the fan-out benchmark)."""

    uses_binary_events = False


class GuardedServer(socketio.AsyncServer):  # type: ignore[misc]
    """Socket.IO that refuses binary packets and closes on malformed frames, quietly."""

    def __init__(self, *args: Any, queue_limit: int, **kwargs: Any) -> None:
        self._queue_limit = queue_limit
        super().__init__(*args, serializer=JsonPacket, **kwargs)

    def _engineio_server_class(self) -> Any:
        limit = self._queue_limit

        def build(*args: Any, **kwargs: Any) -> EngineServer:
            return EngineServer(*args, queue_limit=limit, **kwargs)

        return build

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        if not isinstance(data, str) or data[:1] in _BINARY_PACKET_TYPES:
            await self._refuse(eio_sid, "binary packets are not accepted")
            return
        try:
            await super()._handle_eio_message(eio_sid, data)
        except Exception as exc:  # a frame that does not decode: the client is broken
            await self._refuse(eio_sid, f"malformed Socket.IO packet ({type(exc).__name__})")

    async def _handle_event(self, eio_sid: str, namespace: Any, id: Any, data: Any) -> None:
        # An event is a list whose first item, its name, is a string; the library would
        # fail on anything else inside a task of its own, with a traceback.
        if not isinstance(data, list) or not data or not isinstance(data[0], str):
            await self._refuse(eio_sid, "malformed Socket.IO event")
            return
        await super()._handle_event(eio_sid, namespace, id, data)

    async def _refuse(self, eio_sid: str, why: str) -> None:
        log.warning("closing connection %s: %s", eio_sid, why)
        await self.eio.abort(eio_sid)


# Engine.IO packet types a client may send as text: over WebSocket 0-6 (open … noop);
# over long-polling POSTs only close, pong and message (others made Engine.IO disconnect
# the session waiting for its queue to drain, holding the request for good). Anything
# else, an empty frame, or a binary frame (Hubbub's protocol has no binary data) is
# refused before Engine.IO decodes it, which would otherwise end in a traceback.
_WEBSOCKET_TYPES = frozenset("0123456")
_POLLING_TYPES = frozenset("134")
_POLLING_SEPARATOR = "\x1e"


def _bad_text(text: str | None, allowed: frozenset[str] = _WEBSOCKET_TYPES) -> bool:
    return not text or text[0] not in allowed


class FrameGuard:
    """ASGI wrapper of the Socket.IO endpoint: a frame that is not well-formed Engine.IO
    text costs one warning line and closes that connection."""

    def __init__(self, app: Any, *, engine: EngineServer, path: str = "/socket.io") -> None:
        self.app = app
        self.engine = engine
        self.path = path

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not scope.get("path", "").startswith(self.path):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            # Every packet to a WebSocket goes through ``send``: it is passed on unwrapped.
            try:
                await self.app(scope, self._guard_websocket(receive), send)
            except Exception as exc:
                log.warning("Socket.IO WebSocket failed: %s: %s", type(exc).__name__, exc)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            if scope.get("method") == "POST":
                await self._guard_polling(scope, receive, tracking_send)
            else:
                await self.app(scope, receive, tracking_send)
        except Exception as exc:
            # The library's own failures on odd sequences (a POST to a session it just
            # closed raises KeyError): one line, and a plain refusal, not a traceback.
            log.warning("Socket.IO request failed: %s: %s", type(exc).__name__, exc)
            if scope["type"] == "http" and not started:
                await _plain(send, 400, b"bad request")

    def _guard_websocket(self, receive: Any) -> Any:
        async def guarded() -> Any:
            message = await receive()
            if message["type"] == "websocket.receive" and _bad_text(message.get("text")):
                log.warning("closing a WebSocket: %s", _describe(message))
                return {"type": "websocket.disconnect", "code": 1003}
            return message

        return guarded

    async def _guard_polling(self, scope: Any, receive: Any, send: Any) -> None:
        limit = self.engine.max_http_buffer_size
        body = b""
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                break
            if not message.get("more_body", False):
                break
        try:
            packets = body.decode().split(_POLLING_SEPARATOR) if body else []
        except UnicodeDecodeError:
            packets = [""]
        if len(body) > limit or any(_bad_text(p, _POLLING_TYPES) for p in packets):
            sid = _query_value(scope, "sid")
            log.warning("closing a long-polling session: malformed or oversized payload")
            if sid:
                await self.engine.abort(sid)
            await _plain(send, 400, b"bad payload")
            return
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _describe(message: dict[str, Any]) -> str:
    if message.get("text") is None:
        return "binary frames are not accepted"
    return "malformed Engine.IO packet"


def _query_value(scope: Any, name: str) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    return values[0] if values else None


async def _plain(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
