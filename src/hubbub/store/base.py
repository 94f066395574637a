"""The ``Store`` protocol and the plain records it hands back.

Both backends (``sqlite.py``, ``postgres.py``) implement exactly this, and one contract
test suite runs against each. Records are plain dataclasses, not ORM objects: the store is
thin SQL per backend because an ORM on the message path cost 10-25x in throughput here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


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


@dataclass(frozen=True, slots=True)
class RoomListing:
    room: RoomRecord
    member: bool
    unread: int


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: int
    room: str
    seq: int
    user: UserRecord
    text: str
    created_at: str
    client_id: str | None


@dataclass(frozen=True, slots=True)
class NewMessage:
    room: RoomRecord
    user: UserRecord
    text: str
    client_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """What storing a message gave: the stored row, and whether this call created it
    (``False`` for a resend of a ``client_id`` already stored)."""

    message: MessageRecord
    created: bool


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

    async def get_room(self, *, name: str) -> RoomRecord | None: ...
    async def get_room_for(self, *, name: str, user_id: int) -> tuple[RoomRecord, bool] | None:
        """The room and whether the user is a member, in one read (every send asks)."""

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

    # messages
    async def store_message(self, message: NewMessage) -> StoredMessage:
        """Store one message with group commit; returns once it is committed."""

    async def messages_before(
        self, *, room: RoomRecord, before: int | None, limit: int
    ) -> MessagePage:
        """Up to ``limit`` messages with ``seq < before`` (or the latest), ascending."""

    async def messages_after(self, *, room: RoomRecord, after: int, limit: int) -> MessagePage:
        """Up to ``limit`` messages with ``seq > after``, ascending."""
