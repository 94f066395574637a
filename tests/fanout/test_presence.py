"""One presence contract, in memory and on Redis; node death only matters on Redis."""

from __future__ import annotations

import asyncio

from hubbub.fanout.redis import RedisPresence
from tests.fanout.conftest import MakePresence


async def test_first_and_last_socket_decide(make_presence: MakePresence) -> None:
    node = await make_presence()
    assert await node.socket_connected(user_id=1, sid="a") is True
    assert await node.socket_connected(user_id=1, sid="b") is False  # second tab
    assert await node.socket_connected(user_id=2, sid="c") is True
    assert await node.online_user_ids() == {1, 2}
    assert await node.which_online([1, 2, 3]) == {1, 2}
    assert await node.socket_disconnected(user_id=1, sid="a") is False
    assert await node.online_user_ids() == {1, 2}
    assert await node.socket_disconnected(user_id=1, sid="b") is True
    assert await node.online_user_ids() == {2}
    assert await node.which_online([]) == set()


async def test_a_user_on_two_nodes_is_one_presence(make_presence: MakePresence) -> None:
    one = await make_presence()
    two = await make_presence()  # skips for memory: it is one node by design
    assert await one.socket_connected(user_id=7, sid="x") is True
    assert await two.socket_connected(user_id=7, sid="y") is False
    assert await two.online_user_ids() == {7}
    assert await one.socket_disconnected(user_id=7, sid="x") is False
    assert await two.socket_disconnected(user_id=7, sid="y") is True
    assert await one.online_user_ids() == set()


async def test_a_dead_nodes_users_are_swept_offline(make_presence: MakePresence) -> None:
    live = await make_presence(liveness=1.0, heartbeat=60.0)
    doomed = await make_presence(liveness=1.0, heartbeat=60.0)
    assert isinstance(live, RedisPresence) and isinstance(doomed, RedisPresence)
    gone: list[list[int]] = []

    async def record(users: list[int]) -> None:
        gone.append(sorted(users))

    live.on_users_gone(record)
    await doomed.socket_connected(user_id=10, sid="a")  # only on the doomed node
    await doomed.socket_connected(user_id=11, sid="b")  # also on the live node
    await live.socket_connected(user_id=11, sid="c")
    await asyncio.sleep(0.2)
    assert await live.online_user_ids() == {10, 11}
    await live.sweep()
    assert gone == []  # nobody is dead yet

    # The doomed node stops beating (its heartbeat task would have refreshed it).
    await asyncio.sleep(1.3)
    await live._beat()  # the live node still beats
    assert await live.online_user_ids() == {11}  # already not counted
    assert await live.sweep() == [10]
    assert gone == [[10]]
    assert await live.sweep() == []  # swept once
