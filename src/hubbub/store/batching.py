"""Group commit, the part both stores share: deciding what a batch of sends stores.

A writer takes every message queued so far and, inside one transaction:
1. finds resends (``client_id`` seen before, in the database or earlier in this batch)
   *before* reserving seqs, so no seq is wasted and a room's seqs stay gap-free;
2. reserves one block of seqs and one of revs per room with a single
   ``UPDATE … last_seq = last_seq + n, last_rev = last_rev + n + replies``;
3. inserts the new rows, bumps replied-to messages' ``reply_count``, and commits;
4. resolves every sender's future with its stored message.
Edits, deletes and reactions queue on the same writer (``runs``): a burst of them is one
transaction too.
The backends do the I/O; the pure bookkeeping lives here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from hubbub.store.base import (
    Attachment,
    MessageChange,
    MessageRecord,
    NewMessage,
    Refused,
    StoredMessage,
    iso,
)

DedupKey = tuple[int, int, str]  # (room_id, user_id, client_id)


def dedup_key(message: NewMessage) -> DedupKey | None:
    if message.client_id is None:
        return None
    return (message.room.id, message.user.id, message.client_id)


@dataclass(slots=True)
class BatchPlan:
    """Which sends of a batch are new rows and which repeat an earlier one."""

    new: list[int] = field(default_factory=list)  # indexes of sends to insert, in order
    repeats_of: dict[int, int] = field(default_factory=dict)  # index -> index it repeats
    existing: dict[int, MessageRecord] = field(default_factory=dict)  # index -> stored row
    count_per_room: dict[int, int] = field(default_factory=dict)
    revs_per_room: dict[int, int] = field(default_factory=dict)  # messages + reply counts


def first_by_key(batch: list[NewMessage]) -> dict[DedupKey, NewMessage]:
    """The first send of each ``client_id`` in the batch: the keys to look up."""
    first: dict[DedupKey, NewMessage] = {}
    for message in batch:
        key = dedup_key(message)
        if key is not None and key not in first:
            first[key] = message
    return first


def plan_batch(
    batch: list[NewMessage],
    stored: dict[DedupKey, MessageRecord],
    refused: dict[int, Refused] | None = None,
) -> BatchPlan:
    plan = BatchPlan()
    first_with_key: dict[DedupKey, int] = {}
    for index, message in enumerate(batch):
        if refused and index in refused:
            continue
        key = dedup_key(message)
        if key is not None:
            if key in stored:
                plan.existing[index] = stored[key]
                continue
            if key in first_with_key:
                plan.repeats_of[index] = first_with_key[key]
                continue
            first_with_key[key] = index
        plan.new.append(index)
        room_id = message.room.id
        plan.count_per_room[room_id] = plan.count_per_room.get(room_id, 0) + 1
        revs = 2 if message.reply_to is not None else 1
        plan.revs_per_room[room_id] = plan.revs_per_room.get(room_id, 0) + revs
    return plan


def assign_seqs(
    batch: list[NewMessage], plan: BatchPlan, last_seq_after: dict[int, int]
) -> dict[int, int]:
    """Give each new row its seq from the block reserved for its room.

    ``last_seq_after`` is each room's counter after the reservation, so the block is
    ``last - n + 1 … last`` and rows take it in queue order.
    """
    next_seq = {
        room_id: last_seq_after[room_id] - count + 1
        for room_id, count in plan.count_per_room.items()
    }
    seqs: dict[int, int] = {}
    for index in plan.new:
        room_id = batch[index].room.id
        seqs[index] = next_seq[room_id]
        next_seq[room_id] += 1
    return seqs


@dataclass(slots=True)
class Revs:
    """The revs a batch's new rows take: each message one, and right after it, when it is
    a reply, one for the replied-to message's new ``reply_count``."""

    message: dict[int, int] = field(default_factory=dict)  # index -> the new row's rev
    parent: dict[int, int] = field(default_factory=dict)  # index -> its parent's new rev


def assign_revs(batch: list[NewMessage], plan: BatchPlan, last_rev_after: dict[int, int]) -> Revs:
    next_rev = {
        room_id: last_rev_after[room_id] - count + 1
        for room_id, count in plan.revs_per_room.items()
    }
    revs = Revs()
    for index in plan.new:
        room_id = batch[index].room.id
        revs.message[index] = next_rev[room_id]
        next_rev[room_id] += 1
        if batch[index].reply_to is not None:
            revs.parent[index] = next_rev[room_id]
            next_rev[room_id] += 1
    return revs


