"""Rooms and memberships: who may see, join, leave and invite."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from hubbub import policy
from hubbub.errors import BadRequest, Conflict, NotFound
from hubbub.events import InvitedOut, RoomCreatedOut, RoomEventOut, TypingOut
from hubbub.fanout.base import Emit, MembershipChange
from hubbub.hub import Hub
from hubbub.schemas import MemberOut, RoomOut, UserOut
from hubbub.security import TokenUser
from hubbub.store.base import (
    DuplicateName,
    MessagePage,
    NotifyLevel,
    RoomAccess,
    RoomListing,
    RoomRecord,
    UserRecord,
)

JOIN_HISTORY = 50  # PROTOCOL.md: joinRoom answers the latest ≤ 50 messages
_ROOM_NAME = re.compile(r"[a-z0-9_-]{1,64}")


async def find_room(hub: Hub, name: str) -> RoomRecord:
    if not _ROOM_NAME.fullmatch(name):
        raise NotFound(f"no room named {name!r}")
    room = await hub.store.get_room(name=name)
    if room is None:
        raise NotFound(f"no room named {name!r}")
    return room


async def room_access(hub: Hub, user: TokenUser, name: str) -> RoomAccess:
    found = (
        await hub.store.get_room_for(name=name, user_id=user.id)
        if _ROOM_NAME.fullmatch(name)
        else None
    )
    if found is None:
        raise NotFound(f"no room named {name!r}")
    return found


async def readable_room(hub: Hub, user: TokenUser, name: str) -> RoomRecord:
    """A room the user may read: any public room, a private one only as a member."""
    access = await room_access(hub, user, name)
    policy.may_read(access)
    return access.room


async def member_access(hub: Hub, user: TokenUser, name: str) -> RoomAccess:
    """A room the user may post in (send, type, upload), and the user as stored."""
    access = await room_access(hub, user, name)
    policy.may_post(access)
    return access


async def member_room(hub: Hub, user: TokenUser, name: str) -> RoomRecord:
    """A room the user belongs to (read marks, notification levels: archived is fine)."""
    access = await room_access(hub, user, name)
    policy.may_be_member(access)
    return access.room


async def list_rooms(hub: Hub, user: TokenUser) -> list[RoomListing]:
    return await hub.store.list_rooms(user_id=user.id)


async def create_room(hub: Hub, user: TokenUser, *, name: str, private: bool) -> RoomRecord:
    try:
        room = await hub.store.create_room(name=name, private=private, owner_id=user.id)
    except DuplicateName as exc:
        raise Conflict(f"a room named {name!r} exists") from exc
    await hub.broker.publish(MembershipChange(user_id=user.id, room=room.name, joined=True))
    if not room.private:  # everyone may join it: let every room list show it at once
        created = RoomCreatedOut(room=RoomOut.of(room))
        await hub.broker.publish(
            Emit(event="roomCreated", data=created.model_dump(), to="all", skip_user=user.id)
        )
    return room


async def join_room(hub: Hub, user: TokenUser, name: str) -> RoomRecord:
    """Join (a no-op for a member); returns the room as it is now."""
    access = await room_access(hub, user, name)
    room, member = access.room, access.member
    invited = (
        room.private and not member and await hub.store.is_invited(room_id=room.id, user_id=user.id)
    )
    policy.may_join(access, invited=invited)
    if await hub.store.add_member(room_id=room.id, user_id=user.id):
        await hub.broker.publish(MembershipChange(user_id=user.id, room=room.name, joined=True))
        await _publish_room_event(hub, "join", room, access.user)
    return await find_room(hub, name)  # fresh last_seq: what was stored meanwhile counts


@dataclass(slots=True)
class Joined:
    room: RoomRecord
    latest: MessagePage
    members: list[MemberOut]


async def join_and_load(hub: Hub, user: TokenUser, name: str) -> Joined:
    """Join, then what a client shows first: the latest messages and who is there."""
    room = await join_room(hub, user, name)
    latest = await hub.store.messages_before(room=room, before=None, limit=JOIN_HISTORY)
    return Joined(room, latest, await members_of(hub, room))


async def leave_room(hub: Hub, user: TokenUser, name: str) -> None:
    access = await room_access(hub, user, name)
    room = access.room
    policy.may_leave(access)
    if await hub.store.remove_member(room_id=room.id, user_id=user.id):
        # Tell the room first, while the leaver's sockets still receive it.
        await _publish_room_event(hub, "leave", room, access.user)
        await hub.broker.publish(MembershipChange(user_id=user.id, room=room.name, joined=False))


async def invite(hub: Hub, user: TokenUser, name: str, *, username: str) -> None:
    access = await room_access(hub, user, name)
    room = access.room
    policy.may_invite(access)
    invitee = await hub.store.get_user_by_name(username=username)
    if invitee is None:
        raise NotFound(f"no user named {username!r}")
    if not room.private:
        raise BadRequest(f"room {name!r} is public: anyone can join it")
    await hub.store.add_invite(room_id=room.id, user_id=invitee.id, invited_by=user.id)
    invited = InvitedOut(room=RoomOut.of(room), by=_user_out(user))
    await hub.broker.publish(
        Emit(event="invited", data=invited.model_dump(), to="user", key=str(invitee.id))
    )


async def members(hub: Hub, user: TokenUser, name: str) -> list[MemberOut]:
    room = await readable_room(hub, user, name)
    return await members_of(hub, room)


async def members_of(hub: Hub, room: RoomRecord) -> list[MemberOut]:
    users = await hub.store.list_members(room_id=room.id)
    online = await hub.presence.which_online([u.id for u in users])
    roles = await hub.store.member_roles(room_id=room.id)
    return [
        MemberOut(
            **UserOut.of(u).model_dump(), online=u.id in online, role=roles.get(u.id, "member")
        )
        for u in users
    ]


async def mark_read(hub: Hub, user: TokenUser, name: str, *, seq: int) -> None:
    room = await member_room(hub, user, name)
    await hub.store.mark_read(room_id=room.id, user_id=user.id, seq=min(seq, room.last_seq))


async def set_notify(hub: Hub, user: TokenUser, name: str, *, level: NotifyLevel) -> None:
    room = await member_room(hub, user, name)
    await hub.store.set_notify(room_id=room.id, user_id=user.id, level=level)


async def typing(hub: Hub, user: TokenUser, name: str) -> None:
    access = await member_access(hub, user, name)
    room = access.room
    await hub.broker.publish(
        Emit(
            event="typing",
            data=TypingOut(room=room.name, user=UserOut.of(access.user)).model_dump(),
            to="room",
            key=room.name,
            skip_user=user.id,
        )
    )


async def _publish_room_event(
    hub: Hub, kind: Literal["join", "leave"], room: RoomRecord, user: UserRecord
) -> None:
    await hub.broker.publish(
        Emit(
            event="roomEvent",
            data=RoomEventOut(type=kind, room=room.name, user=UserOut.of(user)).wire(),
            to="room",
            key=room.name,
        )
    )


def _user_out(user: TokenUser | UserRecord) -> UserOut:
    return UserOut(id=user.id, username=user.username)
