"""A server with the default limits, as an operator would run it, and the tools to attack
it: accounts from many client addresses (the server believes ``X-Forwarded-For`` from
127.0.0.1, as behind a local proxy), raw WebSocket frames, and the server's memory."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
import websockets

from tests.support import Account, Api, ServerProcess, unique

_addresses = itertools.count(1)


def new_address() -> str:
    n = next(_addresses)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def rss_mib(server: ServerProcess) -> float:
    """The server process's resident memory, from /proc."""
    assert server.process is not None
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest_asyncio.fixture(scope="module")
async def limited(tmp_path_factory: Any) -> AsyncIterator[ServerProcess]:
    """Every limit at its default; log level info, so the tests see every warning."""
    proc = ServerProcess(
        data_dir=tmp_path_factory.mktemp("limited"),
        real_limits=True,
        extra_env={"HUBBUB_LOG_LEVEL": "info"},
    )
    await asyncio.to_thread(proc.start)
    yield proc
    await asyncio.to_thread(proc.stop)


class Attacker(Api):
    """``Api`` whose every account registers from a client address of its own."""

    async def register(self, prefix: str = "user", password: str = "correct horse") -> Account:
        username = unique(prefix)
        r = await self.http.post(
            "/api/auth/register",
            json={"username": username, "password": password},
            headers={"X-Forwarded-For": new_address()},
        )
        assert r.status_code == 201, r.text
        body = r.json()
        return Account(
            body["user"]["id"], username, password, body["access_token"], body["refresh_token"]
        )


@pytest_asyncio.fixture
async def attacker(limited: ServerProcess) -> AsyncIterator[Attacker]:
    api = Attacker(limited.url)
    yield api
    await api.close()


async def raw_socket(url: str, token: str | None, **options: Any) -> Any:
    """A WebSocket speaking Engine.IO/Socket.IO by hand, namespace connected if a token
    is given: for frames no well-behaved client would send."""
    ws = await websockets.connect(
        url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", **options
    )
    opened = await ws.recv()
    assert str(opened).startswith("0{")
    if token is not None:
        await ws.send("40" + json.dumps({"token": token}))
        connected = await ws.recv()
        assert str(connected).startswith("40{"), connected
    return ws


async def closed_by_server(ws: Any, timeout: float = 5) -> bool:
    """Read until the server closes the connection (True) or goes quiet (False)."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    except websockets.ConnectionClosed:
        return True
    except TimeoutError:
        return False
