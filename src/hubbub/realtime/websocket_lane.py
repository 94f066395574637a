"""Engine.IO over WebSocket without a writer task: frames go straight to the transport.

python-engineio serves a WebSocket with two coroutines per connection (a reader, and a
writer task waking on an ``asyncio.Queue`` for every packet) and one more task per frame
read (``wait_for`` around each receive); each packet sent is framed by ``websockets`` and
written with its own syscall. For a broadcast that is the same work per recipient: yet a
server's WebSocket frame is unmasked, so one broadcast's frame bytes are the same for
everyone.

Here a connection served by uvicorn's default WebSocket protocol gets a ``Lane``: every
packet for it (the library's own, via the socket's queue, and broadcasts, via
``engine.deliver``) is appended to the lane in order, and once per event-loop pass each
lane writes what it gathered with one ``transport.write`` — several frames, one syscall.
A broadcast is framed once and the same bytes are handed to every lane. The reader is the
one coroutine the connection keeps.

With a write delay (``HUBBUB_SOCKET_WRITE_DELAY_MS``, off by default) broadcasts wait up to
that long for the next ones, so that at high message rates each socket gets several
messages per syscall (Centrifugo PRO's ``client.write_delay``: latency traded for CPU).
What is addressed to one connection — acks, replies, pings — still leaves on the next pass,
with whatever its lane had gathered before it.

Backpressure: what the client has not taken stays in the transport's buffer; past
``buffer_limit`` bytes the connection is closed (it reconnects and catches up with
``sync``: nothing is lost). A connection that negotiated permessage-deflate, or a server
on another WebSocket protocol (wsproto, the legacy ``websockets`` one), falls back to
the library's own handler, unchanged. ``engine.check_internals`` checks at start-up that
what this module reads is where it expects.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from typing import Any

import websockets.protocol
from engineio import base_socket
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio.async_drivers import asgi as eio_asgi
from engineio.async_socket import AsyncSocket
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

log = logging.getLogger(__name__)

# Engine.IO packet types a client may send as text over WebSocket: 0-6 (open … noop).
WEBSOCKET_TYPES = frozenset("0123456")
# Set on the ASGI scope by hubbub.api.request_id: headers for the WebSocket's accept.
ACCEPT_HEADERS = "hubbub.accept_headers"

_TEXT, _BINARY = 0x81, 0x82  # FIN + opcode


def check_internals() -> None:
    """What this module reads of python-engineio, uvicorn and websockets is where it was:
    called at start-up by ``engine.check_internals``."""
    moved = [
        name
        for name, ok in (
            (
                "engineio ASGI driver's websocket",
                eio_asgi._async.get("websocket") is eio_asgi.WebSocket,
            ),
            (
                "engineio WebSocket.wait/send/close",
                all(hasattr(eio_asgi.WebSocket, n) for n in ("wait", "send", "close")),
            ),
            (
                "engineio AsyncSocket.receive/close/_websocket_handler",
                all(hasattr(AsyncSocket, n) for n in ("receive", "close", "_websocket_handler")),
            ),
            (
                "engineio socket state",
                _assigns(
                    base_socket.BaseSocket.__init__,
                    "queue",
                    "connected",
                    "upgrading",
                    "upgraded",
                    "closed",
                ),
            ),
            (
                "uvicorn WebSocketsSansIOProtocol state",
                _assigns(WebSocketsSansIOProtocol.__init__, "transport", "close_sent", "conn"),
            ),
            ("uvicorn WebSocketsSansIOProtocol.send", hasattr(WebSocketsSansIOProtocol, "send")),
            (  # every packet for one socket reaches Outbox.put_nowait: a lane frame, urgent
                "engineio AsyncSocket.send queues with put",
                "put" in AsyncSocket.send.__code__.co_names
                and "put_nowait" in asyncio.Queue.put.__code__.co_names,
            ),
            (
                "uvicorn WebSocketsSansIOProtocol's handshake",
                _assigns(WebSocketsSansIOProtocol.handle_connect, "request", "response"),
            ),
            (
                "websockets Protocol.extensions",
                _assigns(websockets.protocol.Protocol.__init__, "extensions"),
            ),
        )
        if not ok
    ]
    if moved:
        raise RuntimeError(
            "the WebSocket fast path's library internals moved: "
            + "; ".join(moved)
            + " (install the versions from requirements.txt)"
        )


def _assigns(function: Any, *attributes: str) -> bool:
    """``function`` (an ``__init__``) still sets these attributes on its instance."""
    return set(attributes) <= set(function.__code__.co_names)


def bad_text(text: str | None, allowed: frozenset[str] = WEBSOCKET_TYPES) -> bool:
    """Not a well-formed Engine.IO text packet (empty, binary, or an unknown type)."""
    return not text or text[0] not in allowed


def websocket_frame(payload: bytes, first: int = _TEXT) -> bytes:
    """One unfragmented, unmasked WebSocket frame (RFC 6455 §5.2), as a server sends."""
    size = len(payload)
    if size < 126:
        return bytes((first, size)) + payload
    if size < 65536:
        return struct.pack("!BBH", first, 126, size) + payload
    return struct.pack("!BBQ", first, 127, size) + payload


def packet_frame(pkt: Any) -> bytes:
    """The frame of one Engine.IO packet the library queued (open, ping, ack, close …)."""
    encoded = pkt.encode()
    if isinstance(encoded, bytes):
        return websocket_frame(encoded, _BINARY)
    return websocket_frame(encoded.encode())


class Flusher:
    """Writes every lane that gathered frames, once per event-loop pass: frames queued by
    one pass's handlers (a batch of sends, their acks) leave in one syscall per socket.
    With ``delay`` (seconds), once per ``delay`` instead: one timer for every lane, so a
    frame waits at most ``delay`` and, on average, less."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self._dirty: list[Lane] = []
        self._urgent: list[Lane] = []

    def mark(self, lane: Lane) -> None:
        """``lane`` has gathered its first frame since it was last written."""
        if not self._dirty:
            loop = asyncio.get_running_loop()
            if self.delay:
                loop.call_later(self.delay, self._flush)
            else:
                loop.call_soon(self._flush)
        self._dirty.append(lane)

    def hurry(self, lane: Lane) -> None:
        """Write ``lane`` on the next pass, not when the delay ends (only with a delay).
        A lane hurried while listed for the delay stays listed; written early, it has
        nothing left when the delay ends."""
        if not self._urgent:
            asyncio.get_running_loop().call_soon(self._flush_urgent)
        self._urgent.append(lane)

    def _flush(self) -> None:
        lanes, self._dirty = self._dirty, []
        _write_all(lanes)

    def _flush_urgent(self) -> None:
        lanes, self._urgent = self._urgent, []
        _write_all(lanes)


