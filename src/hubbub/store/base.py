"""The ``Store`` protocol (the records it hands back are in ``records.py``).

Both backends (``sqlite.py``, ``postgres.py``) implement exactly this, and one contract
test suite runs against each. Records are plain dataclasses, not ORM objects: the store is
thin SQL per backend because an ORM on the message path cost 10-25x in throughput here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from hubbub.store.records import (
    MAX_REACTIONS,
    Account,
    Attachment,
    AuditEntry,
    AuditRecord,
    ChangedMessage,
    ChangeKind,
    Credentials,
    DuplicateName,
    MessageChange,
    MessagePage,
    MessageRecord,
    NewMessage,
    NotifyLevel,
    Reaction,
    RefreshGrant,
    Refused,
    Replayed,
    RoomAccess,
    RoomKind,
    RoomListing,
    RoomRecord,
    RoomRole,
    Standing,
    StoredMessage,
    UploadRecord,
    UserRecord,
    WebhookRecord,
    iso,
    utc_now,
)

# The records are re-exported: actions and tests import them from here, with the Protocol.
__all__ = [
    "MAX_REACTIONS",
    "Account",
    "Attachment",
    "AuditEntry",
    "AuditRecord",
    "ChangeKind",
    "ChangedMessage",
    "Credentials",
    "DuplicateName",
    "MessageChange",
    "MessagePage",
    "MessageRecord",
    "NewMessage",
    "NotifyLevel",
    "Reaction",
    "RefreshGrant",
    "Refused",
    "Replayed",
    "RoomAccess",
    "RoomKind",
    "RoomListing",
    "RoomRecord",
    "RoomRole",
    "Standing",
    "Store",
    "StoredMessage",
    "UploadRecord",
    "UserRecord",
    "WebhookRecord",
    "iso",
    "utc_now",
]


class Store(Protocol):
    """Everything Hubbub persists. Every method is a coroutine; arguments are keyword-only."""

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise if the database does not answer."""

    @property
    def commit_count(self) -> int:
        """Transactions of sends and changes this process committed (group commit's ratio)."""
        ...

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

    async def live_sessions(self, *, sessions: list[str]) -> set[str]:
        """Which of these logins still stand for an active account (a refresh-token family,
        or a bot's API-token session): one query, however many. A node asks it for the
        logins of its open sockets, and closes those of the rest."""

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

    # communities (``hubbub.store.communities``: one implementation for both backends)
    async def standing(self, *, room_id: int, user_id: int) -> Standing: ...
    async def member_roles(self, *, room_id: int) -> dict[int, RoomRole]: ...
    async def banned_users(self, *, room_id: int) -> list[UserRecord]: ...
    async def kick(self, *, room_id: int, user_id: int, audit: AuditEntry) -> bool: ...
    async def ban(self, *, room_id: int, user_id: int, by_id: int, audit: AuditEntry) -> bool: ...
    async def unban(self, *, room_id: int, user_id: int, audit: AuditEntry) -> bool: ...
    async def mute(
        self, *, room_id: int, user_id: int, by_id: int, until: datetime, audit: AuditEntry
    ) -> None: ...
    async def set_member_role(
        self, *, room_id: int, user_id: int, role: RoomRole, audit: AuditEntry
    ) -> bool: ...
    async def set_topic(self, *, room_id: int, topic: str | None, audit: AuditEntry) -> None: ...
    async def archive_room(self, *, room_id: int, audit: AuditEntry) -> None: ...
    async def delete_room(self, *, room_id: int, audit: AuditEntry) -> None: ...
    async def all_rooms(self) -> list[RoomRecord]: ...
    async def account(self, *, username: str) -> Account | None: ...
    async def accounts(self, *, prefix: str, limit: int) -> list[tuple[UserRecord, Account]]: ...
    async def set_server_role(self, *, user_id: int, admin: bool, audit: AuditEntry) -> None: ...
    async def logins_of(self, *, user_id: int) -> list[str]: ...
    async def deactivate(self, *, user_id: int, audit: AuditEntry) -> None: ...
    async def reactivate(self, *, user_id: int, audit: AuditEntry) -> None: ...
    async def change_password(
        self, *, user_id: int, password_hash: str, keep: str | None
    ) -> None: ...
    async def audit_entries(
        self,
        *,
        before_id: int | None,
        limit: int,
        room: str | None = None,
        actor_id: int | None = None,
    ) -> list[AuditRecord]:
        """Newest first; ``room`` and ``actor_id`` narrow it to one room's or one actor's."""

    # integrations (``hubbub.store.integrations``: one implementation for both backends)
    async def create_bot(
        self, *, username: str, owner_id: int, token_hash: str, session_id: str
    ) -> UserRecord: ...
    async def bots_of(self, *, owner_id: int) -> list[UserRecord]: ...
    async def remove_bot(
        self, *, owner_id: int, username: str, audit: AuditEntry
    ) -> list[str] | None: ...
    async def api_token_user(self, *, token_hash: str) -> tuple[UserRecord, str] | None: ...
    async def create_webhook(
        self,
        *,
        room_id: int,
        name: str,
        secret_hash: str,
        bot_username: str,
        created_by: int,
        audit: AuditEntry,
    ) -> WebhookRecord: ...
    async def webhook(self, *, webhook_id: int) -> WebhookRecord | None: ...
    async def webhooks_of(self, *, room_id: int) -> list[WebhookRecord]: ...
    async def delete_webhook(self, *, room_id: int, webhook_id: int, audit: AuditEntry) -> bool: ...
