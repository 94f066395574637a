"""Who may do what: every permission decision, asked of this one module.

Actions call these before they write; routes and socket handlers never compare owners,
authors or memberships themselves. Each function returns nothing or raises the PROTOCOL
error that says why not, so the authorisation rules read as one list.
"""

from __future__ import annotations

from typing import Literal

from hubbub.errors import Forbidden, NotFound
from hubbub.store.base import MessageRecord, RoomRecord, UploadRecord

Role = Literal["owner", "moderator", "member"]


def may_read(room: RoomRecord, *, member: bool) -> None:
    """Any public room; a private room or a DM only as a member."""
    if not member and (room.private or room.kind == "dm"):
        raise Forbidden(f"room {room.name!r} is private")


def may_post(room: RoomRecord, *, member: bool) -> None:
    """Sending, typing, editing, reacting, marking read: members only."""
    if not member:
        may_read(room, member=member)
        raise Forbidden(f"join room {room.name!r} first")


def may_join(room: RoomRecord, *, member: bool, invited: bool) -> None:
    if room.kind == "dm":
        if member:
            return
        raise Forbidden("nobody can join a direct conversation")
    if room.private and not (member or invited):
        raise Forbidden(f"room {room.name!r} is private; ask its owner for an invite")


def may_leave(room: RoomRecord) -> None:
    if room.kind == "dm":
        raise Forbidden("a direct conversation cannot be left")


def may_invite(room: RoomRecord, *, user_id: int) -> None:
    if room.kind == "dm":
        raise Forbidden("nobody can be invited to a direct conversation")
    if room.owner_id != user_id:
        raise Forbidden("only the room's owner can invite")


def may_edit(message: MessageRecord, *, user_id: int) -> None:
    if message.user.id != user_id:
        raise Forbidden("only its author can edit a message")


def may_delete(room: RoomRecord, message: MessageRecord, *, user_id: int) -> None:
    """The author, or the room's owner (moderators and server admins join them with
    roles)."""
    if message.user.id != user_id and room.owner_id != user_id:
        raise Forbidden("only its author or the room's owner can delete a message")


def may_fetch_pending(upload: UploadRecord, *, user_id: int) -> None:
    """A file no message uses yet is its uploader's alone (to others it does not exist)."""
    if upload.user_id != user_id:
        raise NotFound(f"no file {upload.attachment.id}")
