"""A ``limits`` storage in this process's memory that costs no task per request.

The library's own asyncio ``MemoryStorage`` starts a task on every hit to expire old
entries, and that task walks every key it holds: at 200 messages a second it was ~5% of
the server's CPU (py-spy, bench/RESULTS.md), growing with the number of users. This one
keeps, per key, the two counters the sliding-window-counter strategy reads (the previous
and the current window) and sweeps stale keys at most once a minute, on a hit. The
strategy itself — the weighting, ``get_window_stats``, retry times — stays the library's
(``SlidingWindowCounterRateLimiter``), and with Redis the library's Redis storage is used.
One event loop owns it: no locks, nothing awaited inside.
"""

from __future__ import annotations

import time
from math import floor

from limits.aio.storage import Storage
from limits.aio.storage.base import SlidingWindowCounterSupport

SWEEP_EVERY = 60.0  # seconds between sweeps of keys whose windows have both passed


class _Window:
    """One key's counts: ``index`` is the current window's number (``int(now / expiry)``)."""

    __slots__ = ("current", "expiry", "index", "previous")

    def __init__(self, expiry: float, index: int) -> None:
        self.expiry = expiry
        self.index = index
        self.previous = 0
        self.current = 0

    def roll(self, index: int) -> None:
        """Move to window ``index``: last window's count becomes the previous one."""
        if index != self.index:
            self.previous = self.current if index == self.index + 1 else 0
            self.current = 0
            self.index = index


class WindowMemoryStorage(Storage, SlidingWindowCounterSupport):
    """Sliding-window counters (and plain fixed-window counters, which the base class
    requires) in a dict, answered without awaiting anything."""

    STORAGE_SCHEME = ["hubbub+memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        self._windows: dict[str, _Window] = {}
        self._counters: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)
        self._sweep_at = time.monotonic() + SWEEP_EVERY
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    # ---- the sliding window counter (what Hubbub's limits use) ----
    async def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        if amount > limit:
            return False
        now = time.time()
        window = self._window(key, expiry, now)
        weighted = window.previous * _previous_ttl(window, now) / expiry + window.current
        if floor(weighted) + amount > limit:
            return False
        window.current += amount
        return True

    async def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        now = time.time()
        window = self._windows.get(key)
        if window is None:
            return 0, 0.0, 0, _current_ttl(expiry, now)
        window.roll(int(now / expiry))
        return (
            window.previous,
            _previous_ttl(window, now),
            window.current,
            _current_ttl(expiry, now),
        )

    async def clear_sliding_window(self, key: str, expiry: int) -> None:
        self._windows.pop(key, None)

    def _window(self, key: str, expiry: float, now: float) -> _Window:
        index = int(now / expiry)
        window = self._windows.get(key)
        if window is None:
            self._sweep(now)
            window = self._windows[key] = _Window(expiry, index)
        else:
            window.roll(index)
        return window

    def _sweep(self, now: float) -> None:
        """Forget keys with nothing in their last two windows (so memory follows the
        keys active in the last windows, not every address ever seen)."""
        if time.monotonic() < self._sweep_at:
            return
        self._sweep_at = time.monotonic() + SWEEP_EVERY
        stale = [k for k, w in self._windows.items() if int(now / w.expiry) > w.index + 1]
        for key in stale:
            del self._windows[key]
        self._counters = {k: v for k, v in self._counters.items() if v[1] > now}

    # ---- fixed-window counters: the rest of the storage interface ----
    async def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        count, expires_at = self._counters.get(key, (0, 0.0))
        if expires_at <= now:
            count, expires_at = 0, now + expiry
            self._sweep(now)
        self._counters[key] = (count + amount, expires_at)
        return count + amount

    async def get(self, key: str) -> int:
        count, expires_at = self._counters.get(key, (0, 0.0))
        return count if expires_at > time.time() else 0

    async def get_expiry(self, key: str) -> float:
        return self._counters.get(key, (0, time.time()))[1]

    async def clear(self, key: str) -> None:
        self._counters.pop(key, None)
        self._windows.pop(key, None)

    async def reset(self) -> int | None:
        count = len(self._counters) + len(self._windows)
        self._counters.clear()
        self._windows.clear()
        return count

    async def check(self) -> bool:
        return True


def _previous_ttl(window: _Window, now: float) -> float:
    """How much of the previous window still weighs (as the library's memory storage)."""
    if not window.previous:
        return 0.0
    expiry = window.expiry
    return (1 - (((now - expiry) / expiry) % 1)) * expiry


def _current_ttl(expiry: float, now: float) -> float:
    return (1 - ((now / expiry) % 1)) * expiry + expiry
