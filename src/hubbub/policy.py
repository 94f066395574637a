"""Who may do what: every permission decision, asked of this one module.

Actions call these before they write; routes and socket handlers never compare owners,
roles, authors or memberships themselves. Each function returns nothing or raises the
PROTOCOL error that says why not, so the authorisation rules read as one list. The
caller's standing in a room arrives as a ``RoomAccess`` (one read: room, membership,
role, mute, ban, server role).

Roles: a room has one ``owner``, any number of ``moderator``s, and ``member``s; a server
``admin`` may do in every room what its owner may (but reads no DM they are not in).
"""

from __future__ import annotations

from datetime import datetime

from hubbub.errors import BadRequest, Forbidden, NotFound
from hubbub.store.base import MessageRecord, RoomAccess, Standing, UploadRecord, utc_now


def _is_dm(access: RoomAccess) -> bool:
    return access.room.kind == "dm"


def _runs(access: RoomAccess) -> bool:
    """Owner, moderator, or a server admin (outside DMs): who keeps a room clean."""
    return access.role in ("owner", "moderator") or (access.admin and not _is_dm(access))


def _owns(access: RoomAccess) -> bool:
    return access.role == "owner" or (access.admin and not _is_dm(access))


def may_read(access: RoomAccess) -> None:
    """Any public room; a private room as a member (or a server admin); a DM only as
    one of its people."""
    room = access.room
    if access.member or (not room.private and not _is_dm(access)):
        return
    if access.admin and not _is_dm(access):
        return
    raise Forbidden(f"room {room.name!r} is private")


def may_be_member(access: RoomAccess) -> None:
    """Read marks, notification levels: anything a member does for themselves only."""
    if not access.member:
        may_read(access)
        raise Forbidden(f"join room {access.room.name!r} first")


def may_post(access: RoomAccess, *, now: datetime | None = None) -> None:
    """Sending, typing, uploading, editing, reacting: a member, in a room that is not
    archived, who is not muted."""
    may_be_member(access)
    if access.room.archived:
        raise Forbidden(f"room {access.room.name!r} is archived (read-only)")
    until = access.muted_until
    if until is not None and until > (now or utc_now()):
        raise Forbidden(f"you are muted in {access.room.name!r} until {until.isoformat()}")


def may_join(access: RoomAccess, *, invited: bool) -> None:
    room = access.room
    if _is_dm(access):
        if access.member:
            return
        raise Forbidden("nobody can join a direct conversation")
    if access.banned:
        raise Forbidden(f"you are banned from {room.name!r}")
    if room.private and not (access.member or invited or access.admin):
        raise Forbidden(f"room {room.name!r} is private; ask its owner for an invite")


def may_leave(access: RoomAccess) -> None:
    if _is_dm(access):
        raise Forbidden("a direct conversation cannot be left")


def may_invite(access: RoomAccess) -> None:
    if _is_dm(access):
        raise Forbidden("nobody can be invited to a direct conversation")
    if not _runs(access):
        raise Forbidden("only the room's owner or moderators can invite")


def may_edit(access: RoomAccess, message: MessageRecord) -> None:
    may_post(access)
    if message.user.id != access.user.id:
        raise Forbidden("only its author can edit a message")


def may_delete(access: RoomAccess, message: MessageRecord) -> None:
    """The author (while they may post), or the room's owner or moderators, or a server
    admin."""
    if _runs(access):
        return
    may_post(access)
    if message.user.id != access.user.id:
        raise Forbidden("only its author or the room's owner or moderators can delete it")


def may_moderate(access: RoomAccess, target: Standing, *, target_id: int) -> None:
    """Kick, ban, unban, mute: owner or moderators (or an admin), never against oneself,
    the owner, an admin (unless an admin acts), or a moderator (unless the owner or an
    admin acts)."""
    if _is_dm(access):
        raise Forbidden("nobody moderates a direct conversation")
    if not _runs(access):
        raise Forbidden("only the room's owner or moderators can do that")
    if target_id == access.user.id:
        raise BadRequest("you cannot do that to yourself")
    if target.role == "owner":
        raise Forbidden("the room's owner cannot be moderated")
    if target.admin and not access.admin:
        raise Forbidden("a server admin cannot be moderated here")
    if target.role == "moderator" and not _owns(access):
        raise Forbidden("only the owner can moderate a moderator")


def may_see_bans(access: RoomAccess) -> None:
    if _is_dm(access) or not _runs(access):
        raise Forbidden("only the room's owner or moderators see its bans")


def may_set_role(access: RoomAccess, target: Standing, *, target_id: int) -> None:
    if _is_dm(access):
        raise Forbidden("a direct conversation has no roles")
    if not _owns(access):
        raise Forbidden("only the room's owner can change roles")
    if target.role == "owner" or (target_id == access.user.id and access.role == "owner"):
        raise BadRequest("the owner's role cannot change")
    if target.role is None:
        raise NotFound("that user is not a member of this room")


def may_set_topic(access: RoomAccess) -> None:
    if not _runs(access) and not (_is_dm(access) and access.member):
        raise Forbidden("only the room's owner or moderators can change the topic")


def may_manage_room(access: RoomAccess) -> None:
    """Archive and delete: the owner, or a server admin."""
    if _is_dm(access) or not _owns(access):
        raise Forbidden("only the room's owner or a server admin can do that")


def may_manage_webhooks(access: RoomAccess) -> None:
    """Create, list and delete a room's incoming webhooks: owner or moderators."""
    if _is_dm(access) or not _runs(access):
        raise Forbidden("only the room's owner or moderators manage its webhooks")


def may_administer(*, admin: bool) -> None:
    if not admin:
        raise Forbidden("only a server admin can do that")


def may_own_bots(*, bot: bool) -> None:
    """People make bots; a bot does not (bots of bots would escape their owner's limit,
    and outlive the bot that made them with nobody able to delete them)."""
    if bot:
        raise Forbidden("a bot cannot make bots; its owner can")


def may_change_password(*, bot: bool) -> None:
    """A bot has no password: its API token is its only credential."""
    if bot:
        raise Forbidden("a bot has no password to change")


def may_fetch_pending(upload: UploadRecord, *, user_id: int) -> None:
    """A file no message uses yet is its uploader's alone (to others it does not exist)."""
    if upload.user_id != user_id:
        raise NotFound(f"no file {upload.attachment.id}")
