"""What the SQLite writer thread runs for sends and changes, inside its transaction.

The bookkeeping (resends, seq and rev blocks, reply counts) is ``batching``'s and what a
change does is ``changes``'; this module is only their SQL for SQLite.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from hubbub.store import batching, changes
from hubbub.store.base import (
    Attachment,
    ChangedMessage,
    MessageChange,
    MessageRecord,
    NewMessage,
    Refused,
    StoredMessage,
    iso,
)
from hubbub.store.rows import (
    EMPTY,
    MESSAGE_COLUMNS,
    MESSAGE_SELECT,
    attachments_json,
    ids_json,
    message_from_row,
    reactions_json,
)
from hubbub.store.sqlite.indexer import SearchIndexer

Result = StoredMessage | ChangedMessage | Refused


def write_batch(
    conn: sqlite3.Connection, items: list[batching.Item], *, indexer: SearchIndexer
) -> list[Result]:
    """Every queued send and change, in queue order, in the caller's one transaction;
    the new messages are left to ``indexer`` for the search index."""
    results: list[Result] = []
    for start, end in batching.runs(items):
        first = items[start]
        if isinstance(first, MessageChange):
            results.append(change_message(conn, first))
        else:
            sends = [item for item in items[start:end] if isinstance(item, NewMessage)]
            stored = store_messages(conn, sends)
            indexer.noted(sum(1 for r in stored if isinstance(r, StoredMessage) and r.created))
            results.extend(stored)
    return results


def _message(conn: sqlite3.Connection, room_id: int, room: str, seq: int) -> MessageRecord | None:
    row = conn.execute(f"{MESSAGE_SELECT} WHERE m.room_id = ? AND m.seq = ?", (room_id, seq))
    found = row.fetchone()
    return message_from_row(room, found) if found else None


def store_messages(
    conn: sqlite3.Connection, batch: list[NewMessage]
) -> list[StoredMessage | Refused]:
    stored = _resends(conn, batching.first_by_key(batch))
    claims, refused = _claim_uploads(conn, batch, stored)
    plan = batching.plan_batch(batch, stored, refused)
    counters = {
        room_id: conn.execute(
            "UPDATE rooms SET last_seq = last_seq + ?, last_rev = last_rev + ? WHERE id = ?"
            " RETURNING last_seq, last_rev",
            (count, plan.revs_per_room[room_id], room_id),
        ).fetchone()
        for room_id, count in plan.count_per_room.items()
    }
    seqs = batching.assign_seqs(batch, plan, {k: v[0] for k, v in counters.items()})
    revs = batching.assign_revs(batch, plan, {k: v[1] for k, v in counters.items()})
    ids = _insert_rows(conn, batch, plan.new, seqs, revs.message, claims)
    parent_keys: dict[tuple[int, int], str] = {}
    for index in plan.new:
        m = batch[index]
        if index in claims:
            marks = ",".join("?" * len(m.attachments))
            conn.execute(
                f"UPDATE uploads SET message_id = ? WHERE id IN ({marks})",
                (ids[index], *m.attachments),
            )
        if m.mentions:
            conn.executemany(
                "INSERT INTO mentions (user_id, room_id, seq) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [(user_id, m.room.id, seqs[index]) for user_id in m.mentions],
            )
        if m.reply_to is not None:
            conn.execute(
                "UPDATE messages SET reply_count = reply_count + 1, rev = ?"
                " WHERE room_id = ? AND seq = ?",
                (revs.parent[index], m.room.id, m.reply_to),
            )
            parent_keys[(m.room.id, m.reply_to)] = m.room.name
    latest: dict[tuple[int, int], MessageRecord] = {}
    for (room_id, seq), room in parent_keys.items():
        parent = _message(conn, room_id, room, seq)
        if parent is None:
            raise LookupError(f"replied-to message {seq} of room {room_id} is not there")
        latest[(room_id, seq)] = parent
    parents = batching.parents_updated(batch, plan, revs, latest) if latest else None
    return batching.resolve_batch(batch, plan, seqs, ids, revs, parents, claims, refused)


# Up to this many (room, user, client_id) keys per lookup: 3 variables each, well under
# SQLite's limit of 32,766.
_KEYS_PER_LOOKUP = 500


def _resends(
    conn: sqlite3.Connection, first: dict[batching.DedupKey, NewMessage]
) -> dict[batching.DedupKey, MessageRecord]:
    """The batch's ``client_id``s already stored, in one indexed lookup per 500 keys (one
    statement per send was a tenth of the writer's time)."""
    stored: dict[batching.DedupKey, MessageRecord] = {}
    keys = list(first)
    for start in range(0, len(keys), _KEYS_PER_LOOKUP):
        chunk = keys[start : start + _KEYS_PER_LOOKUP]
        rows = conn.execute(
            f"WITH k(r, u, c) AS (VALUES {','.join(['(?, ?, ?)'] * len(chunk))})"
            f" SELECT m.room_id, {MESSAGE_COLUMNS} FROM k CROSS JOIN messages m"
            " ON m.room_id = k.r AND m.user_id = k.u AND m.client_id = k.c"
            " JOIN users u ON u.id = m.user_id",  # k first: one probe of the unique index each
            [value for key in chunk for value in key],
        ).fetchall()
        for row in rows:
            key = (row[0], row[3], row[7])
            stored[key] = message_from_row(first[key].room.name, row[1:])
    return stored


