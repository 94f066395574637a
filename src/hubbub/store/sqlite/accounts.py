"""SQLite: users, display names and refresh tokens (logins)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from hubbub.store.base import (
    Credentials,
    DuplicateName,
    RefreshGrant,
    Replayed,
    UserRecord,
    iso,
    utc_now,
)
from hubbub.store.dms import like_prefix
from hubbub.store.rows import (
    USER_COLUMNS,
    user_from_row,
)
from hubbub.store.sqlite.base import SQLiteBase


class SQLiteAccounts(SQLiteBase):
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

    async def set_display_name(
        self, *, user_id: int, display_name: str | None
    ) -> UserRecord | None:
        def run(c: sqlite3.Connection) -> UserRecord | None:
            row = c.execute(
                "UPDATE users SET display_name = ?, display_key = ? WHERE id = ?"
                " RETURNING id, username, display_name, bot",
                (display_name, display_name.lower() if display_name else None, user_id),
            ).fetchone()
            return user_from_row(row) if row else None

        return await self._write(run)

    async def find_users(self, *, prefix: str, limit: int) -> list[UserRecord]:
        pattern = like_prefix(prefix)
        rows = await self._read(
            lambda c: c.execute(
                f"SELECT {USER_COLUMNS} FROM users u WHERE u.username_key LIKE ? ESCAPE '\\'"
                " OR u.display_key LIKE ? ESCAPE '\\' ORDER BY u.username_key LIMIT ?",
                (pattern, pattern, limit),
            ).fetchall()
        )
        return [user_from_row(r) for r in rows]

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

    async def live_sessions(self, *, sessions: list[str]) -> set[str]:
        if not sessions:
            return set()
        wanted = json.dumps(sessions)
        rows = await self._read(
            lambda c: c.execute(
                "SELECT t.family_id FROM refresh_tokens t JOIN users u ON u.id = t.user_id"
                " WHERE t.family_id IN (SELECT value FROM json_each(?))"
                " AND u.deactivated_at IS NULL"
                " UNION SELECT a.session_id FROM api_tokens a JOIN users u ON u.id = a.user_id"
                " WHERE a.session_id IN (SELECT value FROM json_each(?))"
                " AND u.deactivated_at IS NULL",
                (wanted, wanted),
            ).fetchall()
        )
        return {r[0] for r in rows}

    async def session_active(self, *, session: str, user_id: int) -> bool:
        return await self._read(
            lambda c: (
                c.execute(
                    "SELECT 1 FROM refresh_tokens WHERE family_id = ? AND user_id = ?"
                    " UNION ALL SELECT 1 FROM api_tokens WHERE session_id = ? AND user_id = ?"
                    " LIMIT 1",
                    (session, user_id, session, user_id),
                ).fetchone()
                is not None
            )
        )
