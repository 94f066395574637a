"""The senders: a ``Lane`` sends batches as one user over the transports, and checks
every answer it gets against PROTOCOL.md.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

import httpx

from tests.fuzz.protocol import (
    ANSWER_TIMEOUT,
    ERROR_CODES,
    POLLING_SEPARATOR,
    TRANSPORT_MAX_BYTES,
    fill_tokens,
    wire_size,
)
from tests.fuzz.report import Stats, excerpt
from tests.fuzz.strategies import Batch, Frame, Transport
from tests.fuzz.transports import ACK_PACKET, PollingSession, WsConnection, wait_patiently


def check_answer(stats: Stats, frame: Frame, answer: str) -> None:
    """An ack must be PROTOCOL's ``[{"ok": true, …}]`` or ``[{"ok": false, "error": …}]``."""
    try:
        value = json.loads(answer)
    except ValueError:
        stats.problem("unreadable answers", f"{excerpt(answer)} to {excerpt(frame.data)}")
        return
    body = value[0] if isinstance(value, list) and len(value) == 1 else None
    if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
        stats.problem("answers not in PROTOCOL's shape", f"{excerpt(answer)} to {frame.category}")
        return
    if body["ok"]:
        stats.answers["ok"] += 1
        return
    error = body.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    stats.answers[str(code)] += 1
    if code not in ERROR_CODES or not isinstance(message, str) or not message:
        stats.problem(
            "error answers with an unexpected code",
            f"{excerpt(answer)} to {frame.category} {excerpt(frame.data)}",
        )


def _says_goodbye(frame: Frame) -> bool:
    """An Engine.IO CLOSE packet (``1…``): the client hangs up after it, as real ones do
    (the server stops answering it, but leaves the WebSocket to the client to close)."""
    return isinstance(frame.data, str) and frame.data.startswith("1")


def _payloads(frames: list[Frame]) -> list[list[Frame]]:
    """Frames grouped into long-polling POSTs each within the transport's limit (which
    counts the whole body, not each packet)."""
    chunks: list[list[Frame]] = []
    size = TRANSPORT_MAX_BYTES
    for frame in frames:
        packet = wire_size(frame.data) + 32  # "42<ack id>" and the separator, generously
        if size + packet > TRANSPORT_MAX_BYTES - 64:
            chunks.append([])
            size = 0
        chunks[-1].append(frame)
        size += packet
    return chunks


@dataclass
class LaneAccount:
    username: str
    token: str


