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

import engineio
import socketio
from engineio import async_socket
from engineio import packet as eio_packet

from hubbub.realtime import websocket_lane
from hubbub.realtime.websocket_lane import (
    DirectWebSocket,
    Flusher,
    Lane,
    packet_frame,
    websocket_frame,
)

log = logging.getLogger(__name__)

# The releases these internals were read from and tested with (see the lock file).
TESTED = {"python-socketio": ("5.11", "5.19"), "python-engineio": ("4.9", "4.16")}

NAMESPACE = "/"

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
                "install the versions from requirements.txt"
            )
    needed: list[tuple[Any, str]] = [
        (socketio.AsyncServer, "_handle_eio_message"),
        (socketio.AsyncServer, "_handle_event"),
        (socketio.AsyncServer, "_engineio_server_class"),
        (engineio.AsyncServer, "create_queue"),
        (async_socket.AsyncSocket, "close"),
        (socketio.AsyncManager, "get_participants"),
        (socketio.AsyncManager, "eio_sid_from_sid"),
        (socketio.AsyncManager, "is_connected"),
    ]
    missing = [f"{owner.__name__}.{name}" for owner, name in needed if not hasattr(owner, name)]
    if missing:
        raise RuntimeError(f"python-socketio internals moved: {', '.join(missing)}")
    if not isinstance(getattr(socketio.packet.Packet, "uses_binary_events", None), bool):
        raise RuntimeError("python-socketio internals moved: Packet.uses_binary_events")
    manager_state = vars(socketio.AsyncManager())
    if not {"rooms", "callbacks", "pending_connect", "pending_disconnect"} <= manager_state.keys():
        raise RuntimeError("python-socketio internals moved: the manager's rooms/pending lists")
    touched = set(socketio.base_manager.BaseManager.basic_disconnect.__code__.co_names)
    if touched - _DISCONNECT_NAMES:
        raise RuntimeError(
            f"python-socketio's disconnect tidies more now: {touched - _DISCONNECT_NAMES}"
        )
    queue_state = vars(asyncio.Queue())
    if not all(isinstance(queue_state.get(n), deque) for n in ("_queue", "_getters", "_putters")):
        raise RuntimeError("asyncio internals moved: Queue._queue/_getters/_putters (Outbox)")
    if not isinstance(queue_state.get("_finished"), asyncio.Event):
        raise RuntimeError("asyncio internals moved: Queue._finished (Outbox)")
    websocket_lane.check_internals()


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


# Stands in for a lane-served Outbox's ``join()`` event: set, since nothing is unfinished.
_NEVER_WAITED = asyncio.Event()
_NEVER_WAITED.set()


class Outbox(asyncio.Queue[Any]):
    """An Engine.IO socket's outgoing queue with a bound: the packet past ``limit`` is
    dropped and the socket is closed (``None``, the writer's stop sentinel, always fits).

    Once the socket's WebSocket has a ``Lane`` (websocket_lane), nothing is queued: every
    packet goes to the lane as a frame, in the order it came."""

    _queue: deque[Any]  # asyncio.Queue's storage, made in its _init
    _getters: deque[Any]
    _putters: deque[Any]

    def __init__(self, server: EngineServer, limit: int) -> None:
        super().__init__()
        self._server = server
        self._limit = limit
        self.overflowed = False
        self.lane: Lane | None = None
        self._websocket: DirectWebSocket | None = None

    def attach(self, lane: Lane, websocket: DirectWebSocket) -> None:
        """From now on packets go to ``lane``; what was queued goes first. The queue's
        own storage is let go (four deques, ~2.5 KiB of an idle connection): with nothing
        queued, nothing reads it but ``empty()``/``join()``, which an empty tuple and no
        unfinished task answer."""
        self.lane, self._websocket = lane, websocket
        while self._queue:
            item = self.get_nowait()
            self.task_done()
            self.put_nowait(item)
        if not self._getters and not self._putters:  # (nothing waits on it: it cannot)
            self._queue = self._getters = self._putters = ()  # type: ignore[assignment]
            self._finished = _NEVER_WAITED

    def put_nowait(self, item: Any) -> None:
        lane = self.lane
        if lane is not None:
            if item is not None:
                lane.write(packet_frame(item), urgent=True)
            elif self._websocket is not None:  # the stop sentinel: close the WebSocket
                lane.close()
                self._server.start(self._websocket.close())
            return
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
    """Engine.IO with bounded per-socket queues, and WebSockets served by a ``Lane``."""

    def __init__(
        self, *args: Any, queue_limit: int, buffer_limit: int, write_delay: float, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.queue_limit = queue_limit
        self.buffer_limit = buffer_limit
        self.flusher = Flusher(write_delay)
        # The ASGI driver's table is the module's own: this server's copy only.
        self._async = {**self._async, "websocket": DirectWebSocket}  # type: ignore[has-type]
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
                self.start(self.abort(eio_sid))
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

    def start(self, coro: Any) -> None:
        """Run a closing step in the background, keeping a reference until it ends."""
        task = asyncio.get_running_loop().create_task(coro)
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)


