"""Rate limits, from the ``limits`` library: in this process's memory on one process
(``ratelimit_memory``: the library's strategy over a storage with no task per request), in
Redis when ``HUBBUB_REDIS_URL`` is set, so a limit holds across workers and machines.

Each kind of request has a limit (a ``HUBBUB_RATE_*`` setting in the library's notation,
e.g. ``10/second;120/minute``), counted per key: a user id, or, before login, a client
address or a username; an incoming webhook's posts also per hook. Sliding-window
counters: O(1) per check in memory and one round trip in Redis, and no burst of twice the
limit at a window's edge.

If Redis fails, requests are let through (with a warning): a chat that keeps working
without its limits for a moment beats one that stops.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Literal, get_args

from limits import RateLimitItem, parse_many
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from hubbub import metrics
from hubbub.config import Settings
from hubbub.errors import RateLimited
from hubbub.ratelimit_memory import WindowMemoryStorage

log = logging.getLogger(__name__)

Kind = Literal[
    "messages",
    "typing",
    "joins",
    "rooms",
    "uploads",
    "writes",
    "reads",
    "register_ip",
    "login_ip",
    "login_user",
    "refresh_ip",
    "webhooks_ip",
    "webhooks",
]
KINDS: tuple[Kind, ...] = get_args(Kind)


# What the person at the other end reads (the client adds when to try again).
_MESSAGES: dict[Kind, str] = {
    "messages": "You are sending messages too fast",
    "typing": "Too many typing notices",
    "joins": "Too many joins and leaves",
    "rooms": "Too many rooms created",
    "uploads": "Too many files uploaded",
    "writes": "Too many changes at once",
    "reads": "Too many requests",
    "register_ip": "Too many accounts created from this address",
    "login_ip": "Too many sign-in attempts from this address",
    "login_user": "Too many sign-in attempts for this account",
    "refresh_ip": "Too many session renewals from this address",
    "webhooks_ip": "Too many webhook posts from this address",
    "webhooks": "Too many posts to this webhook",
}


class Limits:
    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self._storage = storage or _storage_for(settings)
        self._limiter = SlidingWindowCounterRateLimiter(self._storage)
        self._items: dict[Kind, list[RateLimitItem]] = {
            kind: parse_many(getattr(settings, f"rate_{kind}")) for kind in KINDS
        }
        self._warned_at = 0.0
        self._refused = {kind: metrics.RATE_LIMITED.labels(kind) for kind in KINDS}

    async def check(self, kind: Kind, key: str | int) -> None:
        """Count one request; raise ``RateLimited`` (with ``retry_after``) past the limit."""
        wait = await self._over(kind, str(key))
        if wait is not None:
            raise RateLimited(_MESSAGES[kind], retry_after=wait)

    async def allow(self, kind: Kind, key: str | int) -> bool:
        """Count one request; ``False`` past the limit (for what is dropped quietly)."""
        return await self._over(kind, str(key)) is None

    async def _over(self, kind: Kind, key: str) -> float | None:
        """Seconds to wait if this request is over a limit of its kind, else ``None``."""
        try:
            for item in self._items[kind]:
                if not await self._limiter.hit(item, kind, key):
                    self._refused[kind].inc()
                    stats = await self._limiter.get_window_stats(item, kind, key)
                    return max(0.1, math.ceil((stats.reset_time - time.time()) * 10) / 10)
        except Exception as exc:  # the limits store (Redis) failed: let it through
            now = time.monotonic()
            if now - self._warned_at > 10:
                self._warned_at = now
                log.warning("rate limits unavailable, not enforced for now: %s", exc)
        return None


def _storage_for(settings: Settings) -> Storage:
    if not settings.redis_url:
        return WindowMemoryStorage()
    from hubbub.fanout.redis import client_options

    return RedisStorage(
        f"async+{settings.redis_url}",
        implementation="redispy",
        key_prefix=f"{settings.redis_prefix}:limits",
        **client_options(),
    )
