"""One presence contract, in memory and on Redis; several nodes only exist on Redis."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from hubbub.fanout.base import Presence
from tests.fanout.conftest import MakeNode


async def test_first_and_last_socket_decide(presence: Presence) -> None:
    node = presence
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
    assert await node.sockets_of(user_id=1) == 0 and await node.sockets_of(user_id=2) == 1
    # A socket never counted (or counted out twice) changes nothing.
    assert await node.socket_disconnected(user_id=2, sid="zzz") is False
    assert await node.socket_disconnected(user_id=1, sid="b") is False
    assert await node.online_user_ids() == {2}


async def test_a_user_on_two_nodes_is_one_presence(redis_nodes: MakeNode) -> None:
    one, two = await redis_nodes(), await redis_nodes()
    assert await one.socket_connected(user_id=7, sid="x") is True
    assert await two.socket_connected(user_id=7, sid="y") is False
    assert await two.online_user_ids() == {7}
    assert await one.sockets_of(user_id=7) == 2 and await two.sockets_of(user_id=7) == 2
    assert await one.socket_disconnected(user_id=7, sid="x") is False
    assert await two.socket_disconnected(user_id=7, sid="y") is True
    assert await one.online_user_ids() == set()


async def test_a_dead_nodes_users_are_swept_offline(redis_nodes: MakeNode) -> None:
    live = await redis_nodes(liveness=1.0, heartbeat=60.0)
    doomed = await redis_nodes(liveness=1.0, heartbeat=60.0)
    gone: list[list[int]] = []

    async def record(users: list[int]) -> None:
        gone.append(sorted(users))

    live.on_users_gone(record)
    await doomed.socket_connected(user_id=10, sid="a")  # only on the doomed node
    await doomed.socket_connected(user_id=11, sid="b")  # also on the live node
    await live.socket_connected(user_id=11, sid="c")
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


async def test_a_node_heals_its_presence_after_redis_lost_it(
    redis_nodes: MakeNode, redis_client: aioredis.Redis, prefix: str
) -> None:
    node = await redis_nodes(heartbeat=0.2)
    await node.socket_connected(user_id=5, sid="s1")
    await node.socket_connected(user_id=6, sid="s2")
    await redis_client.delete(f"{prefix}:presence:node:{node.node_id}", f"{prefix}:presence:nodes")
    assert await node.online_user_ids() == set()  # what a restarted, empty Redis says
    await asyncio.sleep(0.5)  # a heartbeat rewrites the node's sockets
    assert await node.online_user_ids() == {5, 6}
