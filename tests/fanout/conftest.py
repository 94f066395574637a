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
from hubbub.fanout.redis import RedisBroker, RedisPresence
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


MakePresence = Callable[..., Awaitable[Presence]]


@pytest_asyncio.fixture(params=["memory", "redis"])
async def make_presence(request: pytest.FixtureRequest, prefix: str) -> AsyncIterator[MakePresence]:
    """``await make_presence()`` is one node's presence; with Redis, nodes share state."""
    made: list[Presence] = []
    client: aioredis.Redis | None = None
    if request.param == "redis":
        client = await require_redis()

    async def make(**options: float) -> Presence:
        presence: Presence
        if client is None:
            if made:
                pytest.skip("in-memory presence is one node")
            presence = MemoryPresence()
        else:
            presence = RedisPresence(client, node_id=secrets.token_hex(4), prefix=prefix, **options)
        await presence.start()
        made.append(presence)
        return presence

    yield make
    for presence in made:
        await presence.close()
    if client is not None:
        await client.aclose()


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
