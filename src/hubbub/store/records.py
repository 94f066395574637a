"""The plain records the ``Store`` hands back and takes: dataclasses, not ORM objects
(the store is thin SQL per backend; an ORM on the message path cost 10-25x here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

RoomKind = Literal["room", "dm"]
NotifyLevel = Literal["all", "mentions", "none"]
RoomRole = Literal["owner", "moderator", "member"]
MAX_REACTIONS = 20  # distinct emoji on one message (PROTOCOL v2)


def utc_now() -> datetime:
    """Now, truncated to milliseconds: the precision every backend and the wire keep."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def iso(dt: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, as PROTOCOL.md's ``created_at``."""
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    username: str
    display_name: str | None = None
    bot: bool = False


@dataclass(frozen=True, slots=True)
class Credentials:
    id: int
    username: str
    password_hash: str


@dataclass(frozen=True, slots=True)
class RoomRecord:
    id: int
    name: str
    private: bool
    owner_id: int | None
    created_at: str
    last_seq: int
    last_rev: int = 0
    kind: RoomKind = "room"
    topic: str | None = None
    archived: bool = False  # read-only


@dataclass(frozen=True, slots=True)
class RoomListing:
    room: RoomRecord
    member: bool
    unread: int
    mentions: int = 0
    notify: NotifyLevel = "all"
    people: tuple[UserRecord, ...] = ()  # a DM's participants
    role: RoomRole | None = None
    banned: bool = False  # the caller is banned from it (a public room stays listed)


@dataclass(frozen=True, slots=True)
class RoomAccess:
    """A room, whether the caller is a member, and the caller as others see them (their
    display name goes on what they send): one read, asked by every send."""

    room: RoomRecord
    member: bool
    user: UserRecord
    role: RoomRole | None = None  # the membership's; None when not a member
    muted_until: datetime | None = None
    banned: bool = False
    admin: bool = False  # the user's server role


@dataclass(frozen=True, slots=True)
class Reaction:
    emoji: str
    user_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Attachment:
    id: int
    name: str
    size: int
    content_type: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class UploadRecord:
    """A stored file: what messages show (``attachment``), whose and where it is, and the
    message that uses it (``None`` while pending, or once that message is deleted)."""

    attachment: Attachment
    room_id: int
    user_id: int
    message_id: int | None
    storage_key: str
    created_at: str
    room: str  # the room's name


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: int
    room: str
    seq: int
    user: UserRecord
    text: str
    created_at: str
    client_id: str | None
    rev: int = 0
    edited_at: str | None = None
    deleted: bool = False
    reply_to: int | None = None
    reply_count: int = 0
    reactions: tuple[Reaction, ...] = ()
    mentions: tuple[int, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class NewMessage:
    room: RoomRecord
    user: UserRecord
    text: str
    client_id: str | None
    created_at: datetime
    reply_to: int | None = None  # a seq of the same room, checked by the action
    mentions: tuple[int, ...] = ()  # user ids, resolved by the action
    attachments: tuple[int, ...] = ()  # upload ids, claimed in the same transaction


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """What storing a message gave: the stored row, and whether this call created it
    (``False`` for a resend of a ``client_id`` already stored). ``updated`` holds the
    other messages the send changed (a replied-to message's ``reply_count``), each in the
    state its own ``rev`` gave it, in rev order."""

    message: MessageRecord
    created: bool
    updated: tuple[MessageRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Refused:
    """A write the store would not make, decided inside its transaction (the state it
    depends on may have changed since the action looked): a PROTOCOL error code and why."""

    code: Literal["not_found", "bad_request", "forbidden", "conflict"]
    message: str


ChangeKind = Literal["edit", "delete", "react", "unreact"]


@dataclass(frozen=True, slots=True)
class MessageChange:
    """One change to a stored message. Who may make it was decided before (``policy``);
    the store checks only what the message's state allows (no edit of a tombstone)."""

    room: RoomRecord
    seq: int
    kind: ChangeKind
    actor_id: int
    at: datetime
    text: str = ""  # edit
    mentions: tuple[int, ...] = ()  # edit: resolved again from the new text
    emoji: str = ""  # react / unreact


@dataclass(frozen=True, slots=True)
class ChangedMessage:
    """A change's outcome: the message in its latest state, and whether the change
    changed anything (a change that changes nothing consumes no rev and sends nothing)."""

    message: MessageRecord
    changed: bool


@dataclass(frozen=True, slots=True)
class RefreshGrant:
    user: UserRecord
    family_id: str


@dataclass(frozen=True, slots=True)
class Replayed:
    """A refresh token that was already used came back (it was stolen, or a client bug):
    its whole family, the login, was revoked."""

    family_id: str


@dataclass(frozen=True, slots=True)
class MessagePage:
    messages: list[MessageRecord]
    has_more: bool


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log: who did what, where, to whom."""

    actor_id: int | None
    action: str
    room: str | None = None
    target: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: str
    actor_id: int | None
    actor_username: str | None
    action: str
    room: str | None
    target: str | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class Standing:
    """What a user is in a room, as moderation needs to know it."""

    role: RoomRole | None
    admin: bool
    banned: bool


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    username: str
    admin: bool
    deactivated: bool


@dataclass(frozen=True, slots=True)
class WebhookRecord:
    id: int
    room_id: int
    room: str
    name: str
    secret_hash: str
    bot: UserRecord


class DuplicateName(Exception):
    """A unique name (user or room) is taken."""