def _write_all(lanes: list[Lane]) -> None:
    for lane in lanes:  # a lane listed twice, or written early, has nothing left: no-op
        lane.flush()


class Lane:
    """The outgoing side of one WebSocket: frames in order, written once per loop pass."""

    __slots__ = ("_flusher", "_hurried", "_limit", "_pending", "_protocol", "closed")

    def __init__(self, protocol: WebSocketsSansIOProtocol, flusher: Flusher, limit: int) -> None:
        self._protocol = protocol
        self._flusher = flusher
        self._limit = limit
        self._pending: list[bytes] | None = None
        self._hurried = False
        self.closed = False

    def write(self, frame: bytes, *, urgent: bool = False) -> None:
        """Queue ``frame`` after what is gathered; ``urgent`` (a packet for this
        connection alone) skips the flusher's write delay."""
        if self.closed:
            return
        hurry = urgent and self._flusher.delay > 0  # no delay window is opened for it
        pending = self._pending
        if pending is not None:
            pending.append(frame)
        else:
            self._pending = [frame]
            if not hurry:
                self._flusher.mark(self)
        if hurry and not self._hurried:  # listed once, whatever it gathers meanwhile
            self._hurried = True
            self._flusher.hurry(self)

    def flush(self) -> None:
        pending, self._pending = self._pending, None
        self._hurried = False
        protocol = self._protocol
        if not pending or protocol.close_sent or protocol.transport.is_closing():
            return
        transport = protocol.transport
        transport.write(pending[0] if len(pending) == 1 else b"".join(pending))
        if transport.get_write_buffer_size() > self._limit and not self.closed:
            # Closing politely would queue a close frame behind what it never reads, and
            # keep the buffer until the peer goes: the connection is cut instead, and its
            # reader ends as for any lost connection.
            log.warning("closing a connection that stopped reading (%d bytes unsent)", self._limit)
            self.closed = True
            transport.abort()

    def close(self) -> None:
        """Write what is gathered now (the close frame must come after it), then no more."""
        if not self.closed:
            self.flush()
            self.closed = True