def _insert_rows(
    conn: sqlite3.Connection,
    batch: list[NewMessage],
    new: list[int],
    seqs: dict[int, int],
    revs: dict[int, int],
    claims: dict[int, tuple[Attachment, ...]],
) -> dict[int, int]:
    """The new rows in one ``executemany``; their ids follow from the last one, since this
    thread is the only writer and ``id`` is the rowid (checked: the count must match)."""
    if not new:
        return {}
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO messages (room_id, seq, user_id, text, created_at, client_id, rev,"
        " reply_to, mentions, attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                (m := batch[index]).room.id,
                seqs[index],
                m.user.id,
                m.text,
                iso(m.created_at),
                m.client_id,
                revs[index],
                m.reply_to,
                ids_json(m.mentions) if m.mentions else EMPTY,
                attachments_json(claims[index]) if index in claims else EMPTY,
            )
            for index in new
        ],
    )
    if conn.total_changes - before != len(new):
        raise RuntimeError("a message insert did not add exactly one row")
    (last,) = conn.execute("SELECT last_insert_rowid()").fetchone()
    first = last - len(new) + 1
    return {index: first + offset for offset, index in enumerate(new)}


def _claim_uploads(
    conn: sqlite3.Connection,
    batch: list[NewMessage],
    stored: dict[batching.DedupKey, MessageRecord],
) -> tuple[dict[int, tuple[Attachment, ...]], dict[int, Refused]]:
    indexes = batching.claims_to_check(batch, stored)
    if not indexes:
        return {}, {}
    wanted = sorted({upload_id for i in indexes for upload_id in batch[i].attachments})
    rows = conn.execute(
        "SELECT id, name, size, content_type, width, height, room_id, user_id FROM uploads"
        f" WHERE id IN ({','.join('?' * len(wanted))}) AND message_id IS NULL",
        wanted,
    ).fetchall()
    uploads = {r[0]: (Attachment(*r[:6]), r[6], r[7]) for r in rows}
    return batching.claim_all(batch, indexes, uploads)


def change_message(conn: sqlite3.Connection, change: MessageChange) -> ChangedMessage | Refused:
    room = change.room
    current = _message(conn, room.id, room.name, change.seq)
    if current is None:
        return Refused("not_found", f"no message {change.seq} in room {room.name!r}")
    outcome = changes.apply(change, current)
    if outcome is None:
        return ChangedMessage(current, changed=False)
    if isinstance(outcome, Refused):
        return outcome
    (rev,) = conn.execute(
        "UPDATE rooms SET last_rev = last_rev + 1 WHERE id = ? RETURNING last_rev", (room.id,)
    ).fetchone()
    conn.execute(
        "UPDATE messages SET text = ?, edited_at = ?, deleted = ?, reactions = ?, mentions = ?,"
        " attachments = ?, rev = ? WHERE id = ?",
        (
            outcome.text,
            outcome.edited_at,
            outcome.deleted,
            reactions_json(outcome.reactions),
            ids_json(outcome.mentions),
            attachments_json(outcome.attachments),
            rev,
            current.id,
        ),
    )
    if outcome.mentions != current.mentions:
        conn.execute("DELETE FROM mentions WHERE room_id = ? AND seq = ?", (room.id, current.seq))
        conn.executemany(
            "INSERT INTO mentions (user_id, room_id, seq) VALUES (?, ?, ?)",
            [(user_id, room.id, current.seq) for user_id in outcome.mentions],
        )
    if outcome.attachments != current.attachments:  # a delete lets its files go
        conn.execute("UPDATE uploads SET message_id = NULL WHERE message_id = ?", (current.id,))
    return ChangedMessage(replace(outcome, rev=rev), changed=True)
