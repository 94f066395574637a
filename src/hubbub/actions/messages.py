"""Sending and reading messages: send (with replies and mentions), history pages,
the page around one message, and a message's replies."""

from __future__ import annotations

from hubbub import mentions, metrics
from hubbub.actions.publish import publish_updates
from hubbub.actions.refusals import raise_refused
from hubbub.actions.rooms import member_access, readable_room
from hubbub.errors import BadRequest, NotFound, TooLarge
from hubbub.fanout.base import Emit
from hubbub.hub import Hub
from hubbub.schemas import message_wire
from hubbub.security import TokenUser
from hubbub.store.base import (
    MessagePage,
    MessageRecord,
    NewMessage,
    Refused,
    RoomRecord,
    utc_now,
)


def clean_text(hub: Hub, text: str) -> str:
    """What a send or an edit stores: trimmed, not empty, not too long."""
    text = text.strip()
    if not text:
        raise BadRequest("text is empty")
    if len(text) > hub.settings.max_message_chars:
        raise TooLarge(f"text is longer than {hub.settings.max_message_chars} characters")
    return text


async def mentioned(hub: Hub, room: RoomRecord, text: str, *, sender_id: int) -> tuple[int, ...]:
    """The members ``text`` mentions (``@username``, ``@room``); no read without an ``@``."""
    named = mentions.named_in(text)
    if not named.usernames:
        return ()
    ids = await hub.store.mention_targets(
        room_id=room.id,
        usernames=list(named.usernames),
        everyone=named.everyone,
        sender_id=sender_id,
    )
    return tuple(ids)


async def send_message(
    hub: Hub,
    user: TokenUser,
    *,
    room: str,
    text: str,
    client_id: str | None,
    reply_to: int | None = None,
    attachments: tuple[int, ...] = (),
) -> MessageRecord:
    """Store, then (only if this call stored it) publish; the caller acks after this.
    A message of attachments alone may have no text."""
    text = text.strip() if attachments and not text.strip() else clean_text(hub, text)
    access = await member_access(hub, user, room)
    target = access.room
    if reply_to is not None and not 1 <= reply_to <= target.last_seq:
        # Messages are never removed (a delete leaves a tombstone), so every seq up to
        # the room's last is a message of this room.
        raise NotFound(f"no message {reply_to} in room {room!r} to reply to")
    stored = await hub.store.store_message(
        NewMessage(
            room=target,
            user=access.user,
            text=text,
            client_id=client_id,
            created_at=utc_now(),
            reply_to=reply_to,
            mentions=await mentioned(hub, target, text, sender_id=user.id),
            attachments=attachments,
        )
    )
    if isinstance(stored, Refused):
        raise_refused(stored)
    if stored.created:
        metrics.MESSAGES_STORED.inc()
        await hub.broker.publish(
            Emit(
                event="receiveMessage",
                data=message_wire(stored.message),
                to="room",
                key=target.name,
            )
        )
        await publish_updates(hub, stored.updated)
    return stored.message


async def history(
    hub: Hub,
    user: TokenUser,
    room: str,
    *,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
    limit: int = 50,
) -> MessagePage:
    if sum(cursor is not None for cursor in (before, after, around)) > 1:
        raise BadRequest("give one of before, after and around")
    target = await readable_room(hub, user, room)
    if after is not None:
        return await hub.store.messages_after(room=target, after=after, limit=limit)
    if around is not None:
        return await page_around(hub, target, around, limit)
    return await hub.store.messages_before(room=target, before=before, limit=limit)


async def page_around(hub: Hub, room: RoomRecord, seq: int, limit: int) -> MessagePage:
    """The page centred on ``seq`` (for jumping to a search hit or a replied-to message):
    ``limit // 2`` older messages, then ``seq`` and the newer ones. ``has_more`` says
    whether older messages remain, as on every page read backwards; a client that wants
    newer ones pages on with ``after``."""
    older = await hub.store.messages_before(room=room, before=seq, limit=max(1, limit // 2))
    newer = await hub.store.messages_after(
        room=room, after=seq - 1, limit=limit - len(older.messages)
    )
    return MessagePage(older.messages + newer.messages, older.has_more)


async def replies(
    hub: Hub, user: TokenUser, room: str, seq: int, *, after: int, limit: int
) -> MessagePage:
    target = await readable_room(hub, user, room)
    if not 1 <= seq <= target.last_seq:
        raise NotFound(f"no message {seq} in room {room!r}")
    return await hub.store.replies(room=target, seq=seq, after=after, limit=limit)
