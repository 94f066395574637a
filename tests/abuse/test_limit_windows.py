"""Hubbub's in-memory limits storage answers exactly as the library's own.

``WindowMemoryStorage`` replaces ``limits``' asyncio ``MemoryStorage`` (which starts a task
per hit) under the same ``SlidingWindowCounterRateLimiter``: the same hits at the same
instants must be allowed or refused alike, with the same retry times, across window
boundaries; and keys idle for two windows must be forgotten.
"""

from __future__ import annotations

import random

import pytest
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from hubbub.ratelimit_memory import WindowMemoryStorage


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_same_answers_as_the_library_memory_storage(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    clock = Clock(1_800_000_000.25)
    monkeypatch.setattr("time.time", clock)
    ours = SlidingWindowCounterRateLimiter(WindowMemoryStorage())
    theirs = SlidingWindowCounterRateLimiter(MemoryStorage())
    items = [parse("10/second"), parse("120/minute"), parse("3/5 seconds")]
    rng = random.Random(seed)
    refused = allowed = 0
    for _ in range(3000):
        clock.now += rng.choice([0.0, 0.0, 0.0, 0.001, 0.02, 0.1, 0.4, 1.3, 7.0])
        item = rng.choice(items)
        user = rng.choice(["1", "2"])
        got = await ours.hit(item, "messages", user)
        want = await theirs.hit(item, "messages", user)
        assert got == want, f"hit at {clock.now} of {item} for {user}"
        if not got:
            refused += 1
            stats_ours = await ours.get_window_stats(item, "messages", user)
            stats_theirs = await theirs.get_window_stats(item, "messages", user)
            assert stats_ours == stats_theirs
        else:
            allowed += 1
    assert refused > 100 and allowed > 100  # both outcomes were exercised


async def test_idle_keys_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(1_800_000_000.0)
    monkeypatch.setattr("time.time", clock)
    storage = WindowMemoryStorage()
    limiter = SlidingWindowCounterRateLimiter(storage)
    item = parse("5/second")
    for address in range(1000):
        assert await limiter.hit(item, "register_ip", f"10.0.{address // 256}.{address % 256}")
    assert len(storage._windows) == 1000
    clock.now += 3  # both windows of every key have passed
    storage._sweep_at = 0.0  # a sweep is due (one runs at most once a minute)
    assert await limiter.hit(item, "register_ip", "192.0.2.1")
    assert len(storage._windows) == 1
