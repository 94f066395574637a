"""PostgreSQL: users, display names and refresh tokens (logins)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from hubbub.store.base import (
    Credentials,
    DuplicateName,
    RefreshGrant,
    Replayed,
    UserRecord,
    utc_now,
)
from hubbub.store.dms import like_prefix
from hubbub.store.postgres.base import PostgresBase
from hubbub.store.rows import (
    USER_COLUMNS,
    user_from_row,
)


class PostgresAccounts(PostgresBase):
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

    async def set_display_name(
        self, *, user_id: int, display_name: str | None
    ) -> UserRecord | None:
        row = await self._pool.fetchrow(
            "UPDATE users SET display_name = $1, display_key = $2 WHERE id = $3"
            " RETURNING id, username, display_name, bot",
            display_name,
            display_name.lower() if display_name else None,
            user_id,
        )
        return user_from_row(row) if row else None

    async def find_users(self, *, prefix: str, limit: int) -> list[UserRecord]:
        pattern = like_prefix(prefix)
        rows = await self._pool.fetch(
            f"SELECT {USER_COLUMNS} FROM users u WHERE u.username_key LIKE $1 ESCAPE '\\'"
            " OR u.display_key LIKE $1 ESCAPE '\\' ORDER BY u.username_key LIMIT $2",
            pattern,
            limit,
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

    async def live_sessions(self, *, sessions: list[str]) -> set[str]:
        if not sessions:
            return set()
        rows = await self._pool.fetch(
            "SELECT t.family_id FROM refresh_tokens t JOIN users u ON u.id = t.user_id"
            " WHERE t.family_id = ANY($1::text[]) AND u.deactivated_at IS NULL"
            " UNION SELECT a.session_id FROM api_tokens a JOIN users u ON u.id = a.user_id"
            " WHERE a.session_id = ANY($1::text[]) AND u.deactivated_at IS NULL",
            sessions,
        )
        return {r[0] for r in rows}

    async def session_active(self, *, session: str, user_id: int) -> bool:
        found = await self._pool.fetchval(
            "SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND user_id = $2"
            " UNION ALL SELECT 1 FROM api_tokens WHERE session_id = $1 AND user_id = $2"
            " LIMIT 1",
            session,
            user_id,
        )
        return found is not None
