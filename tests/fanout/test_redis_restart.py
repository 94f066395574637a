"""After Redis restarts, Hubbub's clients work at once: every idle pooled connection fails
its next command once ("Connection closed by server"), and without a retry that lost
presence changes and publications long after Redis was back."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from hubbub.fanout.redis import connect
from tests.chaos.services import RedisServer
from tests.support import IN_CI


async def test_pooled_connections_survive_a_redis_restart(tmp_path: Path) -> None:
    executable = shutil.which("redis-server")
    if executable is None:
        if IN_CI:
            pytest.fail("redis-server not found (CI=true: this test must run)")
        pytest.skip("redis-server not found")
    server = RedisServer(executable, tmp_path / "redis.log")
    await asyncio.to_thread(server.start)
    client = connect(server.url)
    try:
        # Fill the pool with idle connections, then restart Redis under them.
        await asyncio.gather(*(client.publish("c", "x") for _ in range(20)))
        await asyncio.to_thread(server.stop, kill=True)
        await asyncio.to_thread(server.start)
        results = await asyncio.gather(
            *(client.publish("c", "x") for _ in range(20)), return_exceptions=True
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        assert failures == []
        assert await client.ping()
    finally:
        await client.aclose()
        await asyncio.to_thread(server.stop)
