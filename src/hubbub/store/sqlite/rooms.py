"""SQLite: rooms, DMs, memberships, invites, read marks and mention targets."""

from __future__ import annotations

import sqlite3
from typing import Any

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
from hubbub.store.rows import (
    ACCESS_COLUMNS,
    ACCESS_JOINS,
    ROOM_COLUMNS,
    USER_COLUMNS,
    access_from_row,
    room_from_row,
    user_from_row,
)
from hubbub.store.sqlite.base import SQLiteBase


class SQLiteRooms(SQLiteBase):
    async def create_room(self, *, name: str, private: bool, owner_id: int) -> RoomRecord:
        def run(c: sqlite3.Connection) -> RoomRecord:
            created_at = iso(utc_now())
            try:
                cursor = c.execute(
                    "INSERT INTO rooms (name, private, owner_id, created_at, last_seq)"
                    " VALUES (?, ?, ?, ?, 0)",
                    (name, private, owner_id, created_at),
                )
            except sqlite3.IntegrityError as exc:
                if exc.sqlite_errorname != "SQLITE_CONSTRAINT_UNIQUE":
                    raise
                raise DuplicateName(name) from exc
            assert cursor.lastrowid is not None
            c.execute(
                "INSERT INTO memberships (room_id, user_id, joined_at, role)"
                " VALUES (?, ?, ?, 'owner')",
                (cursor.lastrowid, owner_id, created_at),
            )
            return RoomRecord(cursor.lastrowid, name, private, owner_id, created_at, 0, 0, "room")

        return await self._write(run)

    async def open_dm(self, *, user_ids: list[int]) -> tuple[RoomRecord, bool]:
        key = dm_key(user_ids)

        def run(c: sqlite3.Connection) -> tuple[RoomRecord, bool]:
            row = c.execute(
                f"SELECT {ROOM_COLUMNS} FROM rooms r WHERE r.dm_key = ?", (key,)
            ).fetchone()
            if row is not None:
                return room_from_row(row), False
            created_at = iso(utc_now())
            name = dm_name(key)
            cursor = c.execute(
                "INSERT INTO rooms (name, private, owner_id, created_at, last_seq, kind, dm_key)"
                " VALUES (?, 1, NULL, ?, 0, 'dm', ?)",
                (name, created_at, key),
            )
            room_id = cursor.lastrowid
            assert room_id is not None
            c.executemany(
                "INSERT INTO memberships (room_id, user_id, joined_at) VALUES (?, ?, ?)",
                [(room_id, user_id, created_at) for user_id in sorted(set(user_ids))],
            )
            return RoomRecord(room_id, name, True, None, created_at, 0, 0, "dm"), True

        return await self._write(run)

    async def set_notify(self, *, room_id: int, user_id: int, level: NotifyLevel) -> bool:
        def run(c: sqlite3.Connection) -> bool:
            cursor = c.execute(
                "UPDATE memberships SET notify = ? WHERE room_id = ? AND user_id = ?",
                (level, room_id, user_id),
            )
            return cursor.rowcount > 0

        return await self._write(run)

    async def get_room(self, *, name: str) -> RoomRecord | None:
        row = await self._lookup(
            lambda c: c.execute(
                f"SELECT {ROOM_COLUMNS} FROM rooms r WHERE r.name = ?", (name,)
            ).fetchone()
        )
        return room_from_row(row) if row else None

    async def get_room_for(self, *, name: str, user_id: int) -> RoomAccess | None:
        row = await self._lookup(
            lambda c: c.execute(
                f"SELECT {ROOM_COLUMNS}, {ACCESS_COLUMNS} FROM rooms r JOIN users u ON u.id = ?"
                f"{ACCESS_JOINS} WHERE r.name = ?",
                (user_id, name),
            ).fetchone()
        )
        return access_from_row(row) if row else None

    async def mention_targets(
        self, *, room_id: int, usernames: list[str], everyone: bool, sender_id: int
    ) -> list[int]:
        keys = [name.lower() for name in usernames]

        def run(c: sqlite3.Connection) -> list[int]:
            if everyone:
                rows = c.execute(
                    "SELECT user_id FROM memberships WHERE room_id = ? AND user_id <> ?",
                    (room_id, sender_id),
                ).fetchall()
            else:
                marks = ",".join("?" * len(keys))
                rows = c.execute(
                    "SELECT u.id FROM memberships m JOIN users u ON u.id = m.user_id"
                    f" WHERE m.room_id = ? AND u.id <> ? AND u.username_key IN ({marks})",
                    (room_id, sender_id, *keys),
                ).fetchall()
            return sorted(r[0] for r in rows)

        if not everyone and not keys:
            return []
        return await self._read(run)

    async def list_rooms(self, *, user_id: int) -> list[RoomListing]:
        def run(c: sqlite3.Connection) -> list[RoomListing]:
            rows = c.execute(
                f"SELECT {ROOM_COLUMNS}, m.user_id IS NOT NULL, {LISTING_COUNTS}, m.notify, m.role,"
                f" {LISTING_BANNED}"
                " FROM rooms r LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = ?"
                " WHERE (r.private = 0 AND r.kind = 'room') OR m.user_id IS NOT NULL"
                " OR EXISTS (SELECT 1 FROM invites i WHERE i.room_id = r.id AND i.user_id = ?)"
                " ORDER BY r.name",
                (user_id, user_id, user_id),
            ).fetchall()
            return listings(rows, self._people(c, rows))

        return await self._read(run)

    def _people(self, c: sqlite3.Connection, rows: list[Any]) -> dict[int, list[UserRecord]]:
        """Every DM's participants, for the listing's titles."""
        dm_ids = [r[0] for r in rows if r[7] == "dm"]
        if not dm_ids:
            return {}
        marks = ",".join("?" * len(dm_ids))
        people: dict[int, list[UserRecord]] = {}
        for row in c.execute(
            f"SELECT m.room_id, {USER_COLUMNS} FROM memberships m JOIN users u"
            f" ON u.id = m.user_id WHERE m.room_id IN ({marks}) ORDER BY u.username_key",
            dm_ids,
        ):
            people.setdefault(row[0], []).append(user_from_row(row, 1))
        return people

    async def add_member(self, *, room_id: int, user_id: int) -> bool:
        def run(c: sqlite3.Connection) -> bool:
            cursor = c.execute(
                "INSERT INTO memberships (room_id, user_id, joined_at, last_read_seq)"
                " SELECT ?, ?, ?, last_seq FROM rooms WHERE id = ? AND NOT EXISTS"
                " (SELECT 1 FROM bans WHERE room_id = ? AND user_id = ?)"
                " ON CONFLICT DO NOTHING",
                (room_id, user_id, iso(utc_now()), room_id, room_id, user_id),
            )
            return cursor.rowcount > 0

        return await self._write(run)

    async def remove_member(self, *, room_id: int, user_id: int) -> bool:
        def run(c: sqlite3.Connection) -> bool:
            c.execute("DELETE FROM invites WHERE room_id = ? AND user_id = ?", (room_id, user_id))
            cursor = c.execute(
                "DELETE FROM memberships WHERE room_id = ? AND user_id = ?", (room_id, user_id)
            )
            return cursor.rowcount > 0

        return await self._write(run)

    async def is_member(self, *, room_id: int, user_id: int) -> bool:
        row = await self._read(
            lambda c: c.execute(
                "SELECT 1 FROM memberships WHERE room_id = ? AND user_id = ?", (room_id, user_id)
            ).fetchone()
        )
        return row is not None

    async def add_invite(self, *, room_id: int, user_id: int, invited_by: int) -> None:
        await self._write(
            lambda c: c.execute(
                "INSERT INTO invites (room_id, user_id, invited_by, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (room_id, user_id, invited_by, iso(utc_now())),
            )
        )

    async def is_invited(self, *, room_id: int, user_id: int) -> bool:
        row = await self._read(
            lambda c: c.execute(
                "SELECT 1 FROM invites WHERE room_id = ? AND user_id = ?", (room_id, user_id)
            ).fetchone()
        )
        return row is not None

    async def list_members(self, *, room_id: int) -> list[UserRecord]:
        rows = await self._read(
            lambda c: c.execute(
                f"SELECT {USER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id"
                " WHERE m.room_id = ? ORDER BY u.username_key",
                (room_id,),
            ).fetchall()
        )
        return [user_from_row(r) for r in rows]

    async def member_room_names(self, *, user_id: int) -> list[str]:
        rows = await self._read(
            lambda c: c.execute(
                "SELECT r.name FROM memberships m JOIN rooms r ON r.id = m.room_id"
                " WHERE m.user_id = ?",
                (user_id,),
            ).fetchall()
        )
        return [r[0] for r in rows]

    async def mark_read(self, *, room_id: int, user_id: int, seq: int) -> None:
        await self._write(
            lambda c: c.execute(
                "UPDATE memberships SET last_read_seq = ? WHERE room_id = ? AND user_id = ?"
                " AND last_read_seq < ?",
                (seq, room_id, user_id, seq),
            )
        )
