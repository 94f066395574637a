"""Publishing a changed message to its room (after the commit that changed it)."""

from __future__ import annotations

from collections.abc import Iterable

from hubbub.fanout.base import Emit
from hubbub.hub import Hub
from hubbub.schemas import message_wire
from hubbub.store.base import MessageRecord


async def publish_updates(hub: Hub, updated: Iterable[MessageRecord]) -> None:
    """``messageUpdated`` with the whole message, to the same audience as
    ``receiveMessage``, one per rev in rev order."""
    for message in updated:
        await hub.broker.publish(
            Emit(
                event="messageUpdated",
                data=message_wire(message),
                to="room",
                key=message.room,
            )
        )
