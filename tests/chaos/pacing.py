"""Pacing a chaos run on a slow shared machine, never with a fixed sleep: ``until`` polls
a condition, ``retrying`` retries a REST call through 503 and 429, and ``Hold`` keeps new
sends to one node while a fault is set up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx

from tests.chaos.chat import Tab


async def until(what: str, check: Callable[[], Awaitable[bool]], timeout: float) -> None:
    """Poll ``check`` until it holds (a slow shared machine: never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f}s")
        await asyncio.sleep(0.2)


def all_on(tabs: list[Tab], url: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return all(t.url == url for t in tabs)

    return check


async def retrying(call: Callable[[], Awaitable[httpx.Response]], ok: int) -> httpx.Response:
    """A REST call answered ``ok``, retrying what a busy server may answer (503, 429)."""
    for _ in range(100):
        try:
            r = await call()
        except httpx.HTTPError:
            await asyncio.sleep(0.3)
            continue
        if r.status_code == ok:
            return r
        assert r.status_code in (429, 503), r.text
        await asyncio.sleep(0.3)
    raise AssertionError("the server kept answering 503/429")


class Hold:
    """Holds back new sends on every node but one (sends already under way go on)."""

    def __init__(self) -> None:
        self.only: str | None = None
        self.lifted = asyncio.Event()
        self.lifted.set()

    def all_but(self, url: str) -> None:
        self.only = url
        self.lifted.clear()

    def lift(self) -> None:
        self.only = None
        self.lifted.set()

    async def turn(self, tab: Tab) -> None:
        while self.only is not None and tab.url != self.only:
            await self.lifted.wait()


def idle_except(tabs: list[Tab], url: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return not any(t.sending for t in tabs if t.url != url)

    return check
