"""Group commit, the part both stores share: deciding what a batch of sends stores.

A writer takes every message queued so far and, inside one transaction:
1. finds resends (``client_id`` seen before, in the database or earlier in this batch)
   *before* reserving seqs, so no seq is wasted and a room's seqs stay gap-free;
2. reserves one block of seqs per room with a single ``UPDATE … last_seq = last_seq + n``;
3. inserts the new rows in one statement and commits;
4. resolves every sender's future with its stored message.
The backends do the I/O; the pure bookkeeping lives here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hubbub.store.base import MessageRecord, NewMessage, StoredMessage, iso

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


def first_by_key(batch: list[NewMessage]) -> dict[DedupKey, NewMessage]:
    """The first send of each ``client_id`` in the batch: the keys to look up."""
    first: dict[DedupKey, NewMessage] = {}
    for message in batch:
        key = dedup_key(message)
        if key is not None and key not in first:
            first[key] = message
    return first


def already_stored(
    send: NewMessage, *, id: int, seq: int, text: str, created_at: str
) -> MessageRecord:
    """The stored message a resend gets back (same room and user as the resend)."""
    return MessageRecord(
        id=id,
        room=send.room.name,
        seq=seq,
        user=send.user,
        text=text,
        created_at=created_at,
        client_id=send.client_id,
    )


def plan_batch(batch: list[NewMessage], stored: dict[DedupKey, MessageRecord]) -> BatchPlan:
    plan = BatchPlan()
    first_with_key: dict[DedupKey, int] = {}
    for index, message in enumerate(batch):
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


def resolve_batch(
    batch: list[NewMessage], plan: BatchPlan, seqs: dict[int, int], ids: dict[int, int]
) -> list[StoredMessage]:
    """One result per send, in batch order."""
    results: list[StoredMessage | None] = [None] * len(batch)
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
        )
        results[index] = StoredMessage(record, created=True)
    for index, record in plan.existing.items():
        results[index] = StoredMessage(record, created=False)
    for index, first in plan.repeats_of.items():
        first_result = results[first]
        assert first_result is not None
        results[index] = StoredMessage(first_result.message, created=False)
    return [r for r in results if r is not None]
