"""Raw Engine.IO clients, as a hostile client would write them: a WebSocket
(``WsConnection``) and a long-polling session (``PollingSession``), each able to tell
a connection still served from one closed or hung (the sentinel).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Callable
from typing import Any, Literal

import httpx
import websockets

from tests.fuzz.protocol import (
    ANSWER_TIMEOUT,
    EIO_PATH,
    POLLING_SEPARATOR,
    SENTINEL,
    SENTINEL_ANSWER,
    fill_tokens,
)
from tests.fuzz.report import Stats, excerpt
from tests.fuzz.strategies import Frame


async def wait_patiently(futures: list[Any]) -> None:
    """Wait up to ``ANSWER_TIMEOUT`` for ``futures``, and a moment more: on a loaded machine
    this process may itself have stalled, with the answers already in its sockets."""
    _, pending = await asyncio.wait(futures, timeout=ANSWER_TIMEOUT)
    if pending:
        await asyncio.wait(pending, timeout=1.0)


ACK_PACKET = re.compile(r"43(\d+)(.*)", re.DOTALL)
Outcome = Literal["served", "closed", "hung"]


class WsConnection:
    """A raw Engine.IO WebSocket: answers the server's pings, routes acks and sentinels."""

    def __init__(self, url: str, stats: Stats) -> None:
        self.url = url.replace("http://", "ws://", 1) + EIO_PATH + "websocket"
        self.stats = stats
        self.ws: Any = None
        self.closed = asyncio.Event()
        self.by_us = False
        self._acks: dict[int, asyncio.Future[str | None]] = {}
        self._sentinels: list[asyncio.Future[bool]] = []
        self._connect: asyncio.Future[bool] | None = None
        self._next_id = 0
        self._reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self.ws = await websockets.connect(
            self.url, max_size=None, open_timeout=15, ping_interval=None, compression=None
        )
        self.stats.connections["websocket"] += 1
        first = await asyncio.wait_for(self.ws.recv(), ANSWER_TIMEOUT)
        if not str(first).startswith("0{"):
            raise AssertionError(f"no Engine.IO open packet: {excerpt(first)}")
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for message in self.ws:
                self._route(message)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed.set()
            for future in [*self._acks.values(), *self._sentinels]:
                if not future.done():
                    future.set_result(None)  # type: ignore[arg-type]
            if self._connect is not None and not self._connect.done():
                self._connect.set_result(False)

    def _route(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            return
        if message == "2":
            asyncio.create_task(self._send_quietly("3"))  # noqa: RUF006 (fire and forget)
        elif message.startswith("43") and (match := ACK_PACKET.fullmatch(message)):
            future = self._acks.pop(int(match[1]), None)
            if future is not None and not future.done():
                future.set_result(match[2])
        elif message.startswith(SENTINEL_ANSWER):
            while self._sentinels:
                future = self._sentinels.pop(0)
                if not future.done():
                    future.set_result(True)
                    break
        elif message.startswith(("40{", "44{")):
            if self._connect is not None and not self._connect.done():
                self._connect.set_result(message.startswith("40{"))
        elif message.startswith("42"):
            self.stats.server_events += 1

    async def _send_quietly(self, data: str | bytes) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.ws.send(data)

    async def send(self, data: str | bytes) -> None:
        await self._send_quietly(data)

    async def connect_namespace(self, token: str) -> bool:
        self._connect = asyncio.get_running_loop().create_future()
        await self.send("40" + json.dumps({"token": token}))
        try:
            return await asyncio.wait_for(self._connect, ANSWER_TIMEOUT)
        except TimeoutError:
            return False

    def emit(self, frame: Frame, own: str, other: str) -> asyncio.Future[str | None] | None:
        """Send an event frame; with an ack id, the future of its answer (``None``: closed)."""
        body = str(fill_tokens(frame.data, own, other))
        future: asyncio.Future[str | None] | None = None
        ack_id = ""
        if frame.ack:
            self._next_id += 1
            future = asyncio.get_running_loop().create_future()
            self._acks[self._next_id] = future
            ack_id = str(self._next_id)
        asyncio.create_task(self._send_quietly(f"42{ack_id}{body}"))  # noqa: RUF006
        if self.closed.is_set() and future is not None and not future.done():
            future.set_result(None)
        return future

    async def sentinel(self) -> Outcome:
        """Is the connection still served, or closed? Anything else is a hung connection."""
        if self.closed.is_set():
            return "closed"
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._sentinels.append(future)
        self.stats.sentinels += 1
        await self.send(SENTINEL)
        await wait_patiently([future])
        if not future.done():
            return "closed" if self.closed.is_set() else "hung"
        return "served" if future.result() else "closed"

    async def close(self) -> None:
        self.by_us = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader


class PollingSession:
    """A raw Engine.IO long-polling session (sticky to one server, as polling must be)."""

    def __init__(self, http: httpx.AsyncClient, stats: Stats) -> None:
        self.http = http
        self.stats = stats
        self.sid = ""
        self.gone = False
        self.abandoned = False  # we gave up on a GET: the session cannot be used any more
        self.pending: list[str] = []
        self.last_ack_id = 0

    @property
    def path(self) -> str:
        return f"{EIO_PATH}polling&sid={self.sid}"

    async def open(self) -> None:
        r = await self.http.get(EIO_PATH + "polling")
        self.stats.connections["polling"] += 1
        if r.status_code != 200 or not r.text.startswith("0{"):
            raise AssertionError(f"no Engine.IO open packet over polling: {r.status_code}")
        self.sid = json.loads(r.text[1:])["sid"]

    async def post(self, data: str | bytes) -> bool:
        """Send packets; ``False`` when the server refused them (and closed the session)."""
        if self.gone:
            return False
        try:
            r = await self.http.post(self.path, content=data, timeout=ANSWER_TIMEOUT)
        except httpx.TimeoutException:
            self.stats.problem("long-polling POSTs never answered", excerpt(data))
            self.gone = True
            return False
        if r.status_code != 200:
            self.gone = True
        return not self.gone

    async def receive(self, wanted: Callable[[str], bool], timeout: float) -> str | None:
        """Poll until a packet ``wanted`` accepts arrives; ``None``: closed or timed out."""
        deadline = time.monotonic() + timeout
        while True:
            for i, packet in enumerate(self.pending):
                if wanted(packet):
                    del self.pending[i]
                    return packet
            remaining = deadline - time.monotonic()
            if self.gone or remaining <= 0:
                return None
            try:
                r = await self.http.get(self.path, timeout=remaining)
            except httpx.TimeoutException:
                # The server still holds that GET: a second one would end the session.
                self.gone = self.abandoned = True
                return None
            if r.status_code != 200:
                self.gone = True
                return None
            for packet in r.text.split(POLLING_SEPARATOR):
                if packet == "2":
                    await self.post("3")
                elif packet.startswith("42"):
                    self.stats.server_events += 1
                elif packet == "1" or packet.startswith("6"):
                    self.gone = self.gone or packet == "1"
                else:
                    self.pending.append(packet)

    async def connect_namespace(self, token: str) -> bool:
        if not await self.post("40" + json.dumps({"token": token})):
            return False
        packet = await self.receive(lambda p: p.startswith(("40{", "44{")), ANSWER_TIMEOUT)
        return packet is not None and packet.startswith("40{")

    async def sentinel(self) -> Outcome:
        self.stats.sentinels += 1
        if not await self.post(SENTINEL):
            return "closed"
        # A moment more than ``ANSWER_TIMEOUT``, as in ``wait_patiently``.
        packet = await self.receive(lambda p: p.startswith(SENTINEL_ANSWER), ANSWER_TIMEOUT + 1)
        if packet is not None:
            return "served"
        return "closed" if self.gone and not self.abandoned else "hung"

    async def close(self) -> None:
        if not self.gone:
            with contextlib.suppress(httpx.HTTPError):
                await self.post("1")
        self.gone = True