class DirectWebSocket(eio_asgi.WebSocket):  # type: ignore[misc]
    """Engine.IO's ASGI WebSocket driver, serving the socket itself when it can."""

    def __init__(self, handler: Any, server: Any) -> None:
        super().__init__(handler, server)
        self.server = server
        self._closed = False

    async def __call__(self, environ: dict[str, Any]) -> str:
        self.asgi_receive = environ["asgi.receive"]
        self.asgi_send = environ["asgi.send"]
        headers = environ["asgi.scope"].get(ACCEPT_HEADERS, [])
        await self.asgi_send({"type": "websocket.accept", "headers": headers})
        socket = self.handler.__self__  # the engineio AsyncSocket this driver serves
        protocol = getattr(self.asgi_send, "__self__", None)
        if type(protocol) is WebSocketsSansIOProtocol and not protocol.conn.extensions:
            _forget_handshake(environ, protocol)
            await self._serve(socket, protocol)
        else:  # compressed, or another server: the library's handler, frames checked
            await self.handler(self)
        return ""

    async def wait(self) -> Any:
        data = await super().wait()
        if not isinstance(data, str) or bad_text(data):
            log.warning("closing a WebSocket: %s", _describe(data))
            raise OSError("refused frame")
        return data

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await super().close()

    async def _serve(self, socket: Any, protocol: WebSocketsSansIOProtocol) -> None:
        server = self.server
        if socket.connected and not await self._upgrade(socket):
            return
        socket.connected = socket.upgraded = True
        lane = Lane(protocol, server.flusher, server.buffer_limit)
        socket.queue.attach(lane, self)
        watch = _Liveness(socket, self, server.ping_interval + server.ping_timeout)
        try:
            await self._read(socket, watch)
        except Exception:  # the library's own failure on a packet: this connection only
            log.exception("Engine.IO WebSocket failed")
        finally:
            watch.stop()
            lane.close()
            await socket.close(wait=False, abort=True, reason=server.reason.TRANSPORT_CLOSE)
            await self.close()

    async def _read(self, socket: Any, watch: _Liveness) -> None:
        receive = self.asgi_receive
        limit = self.server.max_http_buffer_size
        while True:
            message = await receive()
            data = message.get("text")
            if message["type"] != "websocket.receive" or self._closed:
                return
            if data is None or bad_text(data) or len(data) > limit:
                log.warning("closing a WebSocket: %s", _describe(data, limit))
                return
            watch.frames += 1
            try:
                await socket.receive(eio_packet.Packet(encoded_packet=data))
            except eio_exceptions.UnknownPacketError:
                pass
            except eio_exceptions.SocketIsClosedError:
                return

    async def _upgrade(self, socket: Any) -> bool:
        """A long-polling session moving to this WebSocket (Engine.IO's probe, then
        UPGRADE); what its queue holds meanwhile is written first once the lane opens."""
        socket.upgrading = True
        try:
            probe = eio_packet.Packet(encoded_packet=await self.wait())
            if probe.packet_type != eio_packet.PING or probe.data != "probe":
                return False
            await self.send(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
            await socket.queue.put(eio_packet.Packet(eio_packet.NOOP))  # ends the poll
            upgrade = eio_packet.Packet(encoded_packet=await self.wait())
            return bool(upgrade.packet_type == eio_packet.UPGRADE)
        except OSError:
            return False
        finally:
            socket.upgrading = False


class _Liveness:
    """Closes a WebSocket that sent nothing for a ping cycle (Engine.IO's client pongs
    every ping), or whose Engine.IO socket was closed by the server: one timer per
    connection instead of a task around every read."""

    def __init__(self, socket: Any, ws: DirectWebSocket, every: float) -> None:
        self.frames = 0
        self._seen = -1
        self._socket = socket
        self._ws = ws
        self._every = every
        self._timer = asyncio.get_running_loop().call_later(every, self._check)
        self._closing: asyncio.Task[None] | None = None

    def _check(self) -> None:
        if self._socket.closed or self.frames == self._seen:
            self._closing = asyncio.get_running_loop().create_task(self._ws.close())
            return
        self._seen = self.frames
        self._timer = asyncio.get_running_loop().call_later(self._every, self._check)

    def stop(self) -> None:
        self._timer.cancel()


def _forget_handshake(environ: dict[str, Any], protocol: WebSocketsSansIOProtocol) -> None:
    """Let go of the upgrade request's headers, held for the connection's life otherwise
    (uvicorn's parsed request and response, the scope's header list, Engine.IO's copy of
    every header in ``environ``): ~9 KiB of each idle connection's ~40. Everything that
    reads them (origin check, Engine.IO's handshake, the request id) has run."""
    for kept in (protocol.request, protocol.response):  # also held by websockets' parser
        kept.headers.clear()
    protocol.request = protocol.response = None  # type: ignore[assignment]
    environ["asgi.scope"]["headers"] = []
    for key in [key for key in environ if key.startswith("HTTP_")]:
        del environ[key]
    environ.pop("wsgi.input", None)  # the handshake's (empty) body reader, a class per request


def _describe(data: Any, limit: int | None = None) -> str:
    if not isinstance(data, str):
        return "binary frames are not accepted"
    if limit is not None and len(data) > limit:
        return "packet is too large"
    return "malformed Engine.IO packet"
