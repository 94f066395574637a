"""The room listing's per-caller counts, written once for both stores.

``unread``: messages after the caller's read mark, not theirs, not deleted; ``mentions``:
those of them that mention the caller (the ``mentions`` table, kept in the same
transaction as the message and its edits). Both only for rooms the caller belongs to
(``m`` is the caller's membership row, so the counts need no parameter of their own).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hubbub.store.base import RoomListing, UserRecord
from hubbub.store.rows import ROOM_WIDTH, room_from_row

LISTING_COUNTS = (
    "CASE WHEN m.user_id IS NULL THEN 0 ELSE (SELECT count(*) FROM messages x"
    " WHERE x.room_id = r.id AND x.seq > m.last_read_seq AND x.user_id <> m.user_id"
    " AND NOT x.deleted) END,"
    " CASE WHEN m.user_id IS NULL THEN 0 ELSE (SELECT count(*) FROM mentions n"
    " WHERE n.user_id = m.user_id AND n.room_id = r.id AND n.seq > m.last_read_seq) END"
)

# Whether the caller (the one parameter) is banned from the room: a ban ends the
# membership, so ``m`` has nothing to say. Only public rooms are listed to a banned user.
LISTING_BANNED = "EXISTS (SELECT 1 FROM bans b WHERE b.room_id = r.id AND b.user_id = ?)"


def listings(
    rows: Sequence[Sequence[Any]], people: dict[int, list[UserRecord]]
) -> list[RoomListing]:
    """Rows of ``ROOM_COLUMNS, member, unread, mentions, notify, role, banned``."""
    w = ROOM_WIDTH
    return [
        RoomListing(
            room_from_row(r),
            member=bool(r[w]),
            unread=max(0, r[w + 1]),
            mentions=r[w + 2],
            notify=r[w + 3] or "all",
            people=tuple(people.get(r[0], ())),
            role=r[w + 4],
            banned=bool(r[w + 5]),
        )
        for r in rows
    ]
