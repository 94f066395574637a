"""Test helpers: a real Hubbub server in a subprocess, real HTTP and Socket.IO clients."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import socketio

PG_ADMIN_URL = os.environ.get("HUBBUB_TEST_PG_URL", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("HUBBUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"
_names = itertools.count(1)
RUN_TAG = secrets.token_hex(2)


def unique(prefix: str) -> str:
    """A fresh username or room name (3-32 chars, valid for both)."""
    return f"{prefix}_{RUN_TAG}_{next(_names)}".lower()[:32]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Most tests register hundreds of users from one address and send bursts as one user:
# their servers get generous limits. Tests of the limits themselves use the defaults
# (``ServerProcess(real_limits=True)``).
GENEROUS_LIMITS = {
    "HUBBUB_RATE_MESSAGES": "2000/second",
    "HUBBUB_RATE_TYPING": "2000/second",
    "HUBBUB_RATE_JOINS": "2000/second",
    "HUBBUB_RATE_ROOMS": "2000/second",
    "HUBBUB_RATE_WRITES": "2000/second",
    "HUBBUB_RATE_UPLOADS": "2000/second",
    "HUBBUB_RATE_READS": "2000/second",
    "HUBBUB_RATE_REGISTER_IP": "100000/minute",
    "HUBBUB_RATE_LOGIN_IP": "100000/minute",
    "HUBBUB_RATE_LOGIN_USER": "100000/minute",
    "HUBBUB_RATE_REFRESH_IP": "100000/minute",
    "HUBBUB_RATE_WEBHOOKS_IP": "100000/minute",
    "HUBBUB_RATE_WEBHOOKS": "100000/minute",
    "HUBBUB_PASSWORD_HASH_QUEUE": "1000",
    "HUBBUB_SOCKET_MAX_PENDING": "256",
}


class PortTaken(RuntimeError):
    """The server could not bind its port: another process holds it."""


@dataclass
class ServerProcess:
    """``hubbub serve`` on a free port, with its own data directory and database."""

    data_dir: Path
    database_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    extra_args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    real_limits: bool = False
    started_once: bool = field(default=False, repr=False)  # then the port is the server's

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            HUBBUB_DATA_DIR=str(self.data_dir),
            HUBBUB_JWT_SECRET="test-secret-" + "x" * 40,
            HUBBUB_LOG_LEVEL="warning",
            # every ack and emitted event checked against its model (realtime/contract.py)
            HUBBUB_CHECK_WIRE="true",
        )
        if not self.real_limits:
            env.update(GENEROUS_LIMITS)
        env.update(self.extra_env)  # a test's own settings win
        if self.database_url:
            env["HUBBUB_DATABASE_URL"] = self.database_url
        return env

    def start(self) -> None:
        """Start, and wait for ``/healthz``. ``free_port`` only saw the port free: if another
        process (a parallel test worker's server) took it since, a first start moves to a
        new port; a restart keeps its own, which its clients reconnect to."""
        for attempt in range(3):
            try:
                self._start()
            except PortTaken:
                if self.started_once or attempt == 2:
                    raise
                self.port = free_port()
            else:
                self.started_once = True
                return

    def _start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir / f"server-{self.port}.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hubbub", "serve", "--port", str(self.port), *self.extra_args],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text()[-3000:]
                if "address already in use" in tail:
                    raise PortTaken(f"port {self.port} taken:\n{tail}")
                raise RuntimeError(f"server exited early:\n{tail}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.log_path.read_text()[-3000:]}")

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None:
            return
        self._stop(kill=kill)
        broken = self.wire_contract_breaks()
        assert not broken, "the server sent what its models do not allow:\n" + "\n".join(broken)

    def wire_contract_breaks(self) -> list[str]:
        """The server log's ``wire contract broken`` lines (``HUBBUB_CHECK_WIRE``)."""
        if self.log_path is None or not self.log_path.exists():
            return []
        text = self.log_path.read_text(errors="replace")
        return [line[:2000] for line in text.splitlines() if "wire contract broken" in line]

    def _stop(self, *, kill: bool = False) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self, *, kill: bool = False) -> None:
        self.stop(kill=kill)
        self.start()


@dataclass
class Account:
    id: int
    username: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    @property
    def wire(self) -> dict[str, object]:
        """The user object others see for this account (no display name set, not a bot)."""
        return {"id": self.id, "username": self.username, "display_name": None, "bot": False}


