"""Bots, API tokens and incoming webhooks: the store methods for issue 8's integrations,
written once for both backends (``portable``), each write one transaction.

A bot is a user row (``bot``, ``bot_owner_id``) that cannot log in (no password hash
verifies against ``!``); it speaks with API tokens, kept as SHA-256 hashes. Removing a bot
deactivates it and drops its tokens — its messages stay, so no seq ever disappears.
A webhook owns a bot of its own, a member of the webhook's room.
"""

from __future__ import annotations

from typing import Any

from hubbub.store.communities import audit_step
from hubbub.store.portable import Portable, Step
from hubbub.store.records import AuditEntry, UserRecord, WebhookRecord, utc_now
from hubbub.store.rows import USER_COLUMNS, user_from_row

NO_PASSWORD = "!"  # never a valid argon2 hash: a bot cannot log in


def _new_bot(username: str, owner_id: int, display_name: str | None = None) -> Step:
    return Step(
        "INSERT INTO users (username, username_key, password_hash, created_at, bot,"
        " bot_owner_id, display_name, display_key) VALUES (?, ?, ?, ?, true, ?, ?, ?)",
        (
            username,
            username.lower(),
            NO_PASSWORD,
            utc_now(),
            owner_id,
            display_name,
            display_name.lower() if display_name else None,
        ),
    )


class Integrations(Portable):
    """Mixed into both stores, which give it ``_steps`` and ``_rows``."""

    async def _user(self, username: str) -> UserRecord:
        rows = await self._rows(
            f"SELECT {USER_COLUMNS} FROM users u WHERE u.username_key = ?", username.lower()
        )
        return user_from_row(rows[0])

    # ---- bots and tokens ----
    async def create_bot(
        self, *, username: str, owner_id: int, token_hash: str, session_id: str
    ) -> UserRecord:
        """The bot and its first token; ``DuplicateName`` if the name is taken."""
        await self._steps(
            [
                _new_bot(username, owner_id),
                Step(
                    "INSERT INTO api_tokens (token_hash, user_id, session_id, created_at)"
                    " SELECT ?, id, ?, ? FROM users WHERE username_key = ?",
                    (token_hash, session_id, utc_now(), username.lower()),
                ),
            ]
        )
        return await self._user(username)

    async def bots_of(self, *, owner_id: int) -> list[UserRecord]:
        rows = await self._rows(
            f"SELECT {USER_COLUMNS} FROM users u WHERE u.bot_owner_id = ?"
            " AND u.deactivated_at IS NULL AND NOT EXISTS"
            " (SELECT 1 FROM webhooks w WHERE w.bot_user_id = u.id) ORDER BY u.username_key",
            owner_id,
        )
        return [user_from_row(r) for r in rows]

    async def remove_bot(
        self, *, owner_id: int, username: str, audit: AuditEntry
    ) -> list[str] | None:
        """Deactivate the caller's bot and drop its tokens; the sessions that ended
        (``None`` if the caller has no such bot)."""
        rows = await self._rows(
            "SELECT u.id FROM users u WHERE u.username_key = ? AND u.bot_owner_id = ?"
            " AND u.deactivated_at IS NULL",
            username.lower(),
            owner_id,
        )
        if not rows:
            return None
        bot_id = rows[0][0]
        sessions = await self._rows("SELECT session_id FROM api_tokens WHERE user_id = ?", bot_id)
        await self._steps(
            [
                Step("UPDATE users SET deactivated_at = ? WHERE id = ?", (utc_now(), bot_id)),
                Step("DELETE FROM api_tokens WHERE user_id = ?", (bot_id,)),
                audit_step(audit),
            ]
        )
        return [r[0] for r in sessions]

    async def api_token_user(self, *, token_hash: str) -> tuple[UserRecord, str] | None:
        """Whom an API token speaks for, and its session id (``None``: no such token)."""
        rows = await self._rows(
            f"SELECT {USER_COLUMNS}, t.session_id FROM api_tokens t JOIN users u"
            " ON u.id = t.user_id WHERE t.token_hash = ? AND u.deactivated_at IS NULL",
            token_hash,
        )
        return (user_from_row(rows[0]), rows[0][4]) if rows else None

    # ---- webhooks ----
    async def create_webhook(
        self,
        *,
        room_id: int,
        name: str,
        secret_hash: str,
        bot_username: str,
        created_by: int,
        audit: AuditEntry,
    ) -> WebhookRecord:
        key = bot_username.lower()
        await self._steps(
            [
                audit_step(audit),
                _new_bot(bot_username, created_by, display_name=name),
                Step(
                    "INSERT INTO memberships (room_id, user_id, joined_at, last_read_seq)"
                    " SELECT ?, u.id, ?, r.last_seq FROM users u, rooms r"
                    " WHERE u.username_key = ? AND r.id = ?",
                    (room_id, utc_now(), key, room_id),
                ),
                Step(
                    "INSERT INTO webhooks (room_id, name, secret_hash, bot_user_id, created_by,"
                    " created_at) SELECT ?, ?, ?, id, ?, ? FROM users WHERE username_key = ?",
                    (room_id, name, secret_hash, created_by, utc_now(), key),
                ),
            ]
        )
        found = await self._webhooks("w.secret_hash = ?", secret_hash)
        return found[0]

    async def _webhooks(self, where: str, *params: Any) -> list[WebhookRecord]:
        rows = await self._rows(
            f"SELECT w.id, w.room_id, r.name, w.name, w.secret_hash, {USER_COLUMNS}"
            " FROM webhooks w JOIN rooms r ON r.id = w.room_id"
            f" JOIN users u ON u.id = w.bot_user_id WHERE {where} ORDER BY w.id",
            *params,
        )
        return [WebhookRecord(r[0], r[1], r[2], r[3], r[4], user_from_row(r, 5)) for r in rows]

    async def webhook(self, *, webhook_id: int) -> WebhookRecord | None:
        found = await self._webhooks("w.id = ?", webhook_id)
        return found[0] if found else None

    async def webhooks_of(self, *, room_id: int) -> list[WebhookRecord]:
        return await self._webhooks("w.room_id = ?", room_id)

    async def delete_webhook(self, *, room_id: int, webhook_id: int, audit: AuditEntry) -> bool:
        """The hook stops at once; its bot is deactivated (its messages stay)."""
        counts = await self._steps(
            [
                audit_step(audit),
                Step(
                    "UPDATE users SET deactivated_at = ? WHERE id = (SELECT bot_user_id"
                    " FROM webhooks WHERE id = ? AND room_id = ?)",
                    (utc_now(), webhook_id, room_id),
                ),
                Step("DELETE FROM webhooks WHERE id = ? AND room_id = ?", (webhook_id, room_id)),
            ]
        )
        return counts[2] > 0
