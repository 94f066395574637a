"""PostgreSQL store: ``asyncpg`` pool and raw SQL; messages go through ``PostgresWriter``.

The production store.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import asyncpg

from hubbub.store.base import (
    ChangedMessage,
    Credentials,
    DuplicateName,
    MessageChange,
    MessagePage,
    MessageRecord,
    NewMessage,
    RefreshGrant,
    Refused,
    Replayed,
    RoomAccess,
    RoomListing,
    RoomRecord,
    StoredMessage,
    UserRecord,
    iso,
    utc_now,
)
from hubbub.store.listing import LISTING_COUNTS, listings
from hubbub.store.postgres_writer import PostgresWriter
from hubbub.store.rows import (
    MESSAGE_SELECT,
    ROOM_COLUMNS,
    ROOM_WIDTH,
    USER_COLUMNS,
    message_from_row,
    room_from_row,
    user_from_row,
)

log = logging.getLogger(__name__)


def asyncpg_dsn(database_url: str) -> str:
    """``postgresql+asyncpg://…`` (the SQLAlchemy form PROTOCOL.md uses) to a libpq DSN."""
    for prefix in ("postgresql+asyncpg://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql://" + database_url.removeprefix(prefix)
    return database_url


class PostgresStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._writer = PostgresWriter(pool)

    @classmethod
    async def open(cls, database_url: str, *, pool_size: int = 10) -> PostgresStore:
        pool = await asyncpg.create_pool(asyncpg_dsn(database_url), min_size=1, max_size=pool_size)
        return cls(pool)

    async def close(self) -> None:
        """Stop taking sends, commit and answer every send already queued, then close."""
        await self._writer.stop()
        await self._pool.close()

    async def ping(self) -> None:
        await self._pool.fetchval("SELECT 1")

    async def store_message(self, message: NewMessage) -> StoredMessage | Refused:
        result = await self._writer.submit(message)
        assert isinstance(result, StoredMessage | Refused)
        return result

    async def change_message(self, change: MessageChange) -> ChangedMessage | Refused:
        result = await self._writer.submit(change)
        assert isinstance(result, ChangedMessage | Refused)
        return result

    @property
    def commit_count(self) -> int:
        return self._writer.commit_count

    # ---- users and tokens ----
    async def create_user(self, *, username: str, password_hash: str) -> UserRecord:
        try:
            user_id = await self._pool.fetchval(
                "INSERT INTO users (username, username_key, password_hash, created_at)"
                " VALUES ($1, $2, $3, $4) RETURNING id",
                username,
                username.lower(),
                password_hash,
                utc_now(),
            )
        except asyncpg.UniqueViolationError as exc:
            raise DuplicateName(username) from exc
        return UserRecord(id=user_id, username=username)

    async def get_credentials(self, *, username: str) -> Credentials | None:
        row = await self._pool.fetchrow(
            "SELECT id, username, password_hash FROM users WHERE username_key = $1",
            username.lower(),
        )
        return Credentials(id=row[0], username=row[1], password_hash=row[2]) if row else None

    async def get_user(self, *, user_id: int) -> UserRecord | None:
        row = await self._pool.fetchrow(
            f"SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1", user_id
        )
        return user_from_row(row) if row else None

    async def get_user_by_name(self, *, username: str) -> UserRecord | None:
        row = await self._pool.fetchrow(
            f"SELECT {USER_COLUMNS} FROM users u WHERE u.username_key = $1", username.lower()
        )
        return user_from_row(row) if row else None

    async def get_users(self, *, user_ids: list[int]) -> list[UserRecord]:
        if not user_ids:
            return []
        rows = await self._pool.fetch(
            f"SELECT {USER_COLUMNS} FROM users u WHERE u.id = ANY($1::bigint[])"
            " ORDER BY u.username_key",
            user_ids,
        )
        return [user_from_row(r) for r in rows]

    async def add_refresh_token(
        self, *, token_hash: str, user_id: int, family_id: str, expires_at: datetime
    ) -> None:
        await self._pool.execute(
            "INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at)"
            " VALUES ($1, $2, $3, $4)",
            token_hash,
            user_id,
            family_id,
            expires_at,
        )

    async def use_refresh_token(
        self, *, token_hash: str, now: datetime
    ) -> RefreshGrant | Replayed | None:
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT t.user_id, u.username, t.family_id, t.expires_at, t.used_at"
                " FROM refresh_tokens t JOIN users u ON u.id = t.user_id"
                " WHERE t.token_hash = $1 FOR UPDATE OF t",
                token_hash,
            )
            if row is None:
                return None
            if row["used_at"] is not None:
                await conn.execute(
                    "DELETE FROM refresh_tokens WHERE family_id = $1", row["family_id"]
                )
                return Replayed(row["family_id"])
            if row["expires_at"] <= now:
                return None
            await conn.execute(
                "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2", now, token_hash
            )
            return RefreshGrant(
                UserRecord(id=row["user_id"], username=row["username"]), row["family_id"]
            )

    async def revoke_refresh_token(self, *, token_hash: str) -> str | None:
        family: str | None = await self._pool.fetchval(
            "DELETE FROM refresh_tokens WHERE family_id ="
            " (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)"
            " RETURNING family_id",
            token_hash,
        )
        return family

    async def session_active(self, *, session: str, user_id: int) -> bool:
        found = await self._pool.fetchval(
            "SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND user_id = $2 LIMIT 1",
            session,
            user_id,
        )
        return found is not None

    # ---- rooms and memberships ----
    async def create_room(self, *, name: str, private: bool, owner_id: int) -> RoomRecord:
        created_at = utc_now()
        async with self._pool.acquire() as conn, conn.transaction():
            try:
                room_id = await conn.fetchval(
                    "INSERT INTO rooms (name, private, owner_id, created_at, last_seq)"
                    " VALUES ($1, $2, $3, $4, 0) RETURNING id",
                    name,
                    private,
                    owner_id,
                    created_at,
                )
            except asyncpg.UniqueViolationError as exc:
                raise DuplicateName(name) from exc
            await conn.execute(
                "INSERT INTO memberships (room_id, user_id, joined_at) VALUES ($1, $2, $3)",
                room_id,
                owner_id,
                created_at,
            )
        return RoomRecord(room_id, name, private, owner_id, iso(created_at), 0, 0, "room")

    async def get_room(self, *, name: str) -> RoomRecord | None:
        row = await self._pool.fetchrow(
            f"SELECT {ROOM_COLUMNS} FROM rooms r WHERE r.name = $1", name
        )
        return room_from_row(row) if row else None

    async def get_room_for(self, *, name: str, user_id: int) -> RoomAccess | None:
        row = await self._pool.fetchrow(
            f"SELECT {ROOM_COLUMNS}, EXISTS (SELECT 1 FROM memberships m"
            f" WHERE m.room_id = r.id AND m.user_id = u.id), {USER_COLUMNS}"
            " FROM rooms r, users u WHERE r.name = $1 AND u.id = $2",
            name,
            user_id,
        )
        if row is None:
            return None
        return RoomAccess(room_from_row(row), row[ROOM_WIDTH], user_from_row(row, ROOM_WIDTH + 1))

    async def mention_targets(
        self, *, room_id: int, usernames: list[str], everyone: bool, sender_id: int
    ) -> list[int]:
        if everyone:
            rows = await self._pool.fetch(
                "SELECT user_id FROM memberships WHERE room_id = $1 AND user_id <> $2",
                room_id,
                sender_id,
            )
        elif usernames:
            rows = await self._pool.fetch(
                "SELECT u.id FROM memberships m JOIN users u ON u.id = m.user_id"
                " WHERE m.room_id = $1 AND u.id <> $2 AND u.username_key = ANY($3::text[])",
                room_id,
                sender_id,
                [name.lower() for name in usernames],
            )
        else:
            return []
        return sorted(r[0] for r in rows)

    async def list_rooms(self, *, user_id: int) -> list[RoomListing]:
        rows = await self._pool.fetch(
            f"SELECT {ROOM_COLUMNS}, m.user_id IS NOT NULL, {LISTING_COUNTS}, m.notify"
            " FROM rooms r LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = $1"
            " WHERE (NOT r.private AND r.kind = 'room') OR m.user_id IS NOT NULL OR EXISTS"
            " (SELECT 1 FROM invites i WHERE i.room_id = r.id AND i.user_id = $1)"
            " ORDER BY r.name",
            user_id,
        )
        dm_ids = [r[0] for r in rows if r[7] == "dm"]
        people: dict[int, list[UserRecord]] = {}
        if dm_ids:
            for row in await self._pool.fetch(
                f"SELECT m.room_id, {USER_COLUMNS} FROM memberships m JOIN users u"
                " ON u.id = m.user_id WHERE m.room_id = ANY($1::bigint[])"
                " ORDER BY u.username_key",
                dm_ids,
            ):
                people.setdefault(row[0], []).append(user_from_row(row, 1))
        return listings(rows, people)

    async def add_member(self, *, room_id: int, user_id: int) -> bool:
        status: str = await self._pool.execute(
            "INSERT INTO memberships (room_id, user_id, joined_at, last_read_seq)"
            " SELECT $1, $2, $3, last_seq FROM rooms WHERE id = $1"
            " ON CONFLICT DO NOTHING",
            room_id,
            user_id,
            utc_now(),
        )
        return status.endswith(" 1")

    async def remove_member(self, *, room_id: int, user_id: int) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "DELETE FROM invites WHERE room_id = $1 AND user_id = $2", room_id, user_id
            )
            status: str = await conn.execute(
                "DELETE FROM memberships WHERE room_id = $1 AND user_id = $2", room_id, user_id
            )
        return status.endswith(" 1")

    async def is_member(self, *, room_id: int, user_id: int) -> bool:
        row = await self._pool.fetchval(
            "SELECT 1 FROM memberships WHERE room_id = $1 AND user_id = $2", room_id, user_id
        )
        return row is not None

    async def add_invite(self, *, room_id: int, user_id: int, invited_by: int) -> None:
        await self._pool.execute(
            "INSERT INTO invites (room_id, user_id, invited_by, created_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            room_id,
            user_id,
            invited_by,
            utc_now(),
        )

    async def is_invited(self, *, room_id: int, user_id: int) -> bool:
        row = await self._pool.fetchval(
            "SELECT 1 FROM invites WHERE room_id = $1 AND user_id = $2", room_id, user_id
        )
        return row is not None

    async def list_members(self, *, room_id: int) -> list[UserRecord]:
        rows = await self._pool.fetch(
            f"SELECT {USER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id"
            " WHERE m.room_id = $1 ORDER BY u.username_key",
            room_id,
        )
        return [user_from_row(r) for r in rows]

    async def member_room_names(self, *, user_id: int) -> list[str]:
        rows = await self._pool.fetch(
            "SELECT r.name FROM memberships m JOIN rooms r ON r.id = m.room_id"
            " WHERE m.user_id = $1",
            user_id,
        )
        return [r[0] for r in rows]

    async def mark_read(self, *, room_id: int, user_id: int, seq: int) -> None:
        await self._pool.execute(
            "UPDATE memberships SET last_read_seq = $1 WHERE room_id = $2 AND user_id = $3"
            " AND last_read_seq < $1",
            seq,
            room_id,
            user_id,
        )

    # ---- history ----
    async def get_message(self, *, room: RoomRecord, seq: int) -> MessageRecord | None:
        row = await self._pool.fetchrow(
            f"{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq = $2", room.id, seq
        )
        return message_from_row(room.name, row) if row else None

    async def messages_changed(
        self, *, room: RoomRecord, after_rev: int, limit: int
    ) -> MessagePage:
        rows = await self._pool.fetch(
            f"{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.rev > $2 ORDER BY m.rev LIMIT $3",
            room.id,
            after_rev,
            limit + 1,
        )
        return MessagePage(
            [message_from_row(room.name, r) for r in rows[:limit]], len(rows) > limit
        )

    async def replies(self, *, room: RoomRecord, seq: int, after: int, limit: int) -> MessagePage:
        rows = await self._pool.fetch(
            f"{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.reply_to = $2 AND m.seq > $3"
            " ORDER BY m.seq LIMIT $4",
            room.id,
            seq,
            after,
            limit + 1,
        )
        return MessagePage(
            [message_from_row(room.name, r) for r in rows[:limit]], len(rows) > limit
        )

    async def messages_before(
        self, *, room: RoomRecord, before: int | None, limit: int
    ) -> MessagePage:
        rows: list[Any]
        if before is None:
            rows = await self._pool.fetch(
                f"{MESSAGE_SELECT} WHERE m.room_id = $1 ORDER BY m.seq DESC LIMIT $2",
                room.id,
                limit + 1,
            )
        else:
            rows = await self._pool.fetch(
                f"{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq < $2"
                " ORDER BY m.seq DESC LIMIT $3",
                room.id,
                before,
                limit + 1,
            )
        has_more = len(rows) > limit
        return MessagePage(
            [message_from_row(room.name, r) for r in reversed(rows[:limit])], has_more
        )

    async def messages_after(self, *, room: RoomRecord, after: int, limit: int) -> MessagePage:
        rows = await self._pool.fetch(
            f"{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3",
            room.id,
            after,
            limit + 1,
        )
        return MessagePage(
            [message_from_row(room.name, r) for r in rows[:limit]], len(rows) > limit
        )