class Api:
    """httpx against a running server, with the few calls most tests need."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, timeout=15)

    async def close(self) -> None:
        await self.http.aclose()

    async def register(self, prefix: str = "user", password: str = "correct horse") -> Account:
        username = unique(prefix)
        r = await self.http.post(
            "/api/auth/register", json={"username": username, "password": password}
        )
        assert r.status_code == 201, r.text
        body = r.json()
        return Account(
            id=body["user"]["id"],
            username=username,
            password=password,
            access_token=body["access_token"],
            refresh_token=body["refresh_token"],
        )

    async def create_room(self, owner: Account, *, private: bool = False) -> str:
        name = unique("room")
        r = await self.http.post(
            "/api/rooms", json={"name": name, "private": private}, headers=owner.headers
        )
        assert r.status_code == 201, r.text
        return name

    async def join(self, account: Account, room: str) -> httpx.Response:
        return await self.http.post(f"/api/rooms/{room}/join", headers=account.headers)

    async def invite(self, owner: Account, room: str, username: str) -> httpx.Response:
        return await self.http.post(
            f"/api/rooms/{room}/invite", json={"username": username}, headers=owner.headers
        )

    async def history(self, account: Account, room: str, **params: Any) -> httpx.Response:
        return await self.http.get(
            f"/api/rooms/{room}/messages", params=params, headers=account.headers
        )


SERVER_EVENTS = (
    "receiveMessage",
    "messageUpdated",
    "roomEvent",
    "userStatus",
    "typing",
    "roomCreated",
    "invited",
    "dmCreated",
    "userUpdated",
    "roomUpdated",
    "roomDeleted",
    "sessionEnded",
)


class Client:
    """A python-socketio ``AsyncClient`` that records every server event it receives."""

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url
        self.token = token
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, list[Any]] = defaultdict(list)
        self._changed = asyncio.Event()
        for name in SERVER_EVENTS:
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name: str) -> Callable[[Any], None]:
        def record(data: Any) -> None:
            self.events[name].append(data)
            self._changed.set()

        return record

    async def connect(self) -> Client:
        auth = {"token": self.token} if self.token is not None else None
        await self.sio.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=10)
        return self

    async def call(self, event: str, payload: Any = None, *, wait: float = 15) -> Any:
        """Emit with an ack and return it (``None`` sends no argument, a tuple several)."""
        return await self.sio.call(event, payload, timeout=wait)

    async def send(self, room: str, text: str, client_id: str | None = None) -> Any:
        payload: dict[str, Any] = {"room": room, "text": text}
        if client_id is not None:
            payload["client_id"] = client_id
        return await self.call("sendMessage", payload)

    async def wait_for(
        self, event: str, predicate: Callable[[Any], bool] = lambda _: True, timeout: float = 10
    ) -> Any:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for data in self.events[event]:
                if predicate(data):
                    return data
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"no {event} matching within {timeout}s: {self.events[event]}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def received_texts(self, room: str) -> list[str]:
        return [m["text"] for m in self.events["receiveMessage"] if m["room"] == room]

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


@dataclass
class Pair:
    """Alice (owner) and Bob, both members of one room, each with a connected socket."""

    alice: Account
    bob: Account
    room: str
    a: Client
    b: Client


async def two_in_a_room(api: Api, connect: Callable[..., Any], url: str) -> Pair:
    """The usual start of a chat test; ``connect`` is the ``clients`` fixture."""
    alice, bob = await api.register("alice"), await api.register("bob")
    room = await api.create_room(alice)
    assert (await api.join(bob, room)).status_code == 200
    a = await connect(url, alice.access_token)
    b = await connect(url, bob.access_token)
    return Pair(alice, bob, room, a, b)


async def one_in_a_room(
    api: Api, connect: Callable[..., Any], url: str
) -> tuple[Account, str, Any]:
    """A new user with a room of their own, connected: (account, room, client)."""
    alice = await api.register("alice")
    room = await api.create_room(alice)
    return alice, room, await connect(url, alice.access_token)


async def settle(seconds: float = 0.3) -> None:
    """Give events that should *not* arrive a moment to prove they don't."""
    await asyncio.sleep(seconds)


@contextlib.asynccontextmanager
async def running(server: ServerProcess) -> AsyncIterator[ServerProcess]:
    """``server`` started (off the event loop) for the block, stopped after it."""
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)
