"""SQLite store: stdlib ``sqlite3`` in WAL mode, writes on one thread, reads on a small pool.

The embedded default: zero set-up, one file in the data directory.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

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
from hubbub.store.rows import (
    MESSAGE_SELECT,
    ROOM_COLUMNS,
    ROOM_WIDTH,
    USER_COLUMNS,
    message_from_row,
    room_from_row,
    user_from_row,
)
from hubbub.store.sqlite_writer import SQLiteWriter
from hubbub.store.sqlite_writes import write_batch

T = TypeVar("T")


def sqlite_path(database_url: str) -> Path:
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        raise ValueError(f"not a SQLite URL: {database_url!r}")
    return Path(database_url.removeprefix(prefix))


class SQLiteStore:
    def __init__(self, path: Path, *, synchronous: str = "FULL", readers: int = 4) -> None:
        self._path = path
        self._synchronous = synchronous
        self._writer = SQLiteWriter(self._connect, write_batch)
        self._readers = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="sqlite-read")
        self._local = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    @classmethod
    async def open(cls, database_url: str, *, synchronous: str = "FULL") -> SQLiteStore:
        store = cls(sqlite_path(database_url), synchronous=synchronous)
        store._path.parent.mkdir(parents=True, exist_ok=True)
        store._writer.start(asyncio.get_running_loop())
        return store

    @property
    def commit_count(self) -> int:
        return self._writer.batches

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            conn.execute("PRAGMA query_only = ON")
            self._local.conn = conn
            with self._lock:
                self._reader_connections.append(conn)
        return conn

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, lambda: fn(self._reader()))

    async def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        result: T = await self._writer.call(fn)
        return result

    async def close(self) -> None:
        await self._writer.stop()
        self._readers.shutdown(wait=True)
        for conn in self._reader_connections:
            conn.close()

    async def ping(self) -> None:
        await self._read(lambda c: c.execute("SELECT 1").fetchone())

    # ---- users and tokens ----
    async def create_user(self, *, username: str, password_hash: str) -> UserRecord:
        def run(c: sqlite3.Connection) -> UserRecord:
            try:
                cursor = c.execute(
                    "INSERT INTO users (username, username_key, password_hash, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (username, username.lower(), password_hash, iso(utc_now())),
                )
            except sqlite3.IntegrityError as exc:
                if exc.sqlite_errorname != "SQLITE_CONSTRAINT_UNIQUE":
                    raise
                raise DuplicateName(username) from exc
            assert cursor.lastrowid is not None
            return UserRecord(id=cursor.lastrowid, username=username)

        return await self._write(run)

    async def get_credentials(self, *, username: str) -> Credentials | None:
        row = await self._read(
            lambda c: c.execute(
                "SELECT id, username, password_hash FROM users WHERE username_key = ?",
                (username.lower(),),
            ).fetchone()
        )
        return Credentials(id=row[0], username=row[1], password_hash=row[2]) if row else None

    async def get_user(self, *, user_id: int) -> UserRecord | None:
        row = await self._read(
            lambda c: c.execute(
                f"SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?", (user_id,)
            ).fetchone()
        )
        return user_from_row(row) if row else None

    async def get_user_by_name(self, *, username: str) -> UserRecord | None:
        row = await self._read(
            lambda c: c.execute(
                f"SELECT {USER_COLUMNS} FROM users u WHERE u.username_key = ?",
                (username.lower(),),
            ).fetchone()
        )
        return user_from_row(row) if row else None

    async def get_users(self, *, user_ids: list[int]) -> list[UserRecord]:
        if not user_ids:
            return []

        def run(c: sqlite3.Connection) -> list[UserRecord]:
            marks = ",".join("?" * len(user_ids))
            rows = c.execute(
                f"SELECT {USER_COLUMNS} FROM users u WHERE u.id IN ({marks})"
                " ORDER BY u.username_key",
                user_ids,
            ).fetchall()
            return [user_from_row(r) for r in rows]

        return await self._read(run)

    async def add_refresh_token(
        self, *, token_hash: str, user_id: int, family_id: str, expires_at: datetime
    ) -> None:
        await self._write(
            lambda c: c.execute(
                "INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (token_hash, user_id, family_id, iso(expires_at)),
            )
        )

    async def use_refresh_token(
        self, *, token_hash: str, now: datetime
    ) -> RefreshGrant | Replayed | None:
        def run(c: sqlite3.Connection) -> RefreshGrant | Replayed | None:
            row = c.execute(
                "SELECT t.user_id, u.username, t.family_id, t.expires_at, t.used_at"
                " FROM refresh_tokens t JOIN users u ON u.id = t.user_id"
                " WHERE t.token_hash = ?",
                (token_hash,),
            ).fetchone()
            if row is None:
                return None
            user_id, username, family_id, expires_at, used_at = row
            if used_at is not None:
                c.execute("DELETE FROM refresh_tokens WHERE family_id = ?", (family_id,))
                return Replayed(family_id)
            if expires_at <= iso(now):
                return None
            c.execute(
                "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?",
                (iso(now), token_hash),
            )
            return RefreshGrant(UserRecord(id=user_id, username=username), family_id)

        return await self._write(run)

    async def revoke_refresh_token(self, *, token_hash: str) -> str | None:
        def run(c: sqlite3.Connection) -> str | None:
            row = c.execute(
                "SELECT family_id FROM refresh_tokens WHERE token_hash = ?", (token_hash,)
            ).fetchone()
            if row is None:
                return None
            c.execute("DELETE FROM refresh_tokens WHERE family_id = ?", (row[0],))
            return str(row[0])

        return await self._write(run)

    async def session_active(self, *, session: str, user_id: int) -> bool:
        return await self._read(
            lambda c: (
                c.execute(
                    "SELECT 1 FROM refresh_tokens WHERE family_id = ? AND user_id = ? LIMIT 1",
                    (session, user_id),
                ).fetchone()
                is not None
            )
        )

    # ---- rooms and memberships ----
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
                "INSERT INTO memberships (room_id, user_id, joined_at) VALUES (?, ?, ?)",
                (cursor.lastrowid, owner_id, created_at),
            )
            return RoomRecord(cursor.lastrowid, name, private, owner_id, created_at, 0, 0, "room")

        return await self._write(run)

    async def get_room(self, *, name: str) -> RoomRecord | None:
        row = await self._read(
            lambda c: c.execute(
                f"SELECT {ROOM_COLUMNS} FROM rooms r WHERE r.name = ?", (name,)
            ).fetchone()
        )
        return room_from_row(row) if row else None

    async def get_room_for(self, *, name: str, user_id: int) -> RoomAccess | None:
        row = await self._read(
            lambda c: c.execute(
                f"SELECT {ROOM_COLUMNS}, EXISTS (SELECT 1 FROM memberships m"
                f" WHERE m.room_id = r.id AND m.user_id = u.id), {USER_COLUMNS}"
                " FROM rooms r, users u WHERE r.name = ? AND u.id = ?",
                (name, user_id),
            ).fetchone()
        )
        if row is None:
            return None
        return RoomAccess(
            room_from_row(row), bool(row[ROOM_WIDTH]), user_from_row(row, ROOM_WIDTH + 1)
        )

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
                f"SELECT {ROOM_COLUMNS}, m.user_id IS NOT NULL, {LISTING_COUNTS}, m.notify"
                " FROM rooms r LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = ?"
                " WHERE (r.private = 0 AND r.kind = 'room') OR m.user_id IS NOT NULL"
                " OR EXISTS (SELECT 1 FROM invites i WHERE i.room_id = r.id AND i.user_id = ?)"
                " ORDER BY r.name",
                (user_id, user_id),
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
                " SELECT ?, ?, ?, last_seq FROM rooms WHERE id = ?"
                " ON CONFLICT DO NOTHING",
                (room_id, user_id, iso(utc_now()), room_id),
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

    # ---- messages ----
    async def store_message(self, message: NewMessage) -> StoredMessage | Refused:
        result: StoredMessage | Refused = await self._writer.submit(message)
        return result

    async def change_message(self, change: MessageChange) -> ChangedMessage | Refused:
        result: ChangedMessage | Refused = await self._writer.submit(change)
        return result

    async def get_message(self, *, room: RoomRecord, seq: int) -> MessageRecord | None:
        row = await self._read(
            lambda c: c.execute(
                f"{MESSAGE_SELECT} WHERE m.room_id = ? AND m.seq = ?", (room.id, seq)
            ).fetchone()
        )
        return message_from_row(room.name, row) if row else None

    async def messages_changed(
        self, *, room: RoomRecord, after_rev: int, limit: int
    ) -> MessagePage:
        rows = await self._read(
            lambda c: c.execute(
                f"{MESSAGE_SELECT} WHERE m.room_id = ? AND m.rev > ? ORDER BY m.rev LIMIT ?",
                (room.id, after_rev, limit + 1),
            ).fetchall()
        )
        return MessagePage(
            [message_from_row(room.name, r) for r in rows[:limit]], len(rows) > limit
        )

    async def replies(self, *, room: RoomRecord, seq: int, after: int, limit: int) -> MessagePage:
        rows = await self._read(
            lambda c: c.execute(
                f"{MESSAGE_SELECT} WHERE m.room_id = ? AND m.reply_to = ? AND m.seq > ?"
                " ORDER BY m.seq LIMIT ?",
                (room.id, seq, after, limit + 1),
            ).fetchall()
        )
        return MessagePage(
            [message_from_row(room.name, r) for r in rows[:limit]], len(rows) > limit
        )

    async def messages_before(
        self, *, room: RoomRecord, before: int | None, limit: int
    ) -> MessagePage:
        def run(c: sqlite3.Connection) -> MessagePage:
            if before is None:
                rows = c.execute(
                    f"{MESSAGE_SELECT} WHERE m.room_id = ? ORDER BY m.seq DESC LIMIT ?",
                    (room.id, limit + 1),
                ).fetchall()
            else:
                rows = c.execute(
                    f"{MESSAGE_SELECT} WHERE m.room_id = ? AND m.seq < ?"
                    " ORDER BY m.seq DESC LIMIT ?",
                    (room.id, before, limit + 1),
                ).fetchall()
            has_more = len(rows) > limit
            return MessagePage(
                [message_from_row(room.name, r) for r in reversed(rows[:limit])], has_more
            )

        return await self._read(run)

    async def messages_after(self, *, room: RoomRecord, after: int, limit: int) -> MessagePage:
        def run(c: sqlite3.Connection) -> MessagePage:
            rows = c.execute(
                f"{MESSAGE_SELECT} WHERE m.room_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?",
                (room.id, after, limit + 1),
            ).fetchall()
            return MessagePage(
                [message_from_row(room.name, r) for r in rows[:limit]], len(rows) > limit
            )

        return await self._read(run)