def parents_updated(
    batch: list[NewMessage],
    plan: BatchPlan,
    revs: Revs,
    latest: dict[tuple[int, int], MessageRecord],
) -> dict[int, MessageRecord]:
    """Each reply's parent in the state that reply's rev gave it. ``latest`` is every
    parent as the transaction left it; two replies to one message in a batch give it two
    states (counts n-1 and n), each with its own rev, as if they had come one by one."""
    later: dict[tuple[int, int], int] = {}
    states: dict[int, MessageRecord] = {}
    for index in reversed(plan.new):
        m = batch[index]
        if m.reply_to is None:
            continue
        key = (m.room.id, m.reply_to)
        after = later.get(key, 0)
        final = latest[key]
        states[index] = replace(
            final, reply_count=final.reply_count - after, rev=revs.parent[index]
        )
        later[key] = after + 1
    return states


def claims_to_check(batch: list[NewMessage], stored: dict[DedupKey, MessageRecord]) -> list[int]:
    """The sends whose attachments must be claimed: new ones (a resend gets its stored
    message back, attachments and all), the first of each ``client_id``."""
    seen: set[DedupKey] = set()
    indexes = []
    for index, message in enumerate(batch):
        key = dedup_key(message)
        if key is not None:
            if key in stored or key in seen:
                continue
            seen.add(key)
        if message.attachments:
            indexes.append(index)
    return indexes


UploadRow = tuple[Attachment, int, int]  # the file, its room id, its uploader's id


def claim_all(
    batch: list[NewMessage], indexes: list[int], uploads: dict[int, UploadRow]
) -> tuple[dict[int, tuple[Attachment, ...]], dict[int, Refused]]:
    """For the sends ``claims_to_check`` named, given every unused upload they name
    (``uploads``, by id): each send's attachments, or why it is refused."""
    claims: dict[int, tuple[Attachment, ...]] = {}
    refused: dict[int, Refused] = {}
    claimed: set[int] = set()
    for index in indexes:
        m = batch[index]
        available = {
            upload_id: row[0]
            for upload_id in m.attachments
            if (row := uploads.get(upload_id)) and row[1:] == (m.room.id, m.user.id)
        }
        outcome = claim(m, available, claimed)
        if isinstance(outcome, Refused):
            refused[index] = outcome
        else:
            claims[index] = outcome
    return claims, refused


def claim(
    message: NewMessage, available: dict[int, Attachment], claimed: set[int]
) -> tuple[Attachment, ...] | Refused:
    """The send's attachments, in the order it named them, if every one is an upload of
    its sender to its room that no message uses (``available``) and no earlier send of
    the batch took (``claimed``)."""
    wanted = message.attachments
    if len(set(wanted)) != len(wanted):
        return Refused("bad_request", "an attachment is named twice")
    for upload_id in wanted:
        if upload_id not in available or upload_id in claimed:
            return Refused(
                "bad_request", f"attachment {upload_id} is not an upload of yours to this room"
            )
    claimed.update(wanted)
    return tuple(available[i] for i in wanted)


def resolve_batch(
    batch: list[NewMessage],
    plan: BatchPlan,
    seqs: dict[int, int],
    ids: dict[int, int],
    revs: Revs | None = None,
    parents: dict[int, MessageRecord] | None = None,
    attachments: dict[int, tuple[Attachment, ...]] | None = None,
    refused: dict[int, Refused] | None = None,
) -> list[StoredMessage | Refused]:
    """One result per send, in batch order."""
    results: list[StoredMessage | Refused | None] = [None] * len(batch)
    for index, refusal in (refused or {}).items():
        results[index] = refusal
    parents = parents or {}
    for index in plan.new:
        m = batch[index]
        record = MessageRecord(
            id=ids[index],
            room=m.room.name,
            seq=seqs[index],
            user=m.user,
            text=m.text,
            created_at=iso(m.created_at),
            client_id=m.client_id,
            rev=revs.message[index] if revs else 0,
            reply_to=m.reply_to,
            mentions=m.mentions,
            attachments=attachments.get(index, ()) if attachments else (),
        )
        parent = parents.get(index)
        results[index] = StoredMessage(record, created=True, updated=(parent,) if parent else ())
    for index, record in plan.existing.items():
        results[index] = StoredMessage(record, created=False)
    for index, first in plan.repeats_of.items():
        first_result = results[first]
        assert isinstance(first_result, StoredMessage)
        results[index] = StoredMessage(first_result.message, created=False)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


Item = NewMessage | MessageChange


def runs(items: list[Item]) -> list[tuple[int, int]]:
    """``[start, end)`` spans of a writer's queue: consecutive sends share one planned
    batch; each change stands alone (inside the same transaction)."""
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(items):
        end = start + 1
        if isinstance(items[start], NewMessage):
            while end < len(items) and isinstance(items[end], NewMessage):
                end += 1
        spans.append((start, end))
        start = end
    return spans
