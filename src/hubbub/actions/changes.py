"""Edits, deletes and reactions: a permission check (``policy``), one change through the
store's group-commit writer, then ``messageUpdated`` after it committed."""

from __future__ import annotations

from hubbub import policy
from hubbub.actions.messages import clean_text, mentioned
from hubbub.actions.publish import publish_updates
from hubbub.actions.refusals import raise_refused
from hubbub.actions.rooms import member_access, room_access
from hubbub.errors import BadRequest, NotFound
from hubbub.hub import Hub
from hubbub.reactions import canonical_reaction
from hubbub.security import TokenUser
from hubbub.store.base import (
    ChangeKind,
    MessageChange,
    MessageRecord,
    Refused,
    RoomRecord,
    utc_now,
)


async def _message(hub: Hub, room: RoomRecord, seq: int) -> MessageRecord:
    found = await hub.store.get_message(room=room, seq=seq) if seq >= 1 else None
    if found is None:
        raise NotFound(f"no message {seq} in room {room.name!r}")
    return found


async def _change(hub: Hub, change: MessageChange) -> MessageRecord:
    outcome = await hub.store.change_message(change)
    if isinstance(outcome, Refused):
        raise_refused(outcome)
    if outcome.changed:
        await publish_updates(hub, (outcome.message,))
    return outcome.message


async def edit_message(
    hub: Hub, user: TokenUser, *, room: str, seq: int, text: str
) -> MessageRecord:
    text = clean_text(hub, text)
    access = await room_access(hub, user, room)
    target = access.room
    policy.may_edit(access, await _message(hub, target, seq))
    return await _change(
        hub,
        MessageChange(
            room=target,
            seq=seq,
            kind="edit",
            actor_id=user.id,
            at=utc_now(),
            text=text,
            mentions=await mentioned(hub, target, text, sender_id=user.id),
        ),
    )


async def delete_message(hub: Hub, user: TokenUser, *, room: str, seq: int) -> MessageRecord:
    access = await room_access(hub, user, room)
    target = access.room
    policy.may_delete(access, await _message(hub, target, seq))
    return await _change(
        hub, MessageChange(room=target, seq=seq, kind="delete", actor_id=user.id, at=utc_now())
    )


async def react(
    hub: Hub, user: TokenUser, *, room: str, seq: int, emoji: str, add: bool
) -> MessageRecord:
    """Add or remove the user's reaction; idempotent (a repeat changes nothing)."""
    canonical = canonical_reaction(emoji)
    if canonical is None:
        raise BadRequest("a reaction is one emoji or a :shortcode:")
    target = (await member_access(hub, user, room)).room
    kind: ChangeKind = "react" if add else "unreact"
    return await _change(
        hub,
        MessageChange(
            room=target, seq=seq, kind=kind, actor_id=user.id, at=utc_now(), emoji=canonical
        ),
    )