class Lane:
    """Sends batches as one user: events over a socket kept open between batches, raw
    frames over connections of their own (reopened whenever the server closes one)."""

    def __init__(self, url: str, account: LaneAccount, other: LaneAccount, stats: Stats) -> None:
        self.url = url
        self.account = account
        self.other = other
        self.stats = stats
        self.http = httpx.AsyncClient(base_url=url, timeout=ANSWER_TIMEOUT + 5)
        self._socket: WsConnection | None = None

    async def aclose(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        await self.http.aclose()

    def _fill(self, data: str | bytes) -> str | bytes:
        return fill_tokens(data, self.account.token, self.other.token)

    def _count(self, frame: Frame, transport: Transport) -> None:
        self.stats.frames[frame.category] += 1
        self.stats.transports[transport] += 1

    async def run(self, batch: Batch) -> None:
        if batch.transport == "polling":
            await (self._poll_events(batch) if batch.kind == "events" else self._poll_raw(batch))
        else:
            await (self._ws_events(batch) if batch.kind == "events" else self._ws_raw(batch))

    # -- WebSocket --

    async def _ws(self, *, connect: bool) -> WsConnection:
        conn = WsConnection(self.url, self.stats)
        await conn.open()
        if connect and not await conn.connect_namespace(self.account.token):
            self.stats.problem("CONNECT refused", f"lane {self.account.username} over websocket")
        return conn

    async def _ws_events(self, batch: Batch) -> None:
        if self._socket is None or self._socket.closed.is_set():
            if self._socket is not None:
                await self._socket.close()
            self._socket = await self._ws(connect=True)
        conn = self._socket
        safe = [f for f in batch.frames if not f.may_close]
        risky = [f for f in batch.frames if f.may_close]
        pending: list[tuple[Frame, asyncio.Future[str | None]]] = []
        for frame in safe:
            self._count(frame, "websocket")
            future = conn.emit(frame, self.account.token, self.other.token)
            if future is not None:
                pending.append((frame, future))
        await self._collect(pending, "websocket")
        for frame in risky:
            if conn.closed.is_set():
                await conn.close()
                conn = self._socket = await self._ws(connect=True)
            self._count(frame, "websocket")
            future = conn.emit(frame, self.account.token, self.other.token)
            assert future is not None
            await self._collect([(frame, future)], "websocket", may_close=True)
        if not conn.closed.is_set() and await conn.sentinel() == "hung":
            self.stats.problem("hung connections", f"websocket after events {batch.frames!r:.200}")

    async def _collect(
        self,
        pending: list[tuple[Frame, asyncio.Future[str | None]]],
        transport: Transport,
        *,
        may_close: bool = False,
    ) -> None:
        if not pending:
            return
        await wait_patiently([f for _, f in pending])
        for frame, future in pending:
            answer = future.result() if future.done() else None
            if answer is not None:
                check_answer(self.stats, frame, answer)
            elif may_close and future.done():
                self.stats.closed_by_server[frame.category] += 1
            elif future.done():
                self.stats.problem(
                    "well-formed events that closed the connection",
                    f"{transport} {frame.category} {excerpt(frame.data)}",
                )
            else:
                self.stats.problem(
                    "well-formed events never answered",
                    f"{transport} {frame.category} {excerpt(frame.data)}",
                )

    async def _ws_raw(self, batch: Batch) -> None:
        conn: WsConnection | None = None
        try:
            for frame in batch.frames:
                if conn is None or conn.closed.is_set():
                    if conn is not None:
                        await conn.close()
                    conn = await self._ws(connect=batch.connect)
                self._count(frame, "websocket")
                if frame.event:
                    conn.emit(frame, self.account.token, self.other.token)
                else:
                    await conn.send(self._fill(frame.data))
                if _says_goodbye(frame):
                    await conn.close()  # a client that said goodbye hangs up
                    conn = None
                    continue
                outcome = await conn.sentinel()
                if outcome == "closed":
                    self.stats.closed_by_server[frame.category] += 1
                elif outcome == "hung":
                    self.stats.problem(
                        "hung connections",
                        f"websocket after {frame.category} {excerpt(frame.data)}",
                    )
        finally:
            if conn is not None:
                await conn.close()

    # -- long-polling --

    async def _polling(self, *, connect: bool) -> PollingSession:
        session = PollingSession(self.http, self.stats)
        await session.open()
        if connect and not await session.connect_namespace(self.account.token):
            self.stats.problem("CONNECT refused", f"lane {self.account.username} over polling")
        return session

    async def _poll_events(self, batch: Batch) -> None:
        session = await self._polling(connect=True)
        try:
            safe = [f for f in batch.frames if not f.may_close]
            risky = [f for f in batch.frames if f.may_close]
            for chunk in _payloads(safe):
                if session.gone:  # e.g. given up after an event that was never answered
                    await session.close()
                    session = await self._polling(connect=True)
                await self._poll_send(session, chunk, may_close=False)
            for frame in risky:
                if session.gone:
                    await session.close()
                    session = await self._polling(connect=True)
                await self._poll_send(session, [frame], may_close=True)
            if not session.gone and await session.sentinel() == "hung":
                self.stats.problem("hung connections", "polling after events")
        finally:
            await session.close()

    async def _poll_send(
        self, session: PollingSession, frames: list[Frame], *, may_close: bool
    ) -> None:
        packets: list[str] = []
        due: dict[int, Frame] = {}
        for frame in frames:
            self._count(frame, "polling")
            session.last_ack_id += 1
            i = session.last_ack_id
            packets.append(f"42{i if frame.ack else ''}{self._fill(frame.data)}")
            if frame.ack:
                due[i] = frame
        if not await session.post(POLLING_SEPARATOR.join(packets)):
            for frame in frames:
                if may_close:
                    self.stats.closed_by_server[frame.category] += 1
                else:
                    self.stats.problem(
                        "well-formed events refused over polling",
                        f"{frame.category} {excerpt(frame.data)}",
                    )
            return
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while due and time.monotonic() < deadline:
            packet = await session.receive(
                lambda p: ACK_PACKET.fullmatch(p) is not None, deadline - time.monotonic()
            )
            if packet is None:
                break
            match = ACK_PACKET.fullmatch(packet)
            assert match is not None
            frame = due.pop(int(match[1]), None)  # type: ignore[assignment]
            if frame is not None:
                check_answer(self.stats, frame, match[2])
        for frame in due.values():
            if may_close and session.gone and not session.abandoned:
                self.stats.closed_by_server[frame.category] += 1
            else:
                self.stats.problem(
                    "well-formed events never answered",
                    f"polling {frame.category} {excerpt(frame.data)}",
                )

    async def _poll_raw(self, batch: Batch) -> None:
        session: PollingSession | None = None
        try:
            for frame in batch.frames:
                if session is None or session.gone:
                    if session is not None:
                        await session.close()
                    session = await self._polling(connect=batch.connect)
                self._count(frame, "polling")
                data = self._fill(frame.data)
                if frame.event:
                    data = f"42{1 if frame.ack else ''}{data}"
                if not await session.post(data):
                    self.stats.closed_by_server[frame.category] += 1
                    continue
                if _says_goodbye(frame):
                    session.gone = True
                    continue
                outcome = await session.sentinel()
                if outcome == "closed":
                    self.stats.closed_by_server[frame.category] += 1
                elif outcome == "hung":
                    self.stats.problem(
                        "hung connections", f"polling after {frame.category} {excerpt(frame.data)}"
                    )
        finally:
            if session is not None:
                await session.close()
