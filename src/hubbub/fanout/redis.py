"""Redis broker: one pub/sub channel shared by every node.

Every node publishes to the channel and delivers its own publications locally at once, so
a node never waits on Redis to reach its own sockets, and drops its own echoes. When a
publication could not go out, or the subscription was lost, membership changes may have
been missed: the nodes then re-read their sockets' rooms from the store (``Resync``).
Presence lives in ``redis_presence.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from hubbub import metrics
from hubbub.fanout.base import Handler, Publication, Resync, deliver_here
from hubbub.fanout.codec import decode, encode

log = logging.getLogger(__name__)

# Keys, under a prefix (``HUBBUB_REDIS_PREFIX``) so several deployments can share a Redis:
#   <prefix>:fanout                 the pub/sub channel
#   <prefix>:presence:nodes         zset: node id -> last heartbeat (unix seconds)
#   <prefix>:presence:node:<node>   hash: user id -> that user's sockets on that node
RECONNECT_DELAY = 0.5


def new_node_id() -> str:
    return secrets.token_hex(6)


class RedisBroker:
    def __init__(self, client: aioredis.Redis, *, node_id: str, prefix: str = "hubbub") -> None:
        self._redis = client
        self._channel = f"{prefix}:fanout"
        self.node_id = node_id
        self._handler: Handler | None = None
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._lost = False  # a publication could not be sent: a Resync is owed

    def subscribe(self, handler: Handler) -> None:
        self._handler = handler

    async def start(self) -> None:
        self._listener = asyncio.get_running_loop().create_task(self._listen())
        await asyncio.wait_for(self._subscribed.wait(), 10)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener

    async def ping(self) -> None:
        await self._redis.ping()

    async def publish(self, publication: Publication) -> None:
        await deliver_here(self._handler, publication)
        try:
            await self._redis.publish(self._channel, encode(self.node_id, publication))
        except RedisError:
            # Stored and delivered here; other nodes' clients fill message gaps with sync,
            # and the nodes resync memberships once Redis is back (see _recover).
            self._lost = True
            metrics.BROKER_ERRORS.labels("publish").inc()
            log.warning("could not publish to Redis; other nodes miss this event")
            return
        metrics.BROKER_PUBLISHED.inc()
        if self._lost:
            await self._recover()

    async def _recover(self) -> None:
        """Redis answers again after events were lost: every node re-reads its rooms."""
        self._lost = False
        try:
            await self._redis.publish(self._channel, encode(self.node_id, Resync()))
        except RedisError:
            self._lost = True

    async def _listen(self) -> None:
        first = True
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                self._subscribed.set()
                if not first:
                    # Whatever was published while we were away is lost to us.
                    await self._deliver_locally(Resync())
                if self._lost:
                    await self._recover()
                first = False
                async for message in pubsub.listen():
                    await self._deliver(message)
            except RedisError:
                metrics.BROKER_ERRORS.labels("subscribe").inc()
                log.warning("Redis subscription lost; resubscribing")
                await asyncio.sleep(RECONNECT_DELAY)
            finally:
                with contextlib.suppress(RedisError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _deliver_locally(self, publication: Publication) -> None:
        await deliver_here(self._handler, publication)

    async def _deliver(self, message: dict[str, Any]) -> None:
        if message.get("type") != "message" or self._handler is None:
            return
        try:
            node, publication = decode(message["data"])
        except (ValueError, TypeError, KeyError):
            metrics.BROKER_ERRORS.labels("malformed").inc()
            log.warning("dropped a malformed publication")
            return
        if node == self.node_id and not isinstance(publication, Resync):
            return  # delivered locally when published
        metrics.BROKER_RECEIVED.inc()
        await self._deliver_locally(publication)


def client_options() -> dict[str, Any]:
    """How every Redis client of Hubbub's connects (fan-out, presence, rate limits).

    Explicit timeouts: a frozen Redis must fail a call in seconds, never hang it. One quick
    retry on a connection error: after a Redis restart, each idle pooled connection fails
    its next command once ("Connection closed by server") although Redis is back; without
    the retry, that lost presence changes and publications. Timeouts are not retried (a
    frozen Redis would hold a call several times as long)."""
    return {
        "health_check_interval": 15,
        "socket_keepalive": True,
        "socket_timeout": 5,
        "socket_connect_timeout": 5,
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
        "retry_on_error": [RedisConnectionError],
    }


def connect(url: str) -> aioredis.Redis:
    return aioredis.from_url(url, **client_options())
