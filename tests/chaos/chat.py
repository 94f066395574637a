"""A chat client that behaves like the web client when servers die under it.

A ``Session`` is one user's login, shared by that user's tabs (the web client shares its
token pair between tabs). A ``Tab`` is one Socket.IO connection that, when it drops,
reconnects to any live node with a fresh access token and catches up with ``sync``; it
keeps, per room, the messages it holds by seq and the highest seq below which it holds
everything, and fills gaps in the live stream with ``sync`` as the web client does.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import socketio

from tests.support import Account

RETRYABLE = {"unavailable", "rate_limited"}
GAP_WAIT = 0.8  # the web client's wait before asking for a gap (live events may reorder)
SEND_TIMEOUT = 8.0
CALL_TIMEOUT = 15.0

Message = dict[str, Any]


def fingerprint(message: Message) -> int:
    """Every field of a message, in one int (equal fingerprints: the same message)."""
    user = message.get("user") or {}
    return hash(
        (
            message.get("id"),
            message.get("room"),
            message.get("seq"),
            user.get("id"),
            user.get("username"),
            message.get("text"),
            message.get("created_at"),
            message.get("client_id"),
        )
    )


class Stats:
    """Counters per phase of the run (steady, each fault), so each fault's cost shows."""

    def __init__(self) -> None:
        self.phase = "setup"
        self.phases: list[str] = [self.phase]
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)

    def enter(self, phase: str) -> None:
        self.phase = phase
        self.phases.append(phase)

    def add(self, name: str, n: int = 1) -> None:
        self.counts[self.phase][name] += n

    def total(self, name: str) -> int:
        return sum(c[name] for c in self.counts.values())

    def table(self, columns: list[str]) -> str:
        rows = [["phase", *columns]]
        for phase in self.phases:
            rows.append([phase, *(str(self.counts[phase][c]) for c in columns)])
        rows.append(["total", *(str(self.total(c)) for c in columns)])
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        return "\n".join(
            "  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in rows
        )


class Retry(Exception):
    """This attempt failed in a way that is worth retrying (named for the stats)."""


class Cluster:
    """The nodes' URLs and which of them are up (a node is marked down before it is killed)."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.up = [True] * len(urls)

    def live(self) -> list[str]:
        return [u for u, up in zip(self.urls, self.up, strict=True) if up]

    def pick(self, prefer: str | None = None) -> str:
        live = self.live()
        if prefer in live:
            return prefer
        return random.choice(live) if live else self.urls[0]


class Session:
    """A user's token pair; tabs reconnecting together refresh it once."""

    def __init__(self, account: Account, http: httpx.AsyncClient, stats: Stats) -> None:
        self.account = account
        self.http = http
        self.stats = stats
        self._lock = asyncio.Lock()
        self._fresh_until = 0.0

    async def fresh_token(self, url: str) -> str:
        async with self._lock:
            if time.monotonic() < self._fresh_until:
                return self.account.access_token  # another tab just refreshed it
            try:
                r = await self.http.post(
                    url + "/api/auth/refresh", json={"refresh_token": self.account.refresh_token}
                )
                if r.status_code == 401:
                    # The refresh token was used by a request whose answer was lost (its
                    # node died, or the database between two statements): log in again.
                    self.stats.add("relogins")
                    r = await self.http.post(
                        url + "/api/auth/login",
                        json={"username": self.account.username, "password": self.account.password},
                    )
                else:
                    self.stats.add("refreshes")
            except httpx.HTTPError as exc:
                raise Retry("auth_http_error") from exc
            if r.status_code != 200:
                raise Retry(f"auth_{r.status_code}")
            body = r.json()
            self.account.access_token = body["access_token"]
            self.account.refresh_token = body["refresh_token"]
            self._fresh_until = time.monotonic() + 2
            return self.account.access_token

    def stale(self) -> None:
        self._fresh_until = 0.0


@dataclass(eq=False)
class Connection:
    sio: socketio.AsyncClient
    url: str
    lost: asyncio.Event = field(default_factory=asyncio.Event)
    seen: set[tuple[str, int]] = field(default_factory=set)  # delivered live on this socket


