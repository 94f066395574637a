"""The columns both stores select, and how a row becomes a record, written once.

SQLite hands back ``created_at`` as the ISO text it stored; PostgreSQL as a ``datetime``.
Reactions, mentions and attachments live on the message row as JSON text (``[]`` for
nearly every message, which is recognised without parsing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson

from hubbub.store.base import (
    Attachment,
    MessageRecord,
    Reaction,
    RoomAccess,
    RoomRecord,
    UserRecord,
    iso,
)

ROOM_COLUMNS = (
    "r.id, r.name, r.private, r.owner_id, r.created_at, r.last_seq, r.last_rev, r.kind,"
    " r.topic, r.archived"
)
ROOM_WIDTH = 10  # how many columns ROOM_COLUMNS is
# After ROOM_COLUMNS: what the caller is in the room (``RoomAccess``).
ACCESS_COLUMNS = (
    "m.user_id IS NOT NULL, u.id, u.username, u.display_name, u.bot, m.role, mu.until,"
    " b.user_id IS NOT NULL, u.role"
)
ACCESS_JOINS = (
    " LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = u.id"
    " LEFT JOIN mutes mu ON mu.room_id = r.id AND mu.user_id = u.id"
    " LEFT JOIN bans b ON b.room_id = r.id AND b.user_id = u.id"
)
USER_COLUMNS = "u.id, u.username, u.display_name, u.bot"
MESSAGE_COLUMNS = (
    "m.id, m.seq, m.user_id, u.username, m.text, m.created_at, m.client_id,"
    " m.rev, m.edited_at, m.deleted, m.reply_to, m.reply_count,"
    " m.reactions, m.mentions, m.attachments, u.display_name, u.bot"
)
MESSAGE_SELECT = f"SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.user_id"
EMPTY = "[]"


def as_iso(value: str | datetime) -> str:
    return value if isinstance(value, str) else iso(value)


def room_from_row(row: Sequence[Any]) -> RoomRecord:
    """A row that starts with ``ROOM_COLUMNS``."""
    return RoomRecord(
        id=row[0],
        name=row[1],
        private=bool(row[2]),
        owner_id=row[3],
        created_at=as_iso(row[4]),
        last_seq=row[5],
        last_rev=row[6],
        kind=row[7],
        topic=row[8],
        archived=bool(row[9]),
    )


def access_from_row(row: Sequence[Any]) -> RoomAccess:
    """A row of ``ROOM_COLUMNS`` then ``ACCESS_COLUMNS``."""
    w = ROOM_WIDTH
    until = row[w + 6]
    return RoomAccess(
        room=room_from_row(row),
        member=bool(row[w]),
        user=user_from_row(row, w + 1),
        role=row[w + 5],
        muted_until=datetime.fromisoformat(until) if isinstance(until, str) else until,
        banned=bool(row[w + 7]),
        admin=row[w + 8] == "admin",
    )


def user_from_row(row: Sequence[Any], at: int = 0) -> UserRecord:
    """``USER_COLUMNS`` starting at column ``at``."""
    return UserRecord(
        id=row[at], username=row[at + 1], display_name=row[at + 2], bot=bool(row[at + 3])
    )


def message_from_row(room: str, row: Sequence[Any]) -> MessageRecord:
    """A row of ``MESSAGE_SELECT``."""
    edited_at = row[8]
    return MessageRecord(
        id=row[0],
        room=room,
        seq=row[1],
        user=UserRecord(id=row[2], username=row[3], display_name=row[15], bot=bool(row[16])),
        text=row[4],
        created_at=as_iso(row[5]),
        client_id=row[6],
        rev=row[7],
        edited_at=None if edited_at is None else as_iso(edited_at),
        deleted=bool(row[9]),
        reply_to=row[10],
        reply_count=row[11],
        reactions=reactions_from_json(row[12]),
        mentions=ids_from_json(row[13]),
        attachments=attachments_from_json(row[14]),
    )


def reactions_from_json(text: str) -> tuple[Reaction, ...]:
    if text == EMPTY:
        return ()
    return tuple(Reaction(r["emoji"], tuple(r["user_ids"])) for r in orjson.loads(text))


def reactions_json(reactions: Iterable[Reaction]) -> str:
    return orjson.dumps([{"emoji": r.emoji, "user_ids": r.user_ids} for r in reactions]).decode()


def ids_from_json(text: str) -> tuple[int, ...]:
    return () if text == EMPTY else tuple(orjson.loads(text))


def ids_json(ids: Iterable[int]) -> str:
    return orjson.dumps(list(ids)).decode()


def attachments_from_json(text: str) -> tuple[Attachment, ...]:
    if text == EMPTY:
        return ()
    return tuple(Attachment(**a) for a in orjson.loads(text))


def attachments_json(attachments: Iterable[Attachment]) -> str:
    return orjson.dumps(
        [
            {
                "id": a.id,
                "name": a.name,
                "size": a.size,
                "content_type": a.content_type,
                "width": a.width,
                "height": a.height,
            }
            for a in attachments
        ]
    ).decode()
