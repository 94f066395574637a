"""What the PostgreSQL writer runs for sends and changes, inside its transaction.

The bookkeeping (resends, seq and rev blocks, reply counts) is ``batching``'s and what a
change does is ``changes``'; this module is only their SQL for PostgreSQL. Room rows are
locked in one order (ascending id) by every process, so writers on several nodes queue
behind each other instead of deadlocking.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import asyncpg

from hubbub.search_words import lexemes
from hubbub.store import batching, changes
from hubbub.store.base import (
    Attachment,
    ChangedMessage,
    MessageChange,
    MessageRecord,
    NewMessage,
    Refused,
    StoredMessage,
)
from hubbub.store.rows import (
    MESSAGE_COLUMNS,
    MESSAGE_SELECT,
    attachments_json,
    ids_json,
    message_from_row,
    reactions_json,
)

Result = StoredMessage | ChangedMessage | Refused


class ResendsFound(Exception):
    """An optimistic batch met a ``client_id`` already stored: plan it again, looking up."""


async def write_batch(
    conn: asyncpg.Connection, items: list[batching.Item], *, look_up_resends: bool = False
) -> list[Result]:
    """Every queued send and change, in queue order, in the caller's one transaction.

    Unless ``look_up_resends``, sends are planned as if none repeats a stored
    ``client_id`` (resends come only after a lost ack), and the insert skips rows that do;
    if one did, ``ResendsFound`` rolls the batch back for a second plan that looks them
    up. That saves a round trip on nearly every batch (RESULTS.md, issue 7)."""
    if any(isinstance(item, MessageChange) for item in items):
        # Sends lock their rooms sorted; changes come one by one: lock all of them first.
        await conn.execute(
            "SELECT id FROM rooms WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
            sorted({item.room.id for item in items}),
        )
    results: list[Result] = []
    for start, end in batching.runs(items):
        first = items[start]
        if isinstance(first, MessageChange):
            results.append(await change_message(conn, first))
        else:
            sends = [item for item in items[start:end] if isinstance(item, NewMessage)]
            results.extend(await store_messages(conn, sends, look_up_resends=look_up_resends))
    return results


async def _resends(
    conn: asyncpg.Connection, firsts: dict[batching.DedupKey, NewMessage]
) -> dict[batching.DedupKey, MessageRecord]:
    stored: dict[batching.DedupKey, MessageRecord] = {}
    if not firsts:
        return stored
    keys = list(firsts)
    # LATERAL … LIMIT 1 keeps this an index probe per key, even under a plan cached
    # while the table was empty (a hash join over all messages otherwise).
    rows = await conn.fetch(
        f"SELECT k.room_id, k.user_id, k.client_id, {MESSAGE_COLUMNS}"
        " FROM unnest($1::bigint[], $2::bigint[], $3::text[])"
        " AS k(room_id, user_id, client_id) CROSS JOIN LATERAL"
        " (SELECT * FROM messages WHERE room_id = k.room_id AND user_id = k.user_id"
        " AND client_id = k.client_id LIMIT 1) m JOIN users u ON u.id = m.user_id",
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
    )
    for r in rows:
        key = (r[0], r[1], r[2])
        stored[key] = message_from_row(firsts[key].room.name, r[3:])
    return stored


# One round trip reserves each room's seq and rev blocks and inserts the rows numbered
# from them (``so``/``vo``: a row's 1-based place in its room's blocks, from ``batching``);
# a row whose client_id is already stored is skipped, which the caller notices.
_RESERVE_AND_INSERT = (
    "WITH reserved AS ("
    " UPDATE rooms SET last_seq = rooms.last_seq + c.n, last_rev = rooms.last_rev + c.r"
    " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS c(id, n, r)"
    " WHERE rooms.id = c.id"
    " RETURNING rooms.id, rooms.last_seq - c.n AS seq0, rooms.last_rev - c.r AS rev0)"
    " INSERT INTO messages (room_id, seq, user_id, text, created_at, client_id, rev,"
    " reply_to, mentions, search, attachments)"
    " SELECT x.r, q.seq0 + x.so, x.u, x.t, x.c, x.k, q.rev0 + x.vo, x.p, x.n,"
    " array_to_tsvector(string_to_array(x.w, ' ')), x.a"
    " FROM unnest($4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::timestamptz[],"
    " $9::text[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[])"
    " AS x(r, so, u, t, c, k, vo, p, n, w, a) JOIN reserved q ON q.id = x.r"
    " ON CONFLICT (room_id, user_id, client_id) DO NOTHING"
    " RETURNING room_id, seq, rev, id"
)


async def store_messages(
    conn: asyncpg.Connection, batch: list[NewMessage], *, look_up_resends: bool = True
) -> list[StoredMessage | Refused]:
    firsts = batching.first_by_key(batch)
    # A resend with files would look like a second claim of them: always look those up.
    if look_up_resends or any(m.attachments for m in batch):
        stored = await _resends(conn, firsts)
    else:
        stored = {}
    claims, refused = await _claim_uploads(conn, batch, stored)
    plan = batching.plan_batch(batch, stored, refused)
    if not plan.new:
        return batching.resolve_batch(batch, plan, {}, {}, refused=refused)
    room_ids = sorted(plan.count_per_room)  # one lock order for every process
    seq_places = batching.assign_seqs(batch, plan, plan.count_per_room)
    rev_places = batching.assign_revs(batch, plan, plan.revs_per_room).message
    new = [batch[i] for i in plan.new]
    inserted = await conn.fetch(
        _RESERVE_AND_INSERT,
        room_ids,
        [plan.count_per_room[i] for i in room_ids],
        [plan.revs_per_room[i] for i in room_ids],
        [m.room.id for m in new],
        [seq_places[i] for i in plan.new],
        [m.user.id for m in new],
        [m.text for m in new],
        [m.created_at for m in new],
        [m.client_id for m in new],
        [rev_places[i] for i in plan.new],
        [m.reply_to for m in new],
        [ids_json(m.mentions) if m.mentions else "[]" for m in new],
        [lexemes(m.text) for m in new],
        [attachments_json(claims[i]) if i in claims else "[]" for i in plan.new],
    )
    if len(inserted) != len(new):
        raise ResendsFound
    # Each room's first new row holds place 1 in both its blocks: the lowest seq and rev.
    first_seq: dict[int, int] = {}
    first_rev: dict[int, int] = {}
    for room_id, seq, rev, _ in inserted:
        first_seq[room_id] = min(seq, first_seq.get(room_id, seq))
        first_rev[room_id] = min(rev, first_rev.get(room_id, rev))
    seqs = batching.assign_seqs(
        batch, plan, {r: first_seq[r] - 1 + n for r, n in plan.count_per_room.items()}
    )
    revs = batching.assign_revs(
        batch, plan, {r: first_rev[r] - 1 + n for r, n in plan.revs_per_room.items()}
    )
    id_of = {(r[0], r[1]): r[3] for r in inserted}
    ids = {i: id_of[(batch[i].room.id, seqs[i])] for i in plan.new}
    mentioned = [(u, batch[i].room.id, seqs[i]) for i in plan.new for u in batch[i].mentions]
    if mentioned:
        await conn.executemany(
            "INSERT INTO mentions (user_id, room_id, seq) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING",
            mentioned,
        )
    attached = [
        (ids[i], upload_id) for i in plan.new if i in claims for upload_id in batch[i].attachments
    ]
    if attached:
        await conn.executemany("UPDATE uploads SET message_id = $1 WHERE id = $2", attached)
    parents = await _bump_reply_counts(conn, batch, plan, revs)
    return batching.resolve_batch(batch, plan, seqs, ids, revs, parents, claims, refused)


async def _claim_uploads(
    conn: asyncpg.Connection,
    batch: list[NewMessage],
    stored: dict[batching.DedupKey, MessageRecord],
) -> tuple[dict[int, tuple[Attachment, ...]], dict[int, Refused]]:
    indexes = batching.claims_to_check(batch, stored)
    if not indexes:
        return {}, {}
    wanted = sorted({upload_id for i in indexes for upload_id in batch[i].attachments})
    # Locked: another node's writer claiming one of these waits, then finds it taken.
    rows = await conn.fetch(
        "SELECT id, name, size, content_type, width, height, room_id, user_id FROM uploads"
        " WHERE id = ANY($1::bigint[]) AND message_id IS NULL ORDER BY id FOR UPDATE",
        wanted,
    )
    uploads = {r[0]: (Attachment(*r[:6]), r[6], r[7]) for r in rows}
    return batching.claim_all(batch, indexes, uploads)


async def _bump_reply_counts(
    conn: asyncpg.Connection, batch: list[NewMessage], plan: batching.BatchPlan, revs: batching.Revs
) -> dict[int, MessageRecord] | None:
    replies = [i for i in plan.new if batch[i].reply_to is not None]
    if not replies:
        return None
    names: dict[int, str] = {}
    for i in replies:
        m = batch[i]
        names[m.room.id] = m.room.name
        await conn.execute(
            "UPDATE messages SET reply_count = reply_count + 1, rev = $1"
            " WHERE room_id = $2 AND seq = $3",
            revs.parent[i],
            m.room.id,
            m.reply_to,
        )
    keys = sorted({(batch[i].room.id, batch[i].reply_to or 0) for i in replies})
    rows = await conn.fetch(
        f"SELECT k.room_id, {MESSAGE_COLUMNS} FROM unnest($1::bigint[], $2::bigint[])"
        " AS k(room_id, seq) JOIN messages m ON m.room_id = k.room_id AND m.seq = k.seq"
        " JOIN users u ON u.id = m.user_id",
        [k[0] for k in keys],
        [k[1] for k in keys],
    )
    latest = {(r[0], r[2]): message_from_row(names[r[0]], r[1:]) for r in rows}
    if len(latest) != len(keys):
        raise LookupError("a replied-to message is not there")
    return batching.parents_updated(batch, plan, revs, latest)


async def change_message(
    conn: asyncpg.Connection, change: MessageChange
) -> ChangedMessage | Refused:
    room = change.room
    row = await conn.fetchrow(
        f"{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq = $2 FOR UPDATE OF m",
        room.id,
        change.seq,
    )
    if row is None:
        return Refused("not_found", f"no message {change.seq} in room {room.name!r}")
    current = message_from_row(room.name, row)
    outcome = changes.apply(change, current)
    if outcome is None:
        return ChangedMessage(current, changed=False)
    if isinstance(outcome, Refused):
        return outcome
    rev = await conn.fetchval(
        "UPDATE rooms SET last_rev = last_rev + 1 WHERE id = $1 RETURNING last_rev", room.id
    )
    await conn.execute(
        "UPDATE messages SET text = $1, edited_at = $2, deleted = $3, reactions = $4,"
        " mentions = $5, attachments = $6, rev = $7,"
        " search = CASE WHEN text = $1 THEN search"
        " ELSE array_to_tsvector(string_to_array($9, ' ')) END WHERE id = $8",
        outcome.text,
        change.at if outcome.edited_at != current.edited_at else _when(row),
        outcome.deleted,
        reactions_json(outcome.reactions),
        ids_json(outcome.mentions),
        attachments_json(outcome.attachments),
        rev,
        current.id,
        lexemes(outcome.text),
    )
    if outcome.mentions != current.mentions:
        await conn.execute(
            "DELETE FROM mentions WHERE room_id = $1 AND seq = $2", room.id, current.seq
        )
        await conn.executemany(
            "INSERT INTO mentions (user_id, room_id, seq) VALUES ($1, $2, $3)",
            [(user_id, room.id, current.seq) for user_id in outcome.mentions],
        )
    if outcome.attachments != current.attachments:  # a delete lets its files go
        await conn.execute("UPDATE uploads SET message_id = NULL WHERE message_id = $1", current.id)
    return ChangedMessage(replace(outcome, rev=rev), changed=True)


def _when(row: Any) -> Any:
    """The row's own ``edited_at`` (a ``datetime`` or ``None``), written back unchanged."""
    return row[8]
