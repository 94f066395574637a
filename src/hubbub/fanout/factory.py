"""Build the broker and presence the settings ask for: in memory, or shared through Redis."""

from __future__ import annotations

from dataclasses import dataclass

from hubbub.config import Settings
from hubbub.fanout.base import Broker, Presence
from hubbub.fanout.memory import MemoryBroker, MemoryPresence


@dataclass(slots=True)
class Fanout:
    broker: Broker
    presence: Presence
    node_id: str

    async def close(self) -> None:
        await self.presence.close()
        await self.broker.close()


def build_fanout(settings: Settings) -> Fanout:
    if not settings.redis_url:
        return Fanout(MemoryBroker(), MemoryPresence(), node_id="local")
    from hubbub.fanout.redis import RedisBroker, connect, new_node_id
    from hubbub.fanout.redis_presence import RedisPresence

    client = connect(settings.redis_url)
    node_id = new_node_id()
    prefix = settings.redis_prefix
    return Fanout(
        RedisBroker(client, node_id=node_id, prefix=prefix),
        RedisPresence(
            client,
            node_id=node_id,
            prefix=prefix,
            liveness=settings.presence_liveness,
            heartbeat=min(5.0, settings.presence_liveness / 3),
        ),
        node_id=node_id,
    )
