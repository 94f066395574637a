"""The broker contract, run over both brokers (built by one factory, like the store's):
every node's handler gets each publication once, in publish order; the publishing node
gets its own at once and never its echo; and a failure never reaches the publisher — a
handler that raises or a Redis that is gone loses nothing that was committed and raises
nothing into the send that published it (PROTOCOL: a stored message is acked)."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
import pytest_asyncio
import redis.asyncio as aioredis

from hubbub.fanout.base import Broker, Emit, MembershipChange, Publication, Resync
from hubbub.fanout.memory import MemoryBroker
from hubbub.fanout.redis import RedisBroker, connect
from tests.fanout.conftest import require_redis

Recorder = tuple[list[Publication], Callable[[Publication], Awaitable[None]]]


@dataclass
class Bus:
    """Nodes on one bus: ``await bus.node()`` makes one more (at most ``max_nodes``)."""

    node: Callable[[], Awaitable[Broker]]
    max_nodes: int


def recorder(fail_on: Callable[[Publication], bool] = lambda p: False) -> Recorder:
    """A handler that records what it gets (and raises, after recording, where told)."""
    seen: list[Publication] = []

    async def handle(publication: Publication) -> None:
        seen.append(publication)
        if fail_on(publication):
            raise RuntimeError("a socket write blew up")

    return seen, handle


async def wait_until(condition: Callable[[], bool], timeout: float = 5) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


PUBLICATIONS: list[Publication] = [
    *(
        Emit(event="receiveMessage", data={"seq": n, "text": f"m{n}"}, to="room", key="lobby")
        for n in range(1, 51)
    ),
    MembershipChange(user_id=3, room="lobby", joined=True),
    Emit(event="typing", data={"room": "lobby"}, to="room", key="lobby", skip_user=3),
    Emit(event="userStatus", data={"status": "online"}, to="all"),
]


@pytest_asyncio.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    """The memory broker is one node; on Redis (own key prefix) there are as many as asked."""
    made: list[Broker] = []
    client: aioredis.Redis | None = None
    prefix = f"hubbub-test-{secrets.token_hex(4)}"
    if request.param == "redis":
        client = await require_redis()

    async def node() -> Broker:
        broker: Broker
        if client is None:
            assert not made, "the memory broker is one node"
            broker = MemoryBroker()
        else:
            broker = RedisBroker(client, node_id=secrets.token_hex(4), prefix=prefix)
        made.append(broker)
        return broker

    yield Bus(node, max_nodes=1 if client is None else 3)
    for broker in made:
        await broker.close()
    if client is not None:
        await client.aclose()


async def started(bus: Bus, handler: Recorder) -> Broker:
    node = await bus.node()
    node.subscribe(handler[1])
    await node.start()
    return node


async def test_the_publisher_gets_each_publication_at_once_in_order(bus: Bus) -> None:
    mine = recorder()
    node = await started(bus, mine)
    for publication in PUBLICATIONS:
        await node.publish(publication)
        assert mine[0][-1] == publication  # before publish returned: no wait on a bus
    await asyncio.sleep(0.2)  # no echo comes back later
    assert mine[0] == PUBLICATIONS


async def test_every_node_gets_each_publication_once_in_order(bus: Bus) -> None:
    logs = [recorder() for _ in range(bus.max_nodes)]
    nodes = [await started(bus, log) for log in logs]
    for publication in PUBLICATIONS:
        await nodes[0].publish(publication)
    await wait_until(lambda: all(len(log[0]) >= len(PUBLICATIONS) for log in logs))
    await asyncio.sleep(0.2)
    for seen, _ in logs:
        assert seen == PUBLICATIONS


async def test_a_failing_handler_neither_raises_into_the_publisher_nor_stops_delivery(
    bus: Bus, caplog: pytest.LogCaptureFixture
) -> None:
    broken = recorder(fail_on=lambda p: isinstance(p, Emit) and p.data.get("seq") == 3)
    node = await started(bus, broken)
    with caplog.at_level(logging.ERROR, logger="hubbub.fanout.base"):
        for publication in PUBLICATIONS:
            await node.publish(publication)  # the seq-3 delivery raises inside: not here
    assert broken[0] == PUBLICATIONS  # the ones after it were delivered too
    assert any("delivering a Emit on this node failed" in r.message for r in caplog.records)

    if bus.max_nodes == 1:
        return  # in memory there is no other node to reach
    other = recorder()
    await started(bus, other)
    await node.publish(PUBLICATIONS[2])
    await wait_until(lambda: other[0] == [PUBLICATIONS[2]])  # the bus still carried it


async def test_an_unreachable_redis_loses_nothing_here_and_resyncs_when_back() -> None:
    """Redis down while a node publishes: publish returns (the sender is acked), the node's
    own sockets get the publication, and when Redis answers again every node is told to
    re-read its rooms (``Resync``), since the others missed what went out meanwhile."""
    live = await require_redis()
    prefix = f"hubbub-test-{secrets.token_hex(4)}"
    dead = connect("redis://127.0.0.1:1")  # nothing listens on port 1
    publisher = RedisBroker(dead, node_id="publisher", prefix=prefix)
    mine = recorder()
    publisher.subscribe(mine[1])  # not started: its subscription would need Redis
    watcher = RedisBroker(live, node_id="watcher", prefix=prefix)
    theirs = recorder()
    watcher.subscribe(theirs[1])
    await watcher.start()
    try:
        await asyncio.wait_for(publisher.publish(PUBLICATIONS[0]), 5)
        assert mine[0] == [PUBLICATIONS[0]]
        await asyncio.sleep(0.2)
        assert theirs[0] == []  # lost to the others: owed a Resync

        publisher._redis = live  # Redis is back (the client would reconnect by itself)
        await publisher.publish(PUBLICATIONS[1])
        await wait_until(lambda: any(isinstance(p, Resync) for p in theirs[0]))
        assert PUBLICATIONS[1] in theirs[0]
    finally:
        await watcher.close()
        await dead.aclose()
        await live.aclose()