class Tab:
    """One socket of one user, reconnecting and catching up on its own."""

    def __init__(
        self, name: str, session: Session, rooms: list[str], cluster: Cluster, stats: Stats
    ) -> None:
        self.name = name
        self.session = session
        self.rooms = rooms
        self.cluster = cluster
        self.stats = stats
        # Per room, seq -> fingerprint of the message held (a long run holds many).
        self.held: dict[str, dict[int, int]] = {room: {} for room in rooms}
        self.contig: dict[str, int] = dict.fromkeys(rooms, 0)
        self.acked: list[Message] = []
        self.unacked: list[str] = []
        self.anomalies: list[str] = []  # what the server should never do
        self.statuses: dict[int, str] = {}  # user id -> last userStatus heard
        self.sending = False  # a sendMessage is waiting for its ack
        self.conn: Connection | None = None
        self.connected = asyncio.Event()
        self._dropped = asyncio.Event()
        self._closing = False
        self._prefer: str | None = None
        self._sync_lock = asyncio.Lock()
        self._gap_tasks: dict[str, asyncio.Task[None]] = {}
        self._supervisor: asyncio.Task[None] | None = None

    @property
    def user_id(self) -> int:
        return self.session.account.id

    @property
    def url(self) -> str | None:
        return self.conn.url if self.conn is not None and self.connected.is_set() else None

    # ---- connection ----
    async def start(self, url: str) -> None:
        await self._connect_somewhere(url, refresh=False)
        self._supervisor = asyncio.create_task(self._supervise())
        await self.sync_all()

    async def _supervise(self) -> None:
        while True:
            await self._dropped.wait()
            self._dropped.clear()
            if self._closing:
                return
            if self.conn is not None:  # let go of the dead client's tasks
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.conn.sio.shutdown(), 5)
            await self._connect_somewhere(self._prefer, refresh=True)
            self._prefer = None
            self.stats.add("reconnects")
            await self.sync_all()  # if it drops again meanwhile, the loop goes round

    async def _connect_somewhere(self, prefer: str | None, *, refresh: bool) -> None:
        delay = 0.1
        while not self._closing:
            url = self.cluster.pick(prefer)
            try:
                token = (
                    await self.session.fresh_token(url)
                    if refresh
                    else self.session.account.access_token
                )
                await self._open(url, token)
                return
            except Retry as exc:
                self.stats.add(str(exc))
                refresh = True
                await asyncio.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 2, 1.0)

    async def _open(self, url: str, token: str) -> None:
        sio = socketio.AsyncClient(reconnection=False)
        conn = Connection(sio, url)
        refusals: list[Any] = []
        sio.on("connect_error", refusals.append)
        sio.on("receiveMessage", lambda m: self._on_message(conn, m))
        sio.on("userStatus", self._on_status)
        sio.on("disconnect", lambda *_: self._on_disconnect(conn))
        try:
            await sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        except socketio.exceptions.ConnectionError as exc:
            with contextlib.suppress(Exception):
                await sio.shutdown()
            data = refusals[0] if refusals else None
            reason = data.get("message") if isinstance(data, dict) else None
            if reason == "unauthorized":
                self.session.stale()
            raise Retry(f"connect_refused_{reason}" if reason else "connect_failed") from exc
        self.conn = conn
        if conn.lost.is_set():  # dropped before we got here
            self._dropped.set()
        else:
            self.connected.set()

    def _on_disconnect(self, conn: Connection) -> None:
        if conn.lost.is_set():
            return
        conn.lost.set()
        if conn is self.conn and not self._closing:
            self.connected.clear()
            self.stats.add("drops")
            self._dropped.set()

    async def move_to(self, url: str) -> bool:
        """Leave this node for another, as a user reloading the page might."""
        conn = self.conn
        if conn is None or not self.connected.is_set():
            return False
        self._prefer = url
        self.stats.add("moves")
        with contextlib.suppress(Exception):
            await conn.sio.disconnect()
        self._on_disconnect(conn)
        return True

    async def close(self) -> None:
        self._closing = True
        self.connected.clear()
        tasks = [t for t in (self._supervisor, *self._gap_tasks.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await self.conn.sio.disconnect()
            with contextlib.suppress(Exception):
                await self.conn.sio.shutdown()

    async def call(self, event: str, payload: Any, timeout: float = CALL_TIMEOUT) -> Any:
        """The ack, or None if there is none: no connection, a timeout, or it dropped."""
        conn = self.conn
        if conn is None or not self.connected.is_set():
            return None
        call = asyncio.ensure_future(conn.sio.call(event, payload, timeout=timeout))
        lost = asyncio.ensure_future(conn.lost.wait())
        try:
            await asyncio.wait({call, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
            if not call.done():
                call.cancel()
        try:
            return await call
        except socketio.exceptions.TimeoutError:
            self.stats.add(f"{event}_timeout")
        except (socketio.exceptions.SocketIOError, asyncio.CancelledError):
            pass
        return None

    # ---- receiving ----
    def _on_message(self, conn: Connection, message: Message) -> None:
        self.stats.add("live_received")
        key = (str(message.get("room")), int(message.get("seq", -1)))
        if key in conn.seen:  # a retry must store and broadcast nothing new
            self.stats.add("live_duplicates")
            self.anomalies.append(f"{self.name}: {key} delivered twice on one socket")
        conn.seen.add(key)
        self._ingest(message, live=True)

    def _on_status(self, event: dict[str, Any]) -> None:
        self.statuses[event["user"]["id"]] = event["status"]

    def _ingest(self, message: Message, *, live: bool) -> None:
        room = str(message.get("room"))
        held = self.held.get(room)
        if held is None:
            self.anomalies.append(f"{self.name}: got a message of a foreign room: {message}")
            return
        seq = message["seq"]
        mark = fingerprint(message)
        if seq in held:
            self.stats.add("duplicates_dropped")
            if held[seq] != mark:
                self.anomalies.append(f"{self.name}: another message at seq {seq}: {message}")
            return
        held[seq] = mark
        if not live:
            self.stats.add("recovered_by_sync")
        contig = self.contig[room]
        while contig + 1 in held:
            contig += 1
        self.contig[room] = contig
        if live and len(held) > contig and room not in self._gap_tasks:
            self._gap_tasks[room] = asyncio.create_task(self._fill_gap(room))

    def has_gap(self, room: str) -> bool:
        return len(self.held[room]) > self.contig[room]

    async def _fill_gap(self, room: str) -> None:
        try:
            while self.has_gap(room) and not self._closing:
                await asyncio.sleep(GAP_WAIT)
                if not self.has_gap(room) or not self.connected.is_set():
                    return  # filled live, or the reconnect's sync will fill it
                self.stats.add("gap_syncs")
                await self.sync([room])
        finally:
            self._gap_tasks.pop(room, None)

    async def sync_all(self) -> bool:
        return await self.sync(self.rooms)

    async def sync(self, rooms: list[str]) -> bool:
        """Ask for everything after each room's contiguous seq until nothing more is there;
        False if the connection dropped first (the reconnect syncs again)."""
        async with self._sync_lock:
            pending = list(rooms)
            while pending:
                if self._closing:
                    return False
                ack = await self.call("sync", {"rooms": {r: self.contig[r] for r in pending}})
                if ack is None:
                    if not self.connected.is_set():
                        return False
                    continue  # a timeout: ask again
                if not ack.get("ok"):
                    code = ack.get("error", {}).get("code")
                    self.stats.add(f"sync_{code}")
                    if code not in RETRYABLE:
                        self.anomalies.append(f"{self.name}: sync answered {ack}")
                    await asyncio.sleep(0.3)
                    continue
                self.stats.add("syncs")
                if ack.get("errors"):
                    self.anomalies.append(f"{self.name}: sync errors {ack['errors']}")
                for found in ack["messages"].values():
                    for message in found:
                        self._ingest(message, live=False)
                pending = [r for r, more in ack["has_more"].items() if more]
            return True

    # ---- sending ----
    async def send_until_acked(self, room: str, client_id: str, text: str, give_up: float) -> None:
        """Send, then resend the same client_id (on whichever node we are on now) until
        an ack says it is stored."""
        attempts = 0
        while time.monotonic() < give_up:
            if not self.connected.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.connected.wait(), 1)
                continue
            attempts += 1
            sent_at = datetime.now(UTC)
            self.stats.add("send_attempts")
            if attempts > 1:
                self.stats.add("retries")
            payload = {"room": room, "text": text, "client_id": client_id}
            self.sending = True
            try:
                ack = await self.call("sendMessage", payload, timeout=SEND_TIMEOUT)
            finally:
                self.sending = False
            if ack is None:
                self.stats.add("send_no_ack")
                continue
            if ack.get("ok"):
                self.acked.append(ack["message"])
                self.stats.add("acked")
                created = datetime.fromisoformat(ack["message"]["created_at"])
                if attempts > 1 and created < sent_at - timedelta(milliseconds=2):
                    self.stats.add("resends_deduped")  # an earlier attempt was stored
                return
            code = ack.get("error", {}).get("code")
            self.stats.add(f"send_{code}")
            if code not in RETRYABLE:
                self.anomalies.append(f"{self.name}: sendMessage {client_id} answered {ack}")
            await asyncio.sleep(random.uniform(0.1, 0.4))
        self.unacked.append(client_id)
