"""The broker contract on Redis: every node's handler gets each publication once, in order;
a node gets its own at once and never its echo."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from hubbub.fanout.base import Emit, MembershipChange, Publication
from hubbub.fanout.memory import MemoryBroker
from hubbub.fanout.redis import RedisBroker


def recorder() -> tuple[list[Publication], Callable[[Publication], Awaitable[None]]]:
    seen: list[Publication] = []

    async def handle(publication: Publication) -> None:
        seen.append(publication)

    return seen, handle


async def wait_until(condition: Callable[[], bool], timeout: float = 5) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


PUBLICATIONS: list[Publication] = [
    Emit(event="receiveMessage", data={"seq": n, "text": f"m{n}"}, to="room", key="lobby")
    for n in range(1, 51)
] + [
    MembershipChange(user_id=3, room="lobby", joined=True),
    Emit(event="typing", data={"room": "lobby"}, to="room", key="lobby", skip_user=3),
    Emit(event="userStatus", data={"status": "online"}, to="all"),
]


async def test_memory_broker_delivers_in_order() -> None:
    broker = MemoryBroker()
    seen, handle = recorder()
    broker.subscribe(handle)
    await broker.start()
    for publication in PUBLICATIONS:
        await broker.publish(publication)
    assert seen == PUBLICATIONS


async def test_redis_broker_reaches_every_node_once_in_order(
    redis_brokers: Callable[[], Awaitable[RedisBroker]],
) -> None:
    nodes = [await redis_brokers() for _ in range(3)]
    seen = []
    for node in nodes:
        log, handle = recorder()
        node.subscribe(handle)
        seen.append(log)
        await node.start()
    for publication in PUBLICATIONS:
        await nodes[0].publish(publication)
    assert seen[0] == PUBLICATIONS  # the publisher's own node: at once, no echo later
    await wait_until(lambda: all(len(log) >= len(PUBLICATIONS) for log in seen[1:]))
    await asyncio.sleep(0.2)
    for log in seen:
        assert log == PUBLICATIONS
