"""Moderation, roles, accounts and the audit log: the store methods for issue 8's
communities, written once for both backends (``portable``): each runs its statements and
its audit entry in one transaction."""

from __future__ import annotations

from datetime import datetime

from hubbub.store.base import (
    Account,
    AuditEntry,
    AuditRecord,
    RoomRecord,
    RoomRole,
    Standing,
    UserRecord,
    utc_now,
)
from hubbub.store.dms import like_prefix
from hubbub.store.portable import Portable, Step
from hubbub.store.rows import ROOM_COLUMNS, USER_COLUMNS, as_iso, room_from_row, user_from_row


def audit_step(entry: AuditEntry) -> Step:
    return Step(
        "INSERT INTO audit_log (at, actor_id, action, room, target, detail)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (utc_now(), entry.actor_id, entry.action, entry.room, entry.target, entry.detail),
    )


def _leave(room_id: int, user_id: int) -> list[Step]:
    return [
        Step("DELETE FROM memberships WHERE room_id = ? AND user_id = ?", (room_id, user_id)),
        Step("DELETE FROM invites WHERE room_id = ? AND user_id = ?", (room_id, user_id)),
    ]


class Communities(Portable):
    """Mixed into both stores, which give it ``_steps`` and ``_rows``."""

    # ---- rooms ----
    async def standing(self, *, room_id: int, user_id: int) -> Standing:
        rows = await self._rows(
            "SELECT m.role, u.role = 'admin', EXISTS (SELECT 1 FROM bans b"
            " WHERE b.room_id = ? AND b.user_id = u.id) FROM users u"
            " LEFT JOIN memberships m ON m.room_id = ? AND m.user_id = u.id WHERE u.id = ?",
            room_id,
            room_id,
            user_id,
        )
        if not rows:
            return Standing(None, False, False)
        role, admin, banned = rows[0]
        return Standing(role, bool(admin), bool(banned))

    async def member_roles(self, *, room_id: int) -> dict[int, RoomRole]:
        rows = await self._rows("SELECT user_id, role FROM memberships WHERE room_id = ?", room_id)
        return {r[0]: r[1] for r in rows}

    async def banned_users(self, *, room_id: int) -> list[UserRecord]:
        rows = await self._rows(
            f"SELECT {USER_COLUMNS} FROM bans b JOIN users u ON u.id = b.user_id"
            " WHERE b.room_id = ? ORDER BY u.username_key",
            room_id,
        )
        return [user_from_row(r) for r in rows]

    async def kick(self, *, room_id: int, user_id: int, audit: AuditEntry) -> bool:
        counts = await self._steps([*_leave(room_id, user_id), audit_step(audit)])
        return counts[0] > 0

    async def ban(self, *, room_id: int, user_id: int, by_id: int, audit: AuditEntry) -> bool:
        """End the membership and keep the user out; ``True`` if they were a member."""
        counts = await self._steps(
            [
                *_leave(room_id, user_id),
                Step(
                    "INSERT INTO bans (room_id, user_id, by_id, created_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (room_id, user_id, by_id, utc_now()),
                ),
                audit_step(audit),
            ]
        )
        return counts[0] > 0

    async def unban(self, *, room_id: int, user_id: int, audit: AuditEntry) -> bool:
        counts = await self._steps(
            [
                Step("DELETE FROM bans WHERE room_id = ? AND user_id = ?", (room_id, user_id)),
                audit_step(audit),
            ]
        )
        return counts[0] > 0

    async def mute(
        self, *, room_id: int, user_id: int, by_id: int, until: datetime, audit: AuditEntry
    ) -> None:
        await self._steps(
            [
                Step(
                    "INSERT INTO mutes (room_id, user_id, by_id, created_at, until)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (room_id, user_id)"
                    " DO UPDATE SET until = excluded.until, by_id = excluded.by_id",
                    (room_id, user_id, by_id, utc_now(), until),
                ),
                audit_step(audit),
            ]
        )

    async def set_member_role(
        self, *, room_id: int, user_id: int, role: RoomRole, audit: AuditEntry
    ) -> bool:
        """Never changes an owner (``False``, and nothing written)."""
        counts = await self._steps(
            [
                Step(
                    "UPDATE memberships SET role = ? WHERE room_id = ? AND user_id = ?"
                    " AND role <> 'owner'",
                    (role, room_id, user_id),
                ),
                audit_step(audit),
            ]
        )
        return counts[0] > 0

    async def set_topic(self, *, room_id: int, topic: str | None, audit: AuditEntry) -> None:
        await self._steps(
            [Step("UPDATE rooms SET topic = ? WHERE id = ?", (topic, room_id)), audit_step(audit)]
        )

    async def archive_room(self, *, room_id: int, audit: AuditEntry) -> None:
        await self._steps(
            [Step("UPDATE rooms SET archived = true WHERE id = ?", (room_id,)), audit_step(audit)]
        )

    async def delete_room(self, *, room_id: int, audit: AuditEntry) -> None:
        """The room and everything in it (memberships, messages, uploads' records)."""
        await self._steps([Step("DELETE FROM rooms WHERE id = ?", (room_id,)), audit_step(audit)])

    async def all_rooms(self) -> list[RoomRecord]:
        """Every room but DMs, by name (the operator's list)."""
        rows = await self._rows(
            f"SELECT {ROOM_COLUMNS} FROM rooms r WHERE r.kind = 'room' ORDER BY r.name"
        )
        return [room_from_row(r) for r in rows]

    # ---- accounts ----
    async def account(self, *, username: str) -> Account | None:
        rows = await self._rows(
            "SELECT id, username, role = 'admin', deactivated_at IS NOT NULL FROM users"
            " WHERE username_key = ?",
            username.lower(),
        )
        if not rows:
            return None
        user_id, name, admin, deactivated = rows[0]
        return Account(user_id, name, bool(admin), bool(deactivated))

    async def accounts(self, *, prefix: str, limit: int) -> list[tuple[UserRecord, Account]]:
        """Every account whose username starts with ``prefix`` (the admin's list)."""
        rows = await self._rows(
            f"SELECT {USER_COLUMNS}, u.role = 'admin', u.deactivated_at IS NOT NULL"
            " FROM users u WHERE u.username_key LIKE ? ESCAPE '\\'"
            " ORDER BY u.username_key LIMIT ?",
            like_prefix(prefix),
            limit,
        )
        return [(user_from_row(r), Account(r[0], r[1], bool(r[4]), bool(r[5]))) for r in rows]

    async def set_server_role(self, *, user_id: int, admin: bool, audit: AuditEntry) -> None:
        role = "admin" if admin else "member"
        await self._steps(
            [Step("UPDATE users SET role = ? WHERE id = ?", (role, user_id)), audit_step(audit)]
        )

    async def logins_of(self, *, user_id: int) -> list[str]:
        rows = await self._rows(
            "SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = ?", user_id
        )
        return [r[0] for r in rows]

    async def deactivate(self, *, user_id: int, audit: AuditEntry) -> None:
        """Mark the account and end every login it has (their tokens stop at once)."""
        await self._steps(
            [
                Step("UPDATE users SET deactivated_at = ? WHERE id = ?", (utc_now(), user_id)),
                Step("DELETE FROM refresh_tokens WHERE user_id = ?", (user_id,)),
                audit_step(audit),
            ]
        )

    async def reactivate(self, *, user_id: int, audit: AuditEntry) -> None:
        await self._steps(
            [
                Step("UPDATE users SET deactivated_at = NULL WHERE id = ?", (user_id,)),
                audit_step(audit),
            ]
        )

    async def change_password(self, *, user_id: int, password_hash: str, keep: str | None) -> None:
        """The new hash; every login of the user but ``keep`` ends."""
        await self._steps(
            [
                Step("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id)),
                Step(
                    "DELETE FROM refresh_tokens WHERE user_id = ? AND family_id <> ?",
                    (user_id, keep or ""),
                ),
            ]
        )

    # ---- the audit log ----
    async def audit_entries(
        self,
        *,
        before_id: int | None,
        limit: int,
        room: str | None = None,
        actor_id: int | None = None,
    ) -> list[AuditRecord]:
        """Newest first, optionally of one room (by the name it had) or one actor. The log
        is small (moderation, not messages): walking it back by id and filtering is cheap
        without an index of its own."""
        where = ["a.id < ?"]
        params: list[object] = [before_id if before_id is not None else 2**63 - 1]
        if room is not None:
            where.append("a.room = ?")
            params.append(room)
        if actor_id is not None:
            where.append("a.actor_id = ?")
            params.append(actor_id)
        rows = await self._rows(
            "SELECT a.id, a.at, a.actor_id, u.username, a.action, a.room, a.target, a.detail"
            " FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id"
            f" WHERE {' AND '.join(where)} ORDER BY a.id DESC LIMIT ?",
            *params,
            limit,
        )
        return [AuditRecord(r[0], as_iso(r[1]), *r[2:]) for r in rows]
