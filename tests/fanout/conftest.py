"""Fan-out backends under test: in memory, and a real Redis (its own key prefix per test)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from hubbub.fanout.base import Presence
from hubbub.fanout.memory import MemoryPresence
from hubbub.fanout.redis import RedisBroker
from hubbub.fanout.redis_presence import RedisPresence
from tests.support import IN_CI, REDIS_URL


async def require_redis() -> aioredis.Redis:
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (RedisError, OSError):
        await client.aclose()
        message = f"Redis is not reachable at {REDIS_URL}"
        if IN_CI:
            pytest.fail(message + " (CI=true: Redis tests must run)")
        pytest.skip(message)
    return client


@pytest_asyncio.fixture
async def redis_client() -> AsyncIterator[aioredis.Redis]:
    client = await require_redis()
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"hubbub-test-{secrets.token_hex(4)}"


MakeNode = Callable[..., Awaitable[RedisPresence]]


@pytest_asyncio.fixture(params=["memory", "redis"])
async def presence(request: pytest.FixtureRequest, prefix: str) -> AsyncIterator[Presence]:
    """One node's presence, in memory or on Redis: the single-node contract."""
    client: aioredis.Redis | None = None
    node: Presence
    if request.param == "redis":
        client = await require_redis()
        node = RedisPresence(client, node_id=secrets.token_hex(4), prefix=prefix)
    else:
        node = MemoryPresence()
    await node.start()
    yield node
    await node.close()
    if client is not None:
        await client.aclose()


@pytest_asyncio.fixture
async def redis_nodes(redis_client: aioredis.Redis, prefix: str) -> AsyncIterator[MakeNode]:
    """``await redis_nodes(**options)``: another node's presence on the same Redis."""
    made: list[RedisPresence] = []

    async def make(**options: float) -> RedisPresence:
        node = RedisPresence(redis_client, node_id=secrets.token_hex(4), prefix=prefix, **options)
        await node.start()
        made.append(node)
        return node

    yield make
    for node in made:
        await node.close()


@pytest_asyncio.fixture
async def redis_brokers(
    redis_client: aioredis.Redis, prefix: str
) -> AsyncIterator[Callable[[], Awaitable[RedisBroker]]]:
    made: list[RedisBroker] = []

    async def make() -> RedisBroker:
        broker = RedisBroker(redis_client, node_id=secrets.token_hex(4), prefix=prefix)
        made.append(broker)
        return broker

    yield make
    for broker in made:
        await broker.close()
