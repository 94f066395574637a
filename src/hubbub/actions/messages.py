"""Sending, history and catch-up (``sync``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hubbub.actions.rooms import member_room, readable_room
from hubbub.errors import BadRequest, HubbubError, TooLarge
from hubbub.fanout.base import Emit
from hubbub.hub import Hub
from hubbub.schemas import message_wire
from hubbub.security import TokenUser
from hubbub.store.base import MessagePage, MessageRecord, NewMessage, UserRecord, utc_now

SYNC_LIMIT = 500  # per room (PROTOCOL.md)
SYNC_TOTAL = 1000  # in one reply, whatever the number of rooms (PROTOCOL v2)


async def send_message(
    hub: Hub, user: TokenUser, *, room: str, text: str, client_id: str | None
) -> MessageRecord:
    """Store, then (only if this call stored it) publish; the caller acks after this."""
    text = text.strip()
    if not text:
        raise BadRequest("text is empty")
    if len(text) > hub.settings.max_message_chars:
        raise TooLarge(f"text is longer than {hub.settings.max_message_chars} characters")
    target = await member_room(hub, user, room)
    stored = await hub.store.store_message(
        NewMessage(
            room=target,
            user=UserRecord(id=user.id, username=user.username),
            text=text,
            client_id=client_id,
            created_at=utc_now(),
        )
    )
    if stored.created:
        await hub.broker.publish(
            Emit(
                event="receiveMessage",
                data=message_wire(stored.message),
                to="room",
                key=target.name,
            )
        )
    return stored.message


async def history(
    hub: Hub,
    user: TokenUser,
    room: str,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> MessagePage:
    if before is not None and after is not None:
        raise BadRequest("give either before or after, not both")
    target = await readable_room(hub, user, room)
    if after is not None:
        return await hub.store.messages_after(room=target, after=after, limit=limit)
    return await hub.store.messages_before(room=target, before=before, limit=limit)


@dataclass(slots=True)
class SyncResult:
    messages: dict[str, list[MessageRecord]] = field(default_factory=dict)
    has_more: dict[str, bool] = field(default_factory=dict)
    errors: dict[str, HubbubError] = field(default_factory=dict)


async def sync(hub: Hub, user: TokenUser, last_seen: dict[str, int]) -> SyncResult:
    """Everything after each room's last seen seq, from the store (so it survives any
    node's death), ascending: at most ``SYNC_LIMIT`` per room and ``SYNC_TOTAL`` in all,
    so one request cannot make a reply of unbounded size (``has_more`` says where to go
    on). A room the user can no longer read is reported in ``errors`` rather than failing
    the other rooms."""
    result = SyncResult()
    budget = SYNC_TOTAL
    for name, seq in last_seen.items():
        try:
            target = await readable_room(hub, user, name)
        except HubbubError as exc:
            result.errors[name] = exc
            continue
        if budget <= 0 or target.last_seq <= seq:
            result.messages[name] = []
            result.has_more[name] = target.last_seq > seq
            continue
        page = await hub.store.messages_after(room=target, after=seq, limit=min(SYNC_LIMIT, budget))
        budget -= len(page.messages)
        result.messages[name] = page.messages
        result.has_more[name] = page.has_more
    return result
