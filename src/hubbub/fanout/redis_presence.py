"""Presence on Redis, shared by every node, with an expiry contract.

Each node keeps its own sockets per user in memory — the truth — and mirrors the counts
into its hash ``<prefix>:presence:node:<node>``. Scripts write absolute counts (never
increments), and a heartbeat rewrites the whole hash, so whatever Redis lost or missed
heals within one beat. Whether a user came online or went offline is decided from this
node's own count before/after plus the other live nodes' counts. Liveness is judged by
Redis's clock (``TIME``), not the nodes', so a node with a skewed clock is not swept.
A node silent for ``liveness`` seconds is swept by another, which announces its users
offline unless they are still connected elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# Shared Lua prelude. KEYS[1]: the nodes zset. ARGV[1]: liveness seconds, ARGV[2]: the
# node-hash prefix. Defines now, oldest (the oldest live heartbeat) and count_elsewhere.
_PRELUDE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local oldest = now - tonumber(ARGV[1])
local function count_elsewhere(user, except_node)
  local total = 0
  for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], oldest, '+inf')) do
    if node ~= except_node then
      total = total + tonumber(redis.call('HGET', ARGV[2] .. node, user) or '0')
    end
  end
  return total
end
"""

# Set this node's count for a user; answer the user's sockets on other live nodes.
# KEYS[2]: this node's hash. ARGV[3]: node id, ARGV[4]: user, ARGV[5]: count, ARGV[6]: ttl.
_SET_COUNT = (
    _PRELUDE
    + """
if tonumber(ARGV[5]) > 0 then
  redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
else
  redis.call('HDEL', KEYS[2], ARGV[4])
end
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('ZADD', KEYS[1], now, ARGV[3])
return count_elsewhere(ARGV[4], ARGV[3])
"""
)

# Heartbeat: refresh the node and rewrite its hash. ARGV[3]: node id, ARGV[4]: ttl,
# then user, count pairs.
_BEAT = (
    _PRELUDE
    + """
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('DEL', KEYS[2])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""
)

# Users online on any live node.
_ONLINE = (
    _PRELUDE
    + """
local users = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], oldest, '+inf')) do
  for _, user in ipairs(redis.call('HKEYS', ARGV[2] .. node)) do users[user] = true end
end
local out = {}
for user, _ in pairs(users) do out[#out + 1] = user end
return out
"""
)

# A user's sockets on the other live nodes. ARGV[3]: user, ARGV[4]: this node's id.
_ELSEWHERE = _PRELUDE + "return count_elsewhere(ARGV[3], ARGV[4])"

# Claim one dead node (only one sweeper wins it) and answer its users now offline
# everywhere; an empty answer when there is none to claim.
_SWEEP_ONE = (
    _PRELUDE
    + """
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. oldest, 'LIMIT', 0, 1)
if #dead == 0 then return {} end
local node = dead[1]
redis.call('ZREM', KEYS[1], node)
local gone = {}
for _, user in ipairs(redis.call('HKEYS', ARGV[2] .. node)) do
  if count_elsewhere(user, node) == 0 then gone[#gone + 1] = user end
end
redis.call('DEL', ARGV[2] .. node)
return {node, gone}
"""
)


class RedisPresence:
    """``liveness`` seconds without a heartbeat make a node dead; its hash is kept ten
    times longer so the node that sweeps it can still tell whose sockets it held."""

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
        self._hash = self._node_prefix + node_id
        self._liveness = liveness
        self._heartbeat_every = heartbeat
        self._set_count = client.register_script(_SET_COUNT)
        self._beat_script = client.register_script(_BEAT)
        self._online = client.register_script(_ONLINE)
        self._elsewhere = client.register_script(_ELSEWHERE)
        self._sweep_one = client.register_script(_SWEEP_ONE)
        self._on_gone: Callable[[list[int]], Awaitable[None]] | None = None
        self._beat_task: asyncio.Task[None] | None = None
        self._local: dict[int, set[str]] = {}  # this node's sockets per user: the truth

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

    @property
    def _ttl(self) -> int:
        return max(1, int(self._liveness * 10))

    def _common(self) -> list[str | int | float]:
        return [self._liveness, self._node_prefix]

    async def _mirror(self, user_id: int) -> int:
        """Write this node's count for the user; return their sockets on other nodes."""
        count = len(self._local.get(user_id, ()))
        elsewhere = await self._set_count(
            keys=[self._nodes, self._hash],
            args=[*self._common(), self.node_id, user_id, count, self._ttl],
        )
        return int(elsewhere)

    async def socket_connected(self, *, user_id: int, sid: str) -> bool:
        sockets = self._local.setdefault(user_id, set())
        first_here = not sockets
        sockets.add(sid)
        elsewhere = await self._mirror(user_id)
        return first_here and elsewhere == 0

    async def socket_disconnected(self, *, user_id: int, sid: str) -> bool:
        sockets = self._local.get(user_id)
        if sockets is None or sid not in sockets:
            return False  # never counted (or already gone): nothing to take back
        sockets.discard(sid)
        if not sockets:
            del self._local[user_id]
        elsewhere = await self._mirror(user_id)
        return user_id not in self._local and elsewhere == 0

    async def online_user_ids(self) -> set[int]:
        users = await self._online(keys=[self._nodes], args=self._common())
        return {int(u) for u in users}

    async def which_online(self, user_ids: list[int]) -> set[int]:
        if not user_ids:
            return set()
        online = await self.online_user_ids()
        return {u for u in user_ids if u in online}

    async def sockets_of(self, *, user_id: int) -> int:
        elsewhere = await self._elsewhere(
            keys=[self._nodes], args=[*self._common(), user_id, self.node_id]
        )
        return len(self._local.get(user_id, ())) + int(elsewhere)

    async def _beat(self) -> None:
        pairs: list[str | int | float] = []
        for user, sids in self._local.items():
            pairs += [user, len(sids)]
        await self._beat_script(
            keys=[self._nodes, self._hash],
            args=[*self._common(), self.node_id, self._ttl, *pairs],
        )

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
        while True:
            claimed = await self._sweep_one(keys=[self._nodes], args=self._common())
            if not claimed:
                break
            gone += [int(user) for user in claimed[1]]
        if gone and self._on_gone is not None:
            await self._on_gone(gone)
        return gone
