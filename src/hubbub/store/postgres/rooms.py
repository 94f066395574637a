"""PostgreSQL: rooms, DMs, memberships, invites, read marks and mention targets."""

from __future__ import annotations

import asyncpg

from hubbub.store.base import (
    DuplicateName,
    NotifyLevel,
    RoomAccess,
    RoomListing,
    RoomRecord,
    UserRecord,
    iso,
    utc_now,
)
from hubbub.store.dms import dm_key, dm_name
from hubbub.store.listing import LISTING_BANNED, LISTING_COUNTS, listings
from hubbub.store.postgres.base import PostgresBase
from hubbub.store.rows import (
    ACCESS_COLUMNS,
    ACCESS_JOINS,
    ROOM_COLUMNS,
    USER_COLUMNS,
    access_from_row,
    room_from_row,
    user_from_row,
)


class PostgresRooms(PostgresBase):
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
                "INSERT INTO memberships (room_id, user_id, joined_at, role)"
                " VALUES ($1, $2, $3, 'owner')",
                room_id,
                owner_id,
                created_at,
            )
        return RoomRecord(room_id, name, private, owner_id, iso(created_at), 0, 0, "room")

    async def open_dm(self, *, user_ids: list[int]) -> tuple[RoomRecord, bool]:
        key = dm_key(user_ids)
        created_at = utc_now()
        async with self._pool.acquire() as conn, conn.transaction():
            room_id = await conn.fetchval(
                "INSERT INTO rooms (name, private, owner_id, created_at, last_seq, kind, dm_key)"
                " VALUES ($1, true, NULL, $2, 0, 'dm', $3)"
                " ON CONFLICT (dm_key) WHERE dm_key IS NOT NULL DO NOTHING RETURNING id",
                dm_name(key),
                created_at,
                key,
            )
            if room_id is not None:
                await conn.executemany(
                    "INSERT INTO memberships (room_id, user_id, joined_at) VALUES ($1, $2, $3)",
                    [(room_id, user_id, created_at) for user_id in sorted(set(user_ids))],
                )
        row = await self._pool.fetchrow(
            f"SELECT {ROOM_COLUMNS} FROM rooms r WHERE r.dm_key = $1", key
        )
        return room_from_row(row), room_id is not None

    async def set_notify(self, *, room_id: int, user_id: int, level: NotifyLevel) -> bool:
        status: str = await self._pool.execute(
            "UPDATE memberships SET notify = $1 WHERE room_id = $2 AND user_id = $3",
            level,
            room_id,
            user_id,
        )
        return status.endswith(" 1")

    async def get_room(self, *, name: str) -> RoomRecord | None:
        row = await self._pool.fetchrow(
            f"SELECT {ROOM_COLUMNS} FROM rooms r WHERE r.name = $1", name
        )
        return room_from_row(row) if row else None

    async def get_room_for(self, *, name: str, user_id: int) -> RoomAccess | None:
        row = await self._pool.fetchrow(
            f"SELECT {ROOM_COLUMNS}, {ACCESS_COLUMNS} FROM rooms r JOIN users u ON u.id = $2"
            f"{ACCESS_JOINS} WHERE r.name = $1",
            name,
            user_id,
        )
        return access_from_row(row) if row else None

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
            f"SELECT {ROOM_COLUMNS}, m.user_id IS NOT NULL, {LISTING_COUNTS}, m.notify, m.role,"
            f" {LISTING_BANNED.replace('?', '$1')}"
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
            " SELECT $1, $2, $3, last_seq FROM rooms WHERE id = $1 AND NOT EXISTS"
            " (SELECT 1 FROM bans WHERE room_id = $1 AND user_id = $2)"
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