def in_handshake(sio: socketio.AsyncServer, sid: str, event: str) -> bool:
    """Whether python-socketio itself is running its ``connect``/``disconnect`` handler for
    ``sid`` — rather than a client's event of that name, which it routes to the same
    handler. Its own connect runs while the sid is pending connection, its own disconnect
    while it is pending disconnection. (Asking "is it connected?" instead misread an event
    whose socket closed before the event's task ran as a real connect.)"""
    manager = sio.manager
    pending = manager.pending_connect if event == "connect" else manager.pending_disconnect
    return sid in pending.get(NAMESPACE, ())


def is_sid(sio: socketio.AsyncServer, value: object) -> bool:
    """Whether ``value`` is the sid of a socket connected to this server (python-socketio
    hands the catch-all handler either an event name or, for an event named "*", a sid)."""
    return isinstance(value, str) and bool(sio.manager.is_connected(value, NAMESPACE))


def deliver(sio: socketio.AsyncServer, room: str | None, skip: set[str], payload: bytes) -> int:
    """Send one Engine.IO message (``payload``, its encoded text) to every socket of the
    Socket.IO ``room`` on this node but ``skip``; returns how many. A socket with a lane
    gets the same pre-built frame as every other; one still on long-polling gets one
    shared packet on its queue. Nothing here awaits or makes a task per recipient."""
    # A socket still in its connect handler gets nothing before its CONNECT packet.
    pending = sio.manager.pending_connect.get(NAMESPACE)
    if pending:
        skip = skip | set(pending)
    sockets = sio.eio.sockets
    frame: bytes | None = None
    packet: Any = None
    delivered = 0
    for sid, eio_sid in sio.manager.get_participants(NAMESPACE, room):
        if sid in skip:
            continue
        socket = sockets.get(eio_sid)
        if socket is None or socket.closed:
            continue  # going away; its disconnect is being handled
        queue = socket.queue
        lane = queue.lane
        if lane is not None:
            if frame is None:
                frame = websocket_frame(payload)
            lane.write(frame)
        else:
            if packet is None:
                packet = eio_packet.Packet(eio_packet.MESSAGE, payload[1:].decode())
            queue.put_nowait(packet)
        delivered += 1
    return delivered


class JsonPacket(socketio.packet.Packet):  # type: ignore[misc]
    """Socket.IO packets of a JSON-only protocol. python-socketio walks the data of every
    packet it builds (each ack, each emit) looking for bytes to send as attachments;
    Hubbub sends none and refuses any that come in, so the walk is skipped (it grew with
    the v2 message's fields: ~2% of the event loop's time in the fan-out benchmark)."""

    uses_binary_events = False


class IndexedManager(socketio.AsyncManager):  # type: ignore[misc]
    """python-socketio's manager with an index of each socket's rooms. The stock one finds
    them by walking every room of the namespace — and every socket has a room of its own —
    on each disconnect and each ``rooms(sid)``: O(connections) per connect, as Hubbub
    settles a user's rooms, and per disconnect. At 10,000 connections that walk was the
    whole server's CPU (bench/connections_10k.sh)."""

    def __init__(self) -> None:
        super().__init__()
        self._rooms_of: dict[tuple[str, str], set[Any]] = {}

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._rooms_of[(namespace, sid)]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        return [room for room in self._rooms_of.get((namespace, sid), ()) if room is not None]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        # The stock method without its walk; check_internals makes sure the stock one
        # still touches nothing more than this (its rooms, callbacks and pending lists).
        for room in list(self._rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            sids = pending.get(namespace)
            if sids is not None and sid in sids:
                sids.remove(sid)
                if not sids:
                    del pending[namespace]


# What python-socketio's BaseManager.basic_disconnect reads and calls (IndexedManager's
# copy does the same): a release that tidies more on disconnect fails the start-up check.
_DISCONNECT_NAMES = frozenset(
    {
        *("rooms", "copy", "items", "append", "basic_leave_room", "callbacks"),
        *("pending_connect", "remove", "len", "pending_disconnect"),
    }
)


class GuardedServer(socketio.AsyncServer):  # type: ignore[misc]
    """Socket.IO that refuses binary packets and closes on malformed frames, quietly."""

    def __init__(
        self, *args: Any, queue_limit: int, buffer_limit: int, write_delay: float, **kwargs: Any
    ) -> None:
        self._outgoing = (queue_limit, buffer_limit, write_delay)
        kwargs.setdefault("client_manager", IndexedManager())
        super().__init__(*args, serializer=JsonPacket, **kwargs)

    def _engineio_server_class(self) -> Any:
        queue_limit, buffer_limit, write_delay = self._outgoing

        def build(*args: Any, **kwargs: Any) -> EngineServer:
            return EngineServer(
                *args,
                queue_limit=queue_limit,
                buffer_limit=buffer_limit,
                write_delay=write_delay,
                **kwargs,
            )

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
