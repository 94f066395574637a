"""The ``Store`` contract for v2's change stream, on SQLite and PostgreSQL alike.

Every change in a room (new message, edit, delete, reaction, reply count) takes the next
``rev`` in the transaction that makes it; a change that changes nothing takes none; a
message's row carries the rev of its latest change, so ``messages_changed`` returns each
changed message once, in its latest state. A client that keeps the highest rev it has
seen can never miss an edit, a delete or a reaction.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from hubbub.store.base import (
    ChangedMessage,
    ChangeKind,
    MessageChange,
    MessageRecord,
    NewMessage,
    Refused,
    RoomRecord,
    Store,
    StoredMessage,
    UserRecord,
    utc_now,
)
from tests.store.conftest import MakeRoom, MakeUser, new_message


async def room_now(store: Store, room: RoomRecord) -> RoomRecord:
    fresh = await store.get_room(name=room.name)
    assert fresh is not None
    return fresh


async def send(store: Store, message: NewMessage) -> MessageRecord:
    stored = await store.store_message(message)
    assert isinstance(stored, StoredMessage), stored
    return stored.message


def change(
    room: RoomRecord, seq: int, kind: ChangeKind, actor: UserRecord, **fields: object
) -> MessageChange:
    return MessageChange(
        room=room,
        seq=seq,
        kind=kind,
        actor_id=actor.id,
        at=utc_now(),
        **fields,  # type: ignore[arg-type]
    )


async def changed(store: Store, c: MessageChange) -> ChangedMessage:
    outcome = await store.change_message(c)
    assert isinstance(outcome, ChangedMessage), outcome
    return outcome


async def test_every_new_message_takes_the_next_rev(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    ann = await make_user("ann")
    room = await make_room("lobby", owner=ann)
    assert room.last_rev == 0
    sent = [await send(store, new_message(room, ann, f"m{i}")) for i in range(3)]
    assert [(m.seq, m.rev) for m in sent] == [(1, 1), (2, 2), (3, 3)]
    assert (await room_now(store, room)).last_rev == 3
    # the full v2 shape of a fresh message
    first = sent[0]
    assert (first.edited_at, first.deleted, first.reply_to, first.reply_count) == (
        None,
        False,
        None,
        0,
    )
    assert (first.reactions, first.mentions, first.attachments) == ((), (), ())
    assert await store.get_message(room=room, seq=2) == sent[1]
    assert await store.get_message(room=room, seq=4) is None


async def test_edit_delete_and_reactions_each_take_one_rev(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    ann, bob = await make_user("ann"), await make_user("bob")
    room = await make_room("lobby", owner=ann)
    await store.add_member(room_id=room.id, user_id=bob.id)
    m1 = await send(store, new_message(room, ann, "helo"))
    await send(store, new_message(room, bob, "hi"))

    edited = await changed(store, change(room, 1, "edit", ann, text="hello"))
    assert edited.changed
    assert (edited.message.text, edited.message.rev, edited.message.seq) == ("hello", 3, 1)
    assert edited.message.edited_at is not None
    assert edited.message.created_at == m1.created_at

    # the same text again changes nothing: no rev
    same = await changed(store, change(room, 1, "edit", ann, text="hello"))
    assert not same.changed and same.message.rev == 3

    thumbs = await changed(store, change(room, 1, "react", bob, emoji="👍"))
    assert [(r.emoji, r.user_ids) for r in thumbs.message.reactions] == [("👍", (bob.id,))]
    assert thumbs.message.rev == 4
    again = await changed(store, change(room, 1, "react", bob, emoji="👍"))
    assert not again.changed  # idempotent
    both = await changed(store, change(room, 1, "react", ann, emoji="👍"))
    party = await changed(store, change(room, 1, "react", ann, emoji=":tada:"))
    assert [(r.emoji, r.user_ids) for r in party.message.reactions] == [
        ("👍", (bob.id, ann.id)),
        (":tada:", (ann.id,)),
    ]
    assert (both.message.rev, party.message.rev) == (5, 6)
    gone = await changed(store, change(room, 1, "unreact", bob, emoji="👍"))
    assert [(r.emoji, r.user_ids) for r in gone.message.reactions] == [
        ("👍", (ann.id,)),
        (":tada:", (ann.id,)),
    ]
    nothing = await changed(store, change(room, 1, "unreact", bob, emoji="👍"))
    assert not nothing.changed and nothing.message.rev == 7

    tomb = await changed(store, change(room, 1, "delete", ann))
    assert tomb.changed
    t = tomb.message
    assert (t.seq, t.rev, t.text, t.deleted, t.reactions, t.attachments) == (
        1,
        8,
        "",
        True,
        (),
        (),
    )
    assert not (await changed(store, change(room, 1, "delete", ann))).changed

    # a tombstone takes no edit and no reaction, and the refusal consumes nothing
    assert await store.change_message(change(room, 1, "edit", ann, text="x")) == Refused(
        "bad_request", "message 1 was deleted"
    )
    refused = await store.change_message(change(room, 1, "react", bob, emoji="👍"))
    assert isinstance(refused, Refused) and refused.code == "bad_request"
    unknown = await store.change_message(change(room, 99, "react", bob, emoji="👍"))
    assert isinstance(unknown, Refused) and unknown.code == "not_found"
    assert (await room_now(store, room)).last_rev == 8
    assert (await room_now(store, room)).last_seq == 2  # the seq stream has no hole

    # history shows the tombstone in its place
    page = await store.messages_after(room=room, after=0, limit=10)
    assert [(m.seq, m.deleted, m.text) for m in page.messages] == [(1, True, ""), (2, False, "hi")]


async def test_at_most_twenty_distinct_reactions(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    ann = await make_user("ann")
    room = await make_room("lobby", owner=ann)
    await send(store, new_message(room, ann))
    for i in range(20):
        await changed(store, change(room, 1, "react", ann, emoji=f":e{i}:"))
    refused = await store.change_message(change(room, 1, "react", ann, emoji=":e20:"))
    assert isinstance(refused, Refused) and refused.code == "bad_request"
    message = await store.get_message(room=room, seq=1)
    assert message is not None and len(message.reactions) == 20 and message.rev == 21
    # one more user on an existing emoji is still fine
    bob = await make_user("bob")
    ok = await changed(store, change(room, 1, "react", bob, emoji=":e3:"))
    assert ok.message.reactions[3].user_ids == (ann.id, bob.id)


async def test_messages_changed_gives_each_change_once_in_its_latest_state(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    ann = await make_user("ann")
    room = await make_room("lobby", owner=ann)
    for i in range(5):
        await send(store, new_message(room, ann, f"m{i + 1}"))  # revs 1-5
    seen_rev = 5  # a client saw all of that, then went away
    await changed(store, change(room, 2, "edit", ann, text="m2 fixed"))  # 6
    await changed(store, change(room, 4, "react", ann, emoji="👍"))  # 7
    await changed(store, change(room, 2, "edit", ann, text="m2 fixed twice"))  # 8
    await send(store, new_message(room, ann, "m6"))  # 9
    await changed(store, change(room, 3, "delete", ann))  # 10

    page = await store.messages_changed(room=room, after_rev=seen_rev, limit=100)
    assert not page.has_more
    assert [(m.seq, m.rev) for m in page.messages] == [(4, 7), (2, 8), (6, 9), (3, 10)]
    by_seq = {m.seq: m for m in page.messages}
    assert by_seq[2].text == "m2 fixed twice" and by_seq[3].deleted
    assert [r.emoji for r in by_seq[4].reactions] == ["👍"]

    # paging by rev: limit, then on from the last rev seen
    first = await store.messages_changed(room=room, after_rev=seen_rev, limit=2)
    assert first.has_more and [m.rev for m in first.messages] == [7, 8]
    rest = await store.messages_changed(room=room, after_rev=8, limit=2)
    assert not rest.has_more and [m.rev for m in rest.messages] == [9, 10]
    assert (await store.messages_changed(room=room, after_rev=10, limit=5)).messages == []
    # from 0: every message once
    everything = await store.messages_changed(room=room, after_rev=0, limit=100)
    assert sorted(m.seq for m in everything.messages) == [1, 2, 3, 4, 5, 6]


async def test_a_reply_counts_on_its_parent_with_a_rev_of_its_own(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    ann, bob = await make_user("ann"), await make_user("bob")
    room = await make_room("lobby", owner=ann)
    await store.add_member(room_id=room.id, user_id=bob.id)
    await send(store, new_message(room, ann, "question?"))  # seq 1, rev 1
    stored = await store.store_message(replace(new_message(room, bob, "answer"), reply_to=1))
    assert isinstance(stored, StoredMessage)
    reply = stored.message
    assert (reply.seq, reply.rev, reply.reply_to) == (2, 2, 1)
    assert [(p.seq, p.reply_count, p.rev) for p in stored.updated] == [(1, 1, 3)]
    assert (await room_now(store, room)).last_rev == 3

    # two replies committed in one batch: the parent passes through both counts, each
    # state with its own rev, exactly as if they had come one at a time
    both = await asyncio.gather(
        store.store_message(replace(new_message(room, ann, "a"), reply_to=1)),
        store.store_message(replace(new_message(room, bob, "b"), reply_to=1)),
    )
    results = [s for s in both if isinstance(s, StoredMessage)]
    assert len(results) == 2
    revs = sorted([r.message.rev for r in results] + [p.rev for r in results for p in r.updated])
    assert revs == [4, 5, 6, 7]  # gap-free
    counts = sorted((p.rev, p.reply_count) for r in results for p in r.updated)
    assert [c for _, c in counts] == [2, 3]
    parent = await store.get_message(room=room, seq=1)
    assert parent is not None and (parent.reply_count, parent.rev) == (3, 7)

    replies = await store.replies(room=room, seq=1, after=0, limit=2)
    assert [m.text for m in replies.messages] == ["answer", "a"] or [
        m.text for m in replies.messages
    ] == ["answer", "b"]
    assert replies.has_more
    rest = await store.replies(room=room, seq=1, after=replies.messages[-1].seq, limit=10)
    assert len(rest.messages) == 1 and not rest.has_more
    assert (await store.replies(room=room, seq=2, after=0, limit=10)).messages == []

    # a resend of a reply counts nothing twice
    again = await store.store_message(
        replace(new_message(room, bob, "answer", client_id="c1"), reply_to=1)
    )
    resend = await store.store_message(
        replace(new_message(room, bob, "answer", client_id="c1"), reply_to=1)
    )
    assert isinstance(again, StoredMessage) and isinstance(resend, StoredMessage)
    assert not resend.created and resend.updated == ()
    parent = await store.get_message(room=room, seq=1)
    assert parent is not None and parent.reply_count == 4


async def test_sends_and_changes_share_commits_and_revs_stay_gap_free(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    users = [await make_user(f"u{i}") for i in range(8)]
    room = await make_room("busy", owner=users[0])
    for u in users[1:]:
        await store.add_member(room_id=room.id, user_id=u.id)
    await send(store, new_message(room, users[0], "target"))
    before = getattr(store, "commit_count")  # noqa: B009 - not part of the Protocol

    async def one(i: int) -> StoredMessage | ChangedMessage | Refused:
        user = users[i % len(users)]
        if i % 3 == 0:
            return await store.store_message(new_message(room, user, f"n{i}"))
        kind: ChangeKind = "react" if i % 3 == 1 else "unreact"
        return await store.change_message(change(room, 1, kind, user, emoji=f":r{i % 5}:"))

    outcomes = await asyncio.gather(*(one(i) for i in range(300)))
    commits = getattr(store, "commit_count") - before  # noqa: B009
    assert commits < 150, f"{commits} commits for 300 writes: changes are not batched"

    revs: list[int] = []
    for outcome in outcomes:
        assert not isinstance(outcome, Refused), outcome
        if isinstance(outcome, StoredMessage) or outcome.changed:
            revs.append(outcome.message.rev)
    fresh = await room_now(store, room)
    assert sorted(revs) == list(range(2, fresh.last_rev + 1)), "a rev was skipped or reused"
    # the row holds the latest change's rev and the reactions it left
    target = await store.get_message(room=room, seq=1)
    assert target is not None
    last_change = max(
        o.message.rev for o in outcomes if isinstance(o, ChangedMessage) and o.changed
    )
    assert target.rev == last_change


async def test_mentions_count_until_read_and_follow_edits_and_deletes(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    ann, bob, cat = await make_user("ann"), await make_user("Bob"), await make_user("cat")
    room = await make_room("lobby", owner=ann)
    for u in (bob, cat):
        await store.add_member(room_id=room.id, user_id=u.id)

    assert await store.mention_targets(
        room_id=room.id, usernames=["bob", "nobody"], everyone=False, sender_id=ann.id
    ) == [bob.id]
    assert (
        await store.mention_targets(
            room_id=room.id, usernames=["ann"], everyone=False, sender_id=ann.id
        )
        == []
    )  # never the sender
    assert await store.mention_targets(
        room_id=room.id, usernames=["room"], everyone=True, sender_id=ann.id
    ) == sorted([bob.id, cat.id])
    outsider = await make_user("dan")
    assert (
        await store.mention_targets(
            room_id=room.id, usernames=["dan"], everyone=False, sender_id=ann.id
        )
        == []
    )  # not a member
    assert outsider.id

    async def mentions_of(user: UserRecord) -> int:
        listing = {r.room.name: r for r in await store.list_rooms(user_id=user.id)}
        return listing["lobby"].mentions

    m1 = await send(store, replace(new_message(room, ann, "@bob look"), mentions=(bob.id,)))
    assert m1.mentions == (bob.id,)
    await send(store, replace(new_message(room, ann, "@room hi"), mentions=(bob.id, cat.id)))
    assert (await mentions_of(bob), await mentions_of(cat)) == (2, 1)

    await changed(store, change(room, 1, "edit", ann, text="look", mentions=()))
    assert (await mentions_of(bob), await mentions_of(cat)) == (1, 1)
    await changed(store, change(room, 1, "edit", ann, text="@cat look", mentions=(cat.id,)))
    assert (await mentions_of(bob), await mentions_of(cat)) == (1, 2)
    await changed(store, change(room, 2, "delete", ann))
    assert (await mentions_of(bob), await mentions_of(cat)) == (0, 1)
    await store.mark_read(room_id=room.id, user_id=cat.id, seq=2)
    assert await mentions_of(cat) == 0
    # a deleted message is not unread either
    listing = {r.room.name: r for r in await store.list_rooms(user_id=bob.id)}
    assert listing["lobby"].unread == 1


@pytest.mark.parametrize("seq", [0, 3])
async def test_changes_to_unknown_messages_are_refused(
    store: Store, make_user: MakeUser, make_room: MakeRoom, seq: int
) -> None:
    ann = await make_user("ann")
    room = await make_room("lobby", owner=ann)
    await send(store, new_message(room, ann))
    for kind in ("edit", "delete", "react", "unreact"):
        outcome = await store.change_message(change(room, seq, kind, ann, text="x", emoji="👍"))  # type: ignore[arg-type]
        assert isinstance(outcome, Refused) and outcome.code == "not_found", (kind, outcome)
    assert (await room_now(store, room)).last_rev == 1
