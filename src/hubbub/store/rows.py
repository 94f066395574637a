"""The columns both stores select, and how a row becomes a record, written once.

SQLite hands back ``created_at`` as the ISO text it stored; PostgreSQL as a ``datetime``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hubbub.store.base import MessageRecord, RoomRecord, UserRecord, iso

ROOM_COLUMNS = "r.id, r.name, r.private, r.owner_id, r.created_at, r.last_seq"
MESSAGE_SELECT = (
    "SELECT m.id, m.seq, m.user_id, u.username, m.text, m.created_at, m.client_id"
    " FROM messages m JOIN users u ON u.id = m.user_id"
)


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
    )


def message_from_row(room: str, row: Sequence[Any]) -> MessageRecord:
    """A row of ``MESSAGE_SELECT``."""
    return MessageRecord(
        id=row[0],
        room=room,
        seq=row[1],
        user=UserRecord(id=row[2], username=row[3]),
        text=row[4],
        created_at=as_iso(row[5]),
        client_id=row[6],
    )
