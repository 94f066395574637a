"""The ``Store`` protocol and the plain records it hands back.

Both backends (``sqlite.py``, ``postgres.py``) implement exactly this, and one contract
test suite runs against each. Records are plain dataclasses, not ORM objects: the store is
thin SQL per backend because an ORM on the message path cost 10-25x in throughput here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

RoomKind = Literal["room", "dm"]
NotifyLevel = Literal["all", "mentions", "none"]
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


@dataclass(frozen=True, slots=True)
class RoomListing:
    room: RoomRecord
    member: bool
    unread: int
    mentions: int = 0
    notify: NotifyLevel = "all"
    people: tuple[UserRecord, ...] = ()  # a DM's participants


@dataclass(frozen=True, slots=True)
class RoomAccess:
    """A room, whether the caller is a member, and the caller as others see them (their
    display name goes on what they send): one read, asked by every send."""

    room: RoomRecord
    member: bool
    user: UserRecord


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


class DuplicateName(Exception):
    """A unique name (user or room) is taken."""


class Store(Protocol):
    """Everything Hubbub persists. Every method is a coroutine; arguments are keyword-only."""

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise if the database does not answer."""

    # users and tokens
    async def create_user(self, *, username: str, password_hash: str) -> UserRecord: ...
    async def get_credentials(self, *, username: str) -> Credentials | None: ...
    async def get_user(self, *, user_id: int) -> UserRecord | None: ...
    async def get_user_by_name(self, *, username: str) -> UserRecord | None: ...
    async def get_users(self, *, user_ids: list[int]) -> list[UserRecord]: ...
    async def set_display_name(
        self, *, user_id: int, display_name: str | None
    ) -> UserRecord | None: ...

    async def find_users(self, *, prefix: str, limit: int) -> list[UserRecord]:
        """Users whose username or display name starts with ``prefix``, case-insensitively,
        ordered by username."""

    async def add_refresh_token(
        self, *, token_hash: str, user_id: int, family_id: str, expires_at: datetime
    ) -> None: ...

    async def use_refresh_token(
        self, *, token_hash: str, now: datetime
    ) -> RefreshGrant | Replayed | None:
        """Mark a refresh token used and return whom it was for. A token that was already
        used revokes its whole family (a stolen token was replayed): ``Replayed``."""

    async def revoke_refresh_token(self, *, token_hash: str) -> str | None:
        """End the login (family) this token belongs to; return its family id, if any."""

    async def session_active(self, *, session: str, user_id: int) -> bool:
        """Whether a login (refresh-token family) of that user still stands: access tokens
        carry it, and every REST call and connect asks, so a revoked login stops at once."""

    # rooms and memberships
    async def create_room(self, *, name: str, private: bool, owner_id: int) -> RoomRecord:
        """Create a room with its owner as first member; ``DuplicateName`` if taken."""

    async def open_dm(self, *, user_ids: list[int]) -> tuple[RoomRecord, bool]:
        """The direct conversation of exactly these people (every one a member), made if
        there is none yet; ``True`` when this call made it. One set of people, one room."""

    async def set_notify(self, *, room_id: int, user_id: int, level: NotifyLevel) -> bool:
        """A member's notification level for the room; ``False`` if not a member."""

    async def get_room(self, *, name: str) -> RoomRecord | None: ...
    async def get_room_for(self, *, name: str, user_id: int) -> RoomAccess | None:
        """The room, whether the user is a member, and the user, in one read (every send
        asks; ``None`` if either is unknown)."""

    async def list_rooms(self, *, user_id: int) -> list[RoomListing]: ...
    async def add_member(self, *, room_id: int, user_id: int) -> bool:
        """Make a member; ``True`` if they were not one before."""

    async def remove_member(self, *, room_id: int, user_id: int) -> bool:
        """End a membership (and any invite); ``True`` if there was one."""

    async def is_member(self, *, room_id: int, user_id: int) -> bool: ...
    async def add_invite(self, *, room_id: int, user_id: int, invited_by: int) -> None: ...
    async def is_invited(self, *, room_id: int, user_id: int) -> bool: ...
    async def list_members(self, *, room_id: int) -> list[UserRecord]: ...
    async def member_room_names(self, *, user_id: int) -> list[str]: ...
    async def mark_read(self, *, room_id: int, user_id: int, seq: int) -> None:
        """Move the member's read mark forward to ``seq`` (never back)."""

    async def mention_targets(
        self, *, room_id: int, usernames: list[str], everyone: bool, sender_id: int
    ) -> list[int]:
        """The ids of the room's members named (case-insensitively) in ``usernames``, or
        every member when ``everyone``; never the sender."""

    # messages
    async def store_message(self, message: NewMessage) -> StoredMessage | Refused:
        """Store one message with group commit; returns once it is committed. A room's
        ``seq`` and ``rev`` both move in the same transaction; a reply also changes the
        replied-to message (its ``reply_count``, one rev of its own)."""

    async def change_message(self, change: MessageChange) -> ChangedMessage | Refused:
        """Edit, delete (tombstone) or react, through the same group-commit writer as
        sends: a burst of changes shares one transaction. A change consumes one rev of its
        room, or none if it changes nothing."""

    async def get_message(self, *, room: RoomRecord, seq: int) -> MessageRecord | None: ...

    async def messages_changed(
        self, *, room: RoomRecord, after_rev: int, limit: int
    ) -> MessagePage:
        """Up to ``limit`` messages whose latest change has ``rev > after_rev``, ascending
        by rev, each once in its latest state (catch-up of edits, deletes, reactions)."""

    async def replies(self, *, room: RoomRecord, seq: int, after: int, limit: int) -> MessagePage:
        """The replies to message ``seq``, ascending by seq, above ``after``."""

    async def messages_before(
        self, *, room: RoomRecord, before: int | None, limit: int
    ) -> MessagePage:
        """Up to ``limit`` messages with ``seq < before`` (or the latest), ascending."""

    async def messages_after(self, *, room: RoomRecord, after: int, limit: int) -> MessagePage:
        """Up to ``limit`` messages with ``seq > after``, ascending."""

    async def search(
        self,
        *,
        user_id: int,
        words: list[str],
        room_id: int | None,
        before_id: int | None,
        limit: int,
    ) -> MessagePage:
        """Messages holding every one of ``words`` (as ``hubbub.search_words`` cuts them),
        newest first, from rooms the user may read now (public rooms, and the private
        rooms and DMs they belong to), never tombstones; ``before_id`` pages on."""

    # uploads
    async def add_upload(
        self, *, room_id: int, user_id: int, attachment: Attachment, storage_key: str
    ) -> UploadRecord:
        """Record a stored file (``attachment.id`` is ignored: the store gives one)."""

    async def get_upload(self, *, upload_id: int) -> UploadRecord | None: ...
    async def pending_uploads(self, *, room_id: int, user_id: int) -> list[Attachment]:
        """The user's uploads to the room that no message uses yet, oldest first."""

    async def orphan_uploads(self, *, created_before: datetime, limit: int) -> list[UploadRecord]:
        """Uploads no message uses, made before ``created_before``: to be removed."""

    async def delete_upload(self, *, upload_id: int) -> None: ...
