"""Running a room: roles, topic, kick, ban, mute, archive, delete. Each asks ``policy``,
writes once (with its audit entry, in the same transaction), then publishes: a kicked or
banned user's sockets leave the room on every node at once; a deleted room vanishes from
every member's client."""

from __future__ import annotations

from datetime import timedelta

from hubbub import policy
from hubbub.actions.rooms import room_access
from hubbub.errors import BadRequest, NotFound
from hubbub.events import RoomDeletedOut, RoomEventOut, RoomUpdatedOut
from hubbub.fanout.base import Emit, MembershipChange
from hubbub.hub import Hub
from hubbub.schemas import RoomOut, UserOut
from hubbub.security import TokenUser
from hubbub.store.base import AuditEntry, RoomAccess, RoomRole, Standing, UserRecord, utc_now

MAX_MUTE_SECONDS = 366 * 24 * 3600
MAX_TOPIC = 250


async def _target(hub: Hub, access: RoomAccess, username: str) -> tuple[UserRecord, Standing]:
    user = await hub.store.get_user_by_name(username=username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user, await hub.store.standing(room_id=access.room.id, user_id=user.id)


def _audit(
    access: RoomAccess, action: str, target: str | None, detail: str | None = None
) -> AuditEntry:
    return AuditEntry(
        actor_id=access.user.id,
        action=action,
        room=access.room.name,
        target=target,
        detail=detail,
    )


async def _room_event(
    hub: Hub, access: RoomAccess, kind: str, target: UserRecord, **extra: object
) -> None:
    event = RoomEventOut(
        type=kind,  # type: ignore[arg-type]  # one of RoomEventOut's literals
        room=access.room.name,
        user=UserOut.of(target),
        by=UserOut.of(access.user),
        **extra,  # type: ignore[arg-type]
    )
    await hub.broker.publish(
        Emit(
            event="roomEvent",
            data=event.wire(),
            to="room",
            key=access.room.name,
        )
    )


async def _room_updated(hub: Hub, name: str) -> None:
    room = await hub.store.get_room(name=name)
    if room is not None:
        data = RoomUpdatedOut(room=RoomOut.of(room)).model_dump()
        await hub.broker.publish(Emit(event="roomUpdated", data=data, to="room", key=name))


async def _remove(hub: Hub, access: RoomAccess, target: UserRecord, kind: str) -> None:
    """Tell the room (the target's sockets still in it), then take them out everywhere."""
    await _room_event(hub, access, kind, target)
    await hub.broker.publish(
        MembershipChange(user_id=target.id, room=access.room.name, joined=False)
    )


async def kick(hub: Hub, user: TokenUser, name: str, *, username: str) -> None:
    access = await room_access(hub, user, name)
    target, standing = await _target(hub, access, username)
    policy.may_moderate(access, standing, target_id=target.id)
    if await hub.store.kick(
        room_id=access.room.id, user_id=target.id, audit=_audit(access, "kick", target.username)
    ):
        await _remove(hub, access, target, "kick")


async def ban(hub: Hub, user: TokenUser, name: str, *, username: str) -> None:
    access = await room_access(hub, user, name)
    target, standing = await _target(hub, access, username)
    policy.may_moderate(access, standing, target_id=target.id)
    was_member = await hub.store.ban(
        room_id=access.room.id,
        user_id=target.id,
        by_id=user.id,
        audit=_audit(access, "ban", target.username),
    )
    if was_member:
        await _remove(hub, access, target, "ban")


async def unban(hub: Hub, user: TokenUser, name: str, *, username: str) -> None:
    access = await room_access(hub, user, name)
    target, standing = await _target(hub, access, username)
    policy.may_moderate(access, standing, target_id=target.id)
    if not standing.banned:
        raise NotFound(f"{username!r} is not banned from {name!r}")
    await hub.store.unban(
        room_id=access.room.id, user_id=target.id, audit=_audit(access, "unban", target.username)
    )


async def mute(hub: Hub, user: TokenUser, name: str, *, username: str, seconds: int) -> None:
    if not 1 <= seconds <= MAX_MUTE_SECONDS:
        raise BadRequest(f"mute for 1 to {MAX_MUTE_SECONDS} seconds")
    access = await room_access(hub, user, name)
    target, standing = await _target(hub, access, username)
    policy.may_moderate(access, standing, target_id=target.id)
    if standing.role is None:
        raise NotFound(f"{username!r} is not a member of {name!r}")
    until = utc_now() + timedelta(seconds=seconds)
    await hub.store.mute(
        room_id=access.room.id,
        user_id=target.id,
        by_id=user.id,
        until=until,
        audit=_audit(access, "mute", target.username, f"{seconds} s"),
    )
    await _room_event(hub, access, "mute", target, until=until.isoformat())


async def set_role(hub: Hub, user: TokenUser, name: str, *, username: str, role: RoomRole) -> None:
    if role == "owner":
        raise BadRequest("a room has one owner; make someone a moderator or member")
    access = await room_access(hub, user, name)
    target, standing = await _target(hub, access, username)
    policy.may_set_role(access, standing, target_id=target.id)
    if standing.role == role:
        return
    await hub.store.set_member_role(
        room_id=access.room.id,
        user_id=target.id,
        role=role,
        audit=_audit(access, "role", target.username, role),
    )
    await _room_event(hub, access, "role", target, role=role)
    await _room_updated(hub, name)


async def set_topic(hub: Hub, user: TokenUser, name: str, *, topic: str | None) -> None:
    topic = " ".join(topic.split()) if topic else None
    if topic and len(topic) > MAX_TOPIC:
        raise BadRequest(f"a topic is at most {MAX_TOPIC} characters")
    access = await room_access(hub, user, name)
    policy.may_set_topic(access)
    await hub.store.set_topic(
        room_id=access.room.id, topic=topic or None, audit=_audit(access, "topic", None, topic)
    )
    await _room_updated(hub, name)


async def archive(hub: Hub, user: TokenUser, name: str) -> None:
    access = await room_access(hub, user, name)
    policy.may_manage_room(access)
    if access.room.archived:
        return
    await hub.store.archive_room(room_id=access.room.id, audit=_audit(access, "archive", None))
    await _room_updated(hub, name)


async def delete_room(hub: Hub, user: TokenUser, name: str) -> None:
    access = await room_access(hub, user, name)
    policy.may_manage_room(access)
    await delete_room_as(hub, access.room.id, name, _audit(access, "delete_room", None))


async def delete_room_as(hub: Hub, room_id: int, name: str, audit: AuditEntry) -> None:
    """Delete, then tell every member's sockets (they leave it on every node)."""
    members = await hub.store.list_members(room_id=room_id)
    await hub.store.delete_room(room_id=room_id, audit=audit)
    gone = RoomDeletedOut(room=name).model_dump()
    await hub.broker.publish(Emit(event="roomDeleted", data=gone, to="room", key=name))
    for member in members:
        await hub.broker.publish(MembershipChange(user_id=member.id, room=name, joined=False))


async def bans(hub: Hub, user: TokenUser, name: str) -> list[UserRecord]:
    """Who is banned from the room (for its owner and moderators, to unban)."""
    access = await room_access(hub, user, name)
    policy.may_see_bans(access)
    return await hub.store.banned_users(room_id=access.room.id)
