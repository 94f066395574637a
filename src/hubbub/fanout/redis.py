"""Redis broker (pub/sub) and presence (per-node socket counts with an expiry contract).

Every node publishes to one channel and delivers its own publications locally at once, so
a node never waits on Redis to reach its own sockets and drops its own echoes. Presence
counts each user's sockets per node in a hash that the node keeps alive with a heartbeat;
a node that stops beating (crashed, partitioned) is swept by the others, which announce
its users offline unless they are still connected elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from hubbub.fanout.base import Handler, Publication
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
        if self._handler is not None:
            await self._handler(publication)
        try:
            await self._redis.publish(self._channel, encode(self.node_id, publication))
        except RedisError:
            # Stored and delivered here; other nodes' clients will fill the gap with sync.
            log.exception("could not publish to Redis; other nodes miss this event")

    async def _listen(self) -> None:
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                self._subscribed.set()
                async for message in pubsub.listen():
                    await self._deliver(message)
            except RedisError:
                log.warning("Redis subscription lost; resubscribing", exc_info=True)
                await asyncio.sleep(RECONNECT_DELAY)
            finally:
                with contextlib.suppress(RedisError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _deliver(self, message: dict[str, Any]) -> None:
        if message.get("type") != "message" or self._handler is None:
            return
        try:
            node, publication = decode(message["data"])
        except (ValueError, TypeError, KeyError):
            log.warning("dropped a malformed publication")
            return
        if node == self.node_id:
            return  # delivered locally when published
        try:
            await self._handler(publication)
        except Exception:
            log.exception("delivering a publication failed")


# A user's sockets on every live node. KEYS: nodes zset. ARGV: user, oldest live score,
# node hash prefix.
_TOTAL = """
local total = 0
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], '+inf')) do
  total = total + tonumber(redis.call('HGET', ARGV[3] .. node, ARGV[1]) or '0')
end
return total
"""

_CONNECT = (
    """
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[6])
"""
    + _TOTAL
)

_DISCONNECT = (
    """
if tonumber(redis.call('HINCRBY', KEYS[2], ARGV[1], -1)) <= 0 then
  redis.call('HDEL', KEYS[2], ARGV[1])
end
"""
    + _TOTAL
)

# Users online on any live node. KEYS: nodes zset. ARGV: oldest live score, hash prefix.
_ONLINE = """
local users = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')) do
  for _, user in ipairs(redis.call('HKEYS', ARGV[2] .. node)) do users[user] = true end
end
local out = {}
for user, _ in pairs(users) do out[#out + 1] = user end
return out
"""


class RedisPresence:
    """Presence shared by every node.

    ``liveness`` seconds without a heartbeat make a node dead; its hash is kept longer
    (ten times ``liveness``) so the node that sweeps it can still tell whose sockets it held.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        node_id: str,
        prefix: str = "hubbub",
        liveness: float = 30.0,
        heartbeat: float = 5.0,
    ) -> None:
        self._redis = client
        self.node_id = node_id
        self._nodes = f"{prefix}:presence:nodes"
        self._node_prefix = f"{prefix}:presence:node:"
        self._liveness = liveness
        self._heartbeat_every = heartbeat
        self._hash = self._node_prefix + node_id
        self._connect = client.register_script(_CONNECT)
        self._disconnect = client.register_script(_DISCONNECT)
        self._total = client.register_script(_TOTAL)
        self._online = client.register_script(_ONLINE)
        self._on_gone: Callable[[list[int]], Awaitable[None]] | None = None
        self._beat_task: asyncio.Task[None] | None = None
        # This node's sockets, the truth its Redis hash is rewritten from on every beat:
        # so a Redis restart, or a disconnect Redis never heard of, heals within a beat.
        self._local: dict[int, set[str]] = {}

    def on_users_gone(self, callback: Callable[[list[int]], Awaitable[None]]) -> None:
        """Called with the users a dead node's sweep left offline everywhere."""
        self._on_gone = callback

    async def start(self) -> None:
        await self._beat()
        self._beat_task = asyncio.get_running_loop().create_task(self._beat_forever())

    async def close(self) -> None:
        if self._beat_task is not None:
            self._beat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._beat_task
        with contextlib.suppress(RedisError):
            await self._redis.zrem(self._nodes, self.node_id)
            await self._redis.delete(self._hash)

    def _oldest_live(self) -> float:
        return time.time() - self._liveness

    async def socket_connected(self, *, user_id: int, sid: str) -> bool:
        self._local.setdefault(user_id, set()).add(sid)
        total = await self._connect(
            keys=[self._nodes, self._hash],
            args=[
                user_id,
                self._oldest_live(),
                self._node_prefix,
                time.time(),
                self._hash_ttl,
                self.node_id,
            ],
        )
        return int(total) == 1

    async def socket_disconnected(self, *, user_id: int, sid: str) -> bool:
        sockets = self._local.get(user_id)
        if sockets is None or sid not in sockets:
            return False  # never counted (or already gone): nothing to take back
        sockets.discard(sid)
        if not sockets:
            del self._local[user_id]
        total = await self._disconnect(
            keys=[self._nodes, self._hash], args=[user_id, self._oldest_live(), self._node_prefix]
        )
        return int(total) == 0

    async def online_user_ids(self) -> set[int]:
        users = await self._online(
            keys=[self._nodes], args=[self._oldest_live(), self._node_prefix]
        )
        return {int(u) for u in users}

    async def which_online(self, user_ids: list[int]) -> set[int]:
        if not user_ids:
            return set()
        online = await self.online_user_ids()
        return {u for u in user_ids if u in online}

    @property
    def _hash_ttl(self) -> int:
        return int(self._liveness * 10)

    async def _beat(self) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self._nodes, {self.node_id: time.time()})
            pipe.delete(self._hash)
            if self._local:
                pipe.hset(
                    self._hash, mapping={user: len(sids) for user, sids in self._local.items()}
                )
            pipe.expire(self._hash, self._hash_ttl)
            await pipe.execute()

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_every)
            try:
                await self._beat()
                await self.sweep()
            except Exception:  # never let one bad beat stop the heartbeat for good
                log.warning("presence heartbeat failed", exc_info=True)

    async def sweep(self) -> list[int]:
        """Retire nodes that stopped beating; return (and announce) users now offline."""
        gone: list[int] = []
        dead = await self._redis.zrangebyscore(self._nodes, "-inf", self._oldest_live())
        for raw in dead:
            node = raw.decode() if isinstance(raw, bytes) else str(raw)
            if not await self._redis.zrem(self._nodes, node):
                continue  # another node claimed this sweep
            users = await self._redis.hkeys(self._node_prefix + node)
            await self._redis.delete(self._node_prefix + node)
            for user in users:
                total = await self._total(
                    keys=[self._nodes], args=[int(user), self._oldest_live(), self._node_prefix]
                )
                if int(total) == 0:
                    gone.append(int(user))
        if gone and self._on_gone is not None:
            await self._on_gone(gone)
        return gone


def connect(url: str) -> aioredis.Redis:
    # Explicit timeouts: a frozen Redis must fail a call in seconds, never hang it.
    return aioredis.from_url(
        url,
        health_check_interval=15,
        socket_keepalive=True,
        socket_timeout=5,
        socket_connect_timeout=5,
    )
