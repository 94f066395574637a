"""The ``Store`` contract: every test runs against SQLite and PostgreSQL alike.

What the actions (and so the users) rely on: unique case-insensitive user names, refresh
token rotation with replay detection, room visibility and unread counts, gap-free per-room
seqs, idempotent resends by ``client_id``, keyset paging, and group commit that shares
commits between concurrent sends without letting one bad send sink its neighbours.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hubbub.store.base import (
    DuplicateName,
    MessagePage,
    MessageRecord,
    NewMessage,
    Replayed,
    RoomAccess,
    RoomRecord,
    Store,
    StoredMessage,
    UserRecord,
    utc_now,
)
from hubbub.store.factory import open_store
from tests.store.conftest import MakeRoom, MakeUser, new_message


def parse_iso_z(value: str) -> datetime:
    assert value.endswith("Z"), value
    parsed = datetime.fromisoformat(value.removesuffix("Z") + "+00:00")
    assert parsed.tzinfo is not None
    return parsed


async def last_seq(store: Store, name: str) -> int:
    room = await store.get_room(name=name)
    assert room is not None
    return room.last_seq


def commit_count(store: Store) -> int:
    """How many message transactions the store committed (both backends count them)."""
    count: int = getattr(store, "commit_count")  # noqa: B009 - not part of the Protocol
    return count


async def history(store: Store, room: RoomRecord) -> list[MessageRecord]:
    page = await store.messages_after(room=room, after=0, limit=10_000)
    assert not page.has_more
    return page.messages


# ---------------------------------------------------------------- users


async def test_ping(store: Store) -> None:
    await store.ping()


async def test_create_and_get_user(store: Store) -> None:
    alice = await store.create_user(username="Alice", password_hash="argon2-hash-a")
    bob = await store.create_user(username="bob", password_hash="argon2-hash-b")

    assert alice.username == "Alice"  # the spelling is kept
    assert alice.id != bob.id
    assert await store.get_user(user_id=alice.id) == alice
    assert await store.get_user(user_id=alice.id + bob.id + 1000) is None

    for spelling in ("Alice", "alice", "ALICE"):
        assert await store.get_user_by_name(username=spelling) == alice
        creds = await store.get_credentials(username=spelling)
        assert creds is not None
        assert (creds.id, creds.username, creds.password_hash) == (
            alice.id,
            "Alice",
            "argon2-hash-a",
        )
    assert await store.get_user_by_name(username="carol") is None
    assert await store.get_credentials(username="carol") is None


async def test_duplicate_user_name_is_case_insensitive(store: Store) -> None:
    alice = await store.create_user(username="Alice", password_hash="h1")
    for spelling in ("Alice", "alice", "ALICE"):
        with pytest.raises(DuplicateName):
            await store.create_user(username=spelling, password_hash="h2")
    creds = await store.get_credentials(username="alice")
    assert creds is not None
    assert (creds.id, creds.password_hash) == (alice.id, "h1")  # the first one is untouched
    # a failed insert leaves the store usable
    assert (await store.create_user(username="alice2", password_hash="h3")).username == "alice2"


async def test_get_users(store: Store, make_user: MakeUser) -> None:
    a, b, c = await make_user("ann"), await make_user("Ben"), await make_user("cat")
    missing = a.id + b.id + c.id + 1000
    found = await store.get_users(user_ids=[c.id, a.id, missing])
    assert sorted(found, key=lambda u: u.id) == sorted([a, c], key=lambda u: u.id)
    assert await store.get_users(user_ids=[]) == []
    assert await store.get_users(user_ids=[missing]) == []


# ---------------------------------------------------------------- refresh tokens


async def test_refresh_token_is_single_use_and_replay_revokes_family(
    store: Store, make_user: MakeUser
) -> None:
    user, other = await make_user(), await make_user()
    now = utc_now()
    later = now + timedelta(days=30)
    await store.add_refresh_token(token_hash="t1", user_id=user.id, family_id="F", expires_at=later)
    await store.add_refresh_token(
        token_hash="x1", user_id=other.id, family_id="G", expires_at=later
    )

    grant = await store.use_refresh_token(token_hash="t1", now=now)
    assert grant is not None
    assert (grant.user, grant.family_id) == (user, "F")

    # rotation: the client got t2 in the same family
    await store.add_refresh_token(token_hash="t2", user_id=user.id, family_id="F", expires_at=later)
    # t1 is replayed (stolen): no grant, and the whole family dies, t2 included
    assert await store.session_active(session="F", user_id=user.id)
    assert await store.use_refresh_token(token_hash="t1", now=now) == Replayed("F")
    assert await store.use_refresh_token(token_hash="t2", now=now) is None
    assert await store.use_refresh_token(token_hash="t1", now=now) is None
    assert not await store.session_active(
        session="F", user_id=user.id
    )  # its access tokens stop too

    # a login belongs to its user: another user's id does not stand for it
    assert await store.session_active(session="G", user_id=other.id)
    assert not await store.session_active(session="G", user_id=user.id)

    # another family is not touched
    other_grant = await store.use_refresh_token(token_hash="x1", now=now)
    assert other_grant is not None
    assert (other_grant.user, other_grant.family_id) == (other, "G")


async def test_refresh_token_expiry(store: Store, make_user: MakeUser) -> None:
    user = await make_user()
    now = utc_now()
    await store.add_refresh_token(
        token_hash="old", user_id=user.id, family_id="F1", expires_at=now - timedelta(seconds=1)
    )
    await store.add_refresh_token(
        token_hash="edge", user_id=user.id, family_id="F2", expires_at=now
    )
    expires = now + timedelta(minutes=5)
    await store.add_refresh_token(
        token_hash="fresh", user_id=user.id, family_id="F3", expires_at=expires
    )

    assert await store.use_refresh_token(token_hash="old", now=now) is None
    assert await store.use_refresh_token(token_hash="edge", now=now) is None
    # judged by the ``now`` given: after its expiry a valid token is refused ...
    assert await store.use_refresh_token(token_hash="fresh", now=expires) is None
    # ... and that refusal did not use it up
    grant = await store.use_refresh_token(token_hash="fresh", now=now)
    assert grant is not None
    assert (grant.user, grant.family_id) == (user, "F3")
    assert await store.use_refresh_token(token_hash="unknown", now=now) is None


async def test_revoke_refresh_token_kills_the_family(store: Store, make_user: MakeUser) -> None:
    user = await make_user()
    now = utc_now()
    later = now + timedelta(days=1)
    for token, family in (("a1", "A"), ("a2", "A"), ("b1", "B")):
        await store.add_refresh_token(
            token_hash=token, user_id=user.id, family_id=family, expires_at=later
        )
    assert await store.use_refresh_token(token_hash="a1", now=now) is not None

    # logout with the current token; the family is named so its sockets can be closed
    assert await store.revoke_refresh_token(token_hash="a2") == "A"
    assert await store.use_refresh_token(token_hash="a2", now=now) is None

    await store.add_refresh_token(token_hash="b2", user_id=user.id, family_id="B", expires_at=later)
    assert await store.revoke_refresh_token(token_hash="b1") == "B"  # an older token
    assert await store.use_refresh_token(token_hash="b2", now=now) is None
    assert await store.use_refresh_token(token_hash="b1", now=now) is None

    assert await store.revoke_refresh_token(token_hash="never-issued") is None  # a no-op
    assert not await store.session_active(session="A", user_id=user.id)
    assert not await store.session_active(session="B", user_id=user.id)
    assert not await store.session_active(session="never-issued", user_id=user.id)


# ---------------------------------------------------------------- rooms


async def test_create_room(store: Store, make_user: MakeUser) -> None:
    owner, other = await make_user("owner"), await make_user("other")
    room = await store.create_room(name="general", private=False, owner_id=owner.id)
    secret = await store.create_room(name="secret", private=True, owner_id=owner.id)

    assert (room.name, room.private, room.owner_id, room.last_seq) == (
        "general",
        False,
        owner.id,
        0,
    )
    assert (secret.private, secret.owner_id) == (True, owner.id)
    assert room.id != secret.id
    parse_iso_z(room.created_at)
    assert await store.get_room(name="general") == room
    assert await store.get_room(name="secret") == secret
    assert await store.get_room(name="nope") is None

    assert await store.is_member(room_id=room.id, user_id=owner.id)
    assert await store.list_members(room_id=room.id) == [owner]
    assert sorted(await store.member_room_names(user_id=owner.id)) == ["general", "secret"]

    with pytest.raises(DuplicateName):
        await store.create_room(name="general", private=True, owner_id=other.id)
    # the failed create left nothing behind
    assert await store.get_room(name="general") == room
    assert await store.member_room_names(user_id=other.id) == []
    assert await store.list_members(room_id=room.id) == [owner]


async def test_memberships(store: Store, make_user: MakeUser, make_room: MakeRoom) -> None:
    owner, ann, bob = await make_user("owner"), await make_user("ann"), await make_user("bob")
    room = await make_room("lobby", owner=owner)
    other = await make_room("other", owner=owner)

    assert not await store.is_member(room_id=room.id, user_id=ann.id)
    assert await store.add_member(room_id=room.id, user_id=ann.id) is True
    assert await store.add_member(room_id=room.id, user_id=ann.id) is False
    assert await store.add_member(room_id=room.id, user_id=owner.id) is False  # already (owner)
    assert await store.add_member(room_id=room.id, user_id=bob.id) is True
    assert await store.is_member(room_id=room.id, user_id=ann.id)
    assert not await store.is_member(room_id=other.id, user_id=ann.id)

    members = await store.list_members(room_id=room.id)
    assert sorted(members, key=lambda u: u.id) == sorted([owner, ann, bob], key=lambda u: u.id)
    assert await store.member_room_names(user_id=ann.id) == ["lobby"]

    assert await store.remove_member(room_id=room.id, user_id=ann.id) is True
    assert await store.remove_member(room_id=room.id, user_id=ann.id) is False
    assert not await store.is_member(room_id=room.id, user_id=ann.id)
    assert await store.member_room_names(user_id=ann.id) == []
    assert ann not in await store.list_members(room_id=room.id)
    # and back again
    assert await store.add_member(room_id=room.id, user_id=ann.id) is True


async def test_get_room_for_tells_membership(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    owner, ann = await make_user("owner"), await make_user("ann")
    room = await make_room("lobby", owner=owner)
    assert await store.get_room_for(name="lobby", user_id=owner.id) == RoomAccess(
        room, True, owner, role="owner"
    )
    assert await store.get_room_for(name="lobby", user_id=ann.id) == RoomAccess(room, False, ann)
    await store.add_member(room_id=room.id, user_id=ann.id)
    assert await store.get_room_for(name="lobby", user_id=ann.id) == RoomAccess(
        room, True, ann, role="member"
    )
    assert await store.get_room_for(name="nowhere", user_id=ann.id) is None
    assert await store.get_room_for(name="lobby", user_id=ann.id + owner.id + 99) is None


async def test_invites(store: Store, make_user: MakeUser, make_room: MakeRoom) -> None:
    owner, guest, stranger = await make_user("owner"), await make_user("guest"), await make_user()
    room = await make_room("hideout", owner=owner, private=True)

    assert not await store.is_invited(room_id=room.id, user_id=guest.id)
    await store.add_invite(room_id=room.id, user_id=guest.id, invited_by=owner.id)
    await store.add_invite(room_id=room.id, user_id=guest.id, invited_by=owner.id)  # idempotent
    assert await store.is_invited(room_id=room.id, user_id=guest.id)
    assert not await store.is_invited(room_id=room.id, user_id=stranger.id)
    assert not await store.is_member(room_id=room.id, user_id=guest.id)  # invited, not joined

    assert await store.add_member(room_id=room.id, user_id=guest.id) is True
    assert await store.remove_member(room_id=room.id, user_id=guest.id) is True
    assert not await store.is_invited(room_id=room.id, user_id=guest.id)  # leaving ends the invite

    # removing someone who was only invited ends the invite too
    await store.add_invite(room_id=room.id, user_id=stranger.id, invited_by=owner.id)
    assert await store.remove_member(room_id=room.id, user_id=stranger.id) is False
    assert not await store.is_invited(room_id=room.id, user_id=stranger.id)


async def test_list_rooms_visibility(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    owner, user = await make_user("owner"), await make_user("user")
    pub = await make_room("pub", owner=owner)
    invited = await make_room("priv-invited", owner=owner, private=True)
    joined = await make_room("priv-joined", owner=owner, private=True)
    await make_room("priv-hidden", owner=owner, private=True)
    await store.add_invite(room_id=invited.id, user_id=user.id, invited_by=owner.id)
    await store.add_member(room_id=joined.id, user_id=user.id)

    listing = {entry.room.name: entry for entry in await store.list_rooms(user_id=user.id)}
    assert set(listing) == {"pub", "priv-invited", "priv-joined"}
    assert {name: entry.member for name, entry in listing.items()} == {
        "pub": False,
        "priv-invited": False,
        "priv-joined": True,
    }
    assert listing["pub"].room == pub
    assert listing["priv-invited"].room == invited
    assert all(entry.unread == 0 for entry in listing.values())

    owners = {entry.room.name: entry.member for entry in await store.list_rooms(user_id=owner.id)}
    assert owners == {"pub": True, "priv-invited": True, "priv-joined": True, "priv-hidden": True}

    await store.remove_member(room_id=invited.id, user_id=user.id)  # drops the invite
    await store.remove_member(room_id=joined.id, user_id=user.id)
    names = {entry.room.name for entry in await store.list_rooms(user_id=user.id)}
    assert names == {"pub"}


async def test_unread_counts_and_read_marks(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    owner, ann, late, outsider = [await make_user(n) for n in ("owner", "ann", "late", "outsider")]
    room = await make_room("chat", owner=owner)
    await store.add_member(room_id=room.id, user_id=ann.id)

    async def unread(user: UserRecord) -> tuple[bool, int]:
        (entry,) = [e for e in await store.list_rooms(user_id=user.id) if e.room.id == room.id]
        return entry.member, entry.unread

    assert await unread(ann) == (True, 0)
    for i in range(5):
        await store.store_message(new_message(room, owner, f"m{i}"))
    assert await unread(ann) == (True, 5)
    assert await unread(owner) == (True, 0)  # one's own messages are never unread
    assert await unread(outsider) == (False, 0)

    await store.mark_read(room_id=room.id, user_id=ann.id, seq=3)
    assert await unread(ann) == (True, 2)
    await store.mark_read(room_id=room.id, user_id=ann.id, seq=1)  # never moves back
    assert await unread(ann) == (True, 2)
    await store.mark_read(room_id=room.id, user_id=ann.id, seq=5)
    assert await unread(ann) == (True, 0)
    await store.store_message(new_message(room, ann, "from ann"))
    assert await unread(owner) == (True, 1)  # marks are per member
    assert await unread(ann) == (True, 0)

    # a member who joins later starts with nothing unread, then counts what follows
    assert await store.add_member(room_id=room.id, user_id=late.id)
    assert await unread(late) == (True, 0)
    await store.store_message(new_message(room, ann, "after"))
    await store.store_message(new_message(room, ann, "after again"))
    assert await unread(late) == (True, 2)
    assert await unread(ann) == (True, 0)

    listed = next(e for e in await store.list_rooms(user_id=ann.id) if e.room.id == room.id)
    assert listed.room == await store.get_room(name="chat")
    assert listed.room.last_seq == 8


# ---------------------------------------------------------------- messages


async def test_seqs_count_from_one_per_room(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    user = await make_user()
    a, b = await make_room("a", owner=user), await make_room("b", owner=user)
    seqs: dict[str, list[int]] = defaultdict(list)
    for i in range(12):
        room = a if i % 3 else b
        stored = await store.store_message(new_message(room, user, f"text {i}"))
        assert stored.created is True
        seqs[room.name].append(stored.message.seq)
    assert seqs == {"a": list(range(1, 9)), "b": list(range(1, 5))}
    assert await last_seq(store, "a") == 8
    assert await last_seq(store, "b") == 4


async def test_message_fields(store: Store, make_user: MakeUser, make_room: MakeRoom) -> None:
    user = await make_user("Writer")
    room = await make_room("fields", owner=user)
    text = "héllo 👋\n<b>not html</b> " + "x" * 3900
    sent_at = datetime(2026, 3, 4, 5, 6, 7, 891_234, tzinfo=timezone(timedelta(hours=2)))

    stored = await store.store_message(
        new_message(room, user, text, client_id="c-1", created_at=sent_at)
    )
    plain = await store.store_message(new_message(room, user, "no client id"))

    m = stored.message
    assert (m.room, m.seq, m.user, m.text, m.client_id) == ("fields", 1, user, text, "c-1")
    assert m.created_at == "2026-03-04T03:06:07.891Z"  # UTC, milliseconds, a Z
    assert parse_iso_z(m.created_at) == sent_at.replace(microsecond=891_000)
    assert plain.message.client_id is None
    assert plain.message.seq == 2
    parse_iso_z(plain.message.created_at)
    assert m.id != plain.message.id

    # what a reader gets back is exactly what the sender was acked with
    assert await history(store, room) == [m, plain.message]


async def test_resend_returns_the_original_and_stores_nothing(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    user = await make_user()
    room = await make_room(owner=user)
    first = await store.store_message(new_message(room, user, "original", client_id="abc"))
    await store.store_message(new_message(room, user, "in between"))
    again = await store.store_message(new_message(room, user, "edited retry", client_id="abc"))
    assert again.created is False
    assert again.message == first.message  # the first text, seq, id and time

    assert [m.text for m in await history(store, room)] == ["original", "in between"]
    assert await last_seq(store, room.name) == 2
    # no seq was wasted on the resend
    assert (await store.store_message(new_message(room, user, "next"))).message.seq == 3


async def test_client_id_is_scoped_to_user_and_room(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    ann, bob = await make_user("ann"), await make_user("bob")
    one, two = await make_room(owner=ann), await make_room(owner=ann)

    results = [
        await store.store_message(
            new_message(room, user, f"{user.username}@{room.name}", client_id="same")
        )
        for room, user in ((one, ann), (one, bob), (two, ann), (two, bob))
    ]
    assert all(r.created for r in results)
    assert len({r.message.id for r in results}) == 4
    assert [r.message.seq for r in results] == [1, 2, 1, 2]

    # messages without a client_id are never deduplicated
    nones = [await store.store_message(new_message(one, ann, "same text")) for _ in range(3)]
    assert all(r.created for r in nones)
    assert [r.message.seq for r in nones] == [3, 4, 5]


async def test_paging(store: Store, make_user: MakeUser, make_room: MakeRoom) -> None:
    user = await make_user()
    room, noise = await make_room(owner=user), await make_room(owner=user)
    assert await store.messages_before(room=room, before=None, limit=5) == MessagePage([], False)
    assert await store.messages_after(room=room, after=0, limit=5) == MessagePage([], False)
    for i in range(1, 8):
        await store.store_message(new_message(room, user, f"m{i}"))
        await store.store_message(new_message(noise, user, f"noise{i}"))

    async def before(cursor: int | None, limit: int) -> tuple[list[int], bool]:
        page = await store.messages_before(room=room, before=cursor, limit=limit)
        assert all(m.room == room.name for m in page.messages)
        return [m.seq for m in page.messages], page.has_more

    async def after(cursor: int, limit: int) -> tuple[list[int], bool]:
        page = await store.messages_after(room=room, after=cursor, limit=limit)
        assert all(m.room == room.name for m in page.messages)
        return [m.seq for m in page.messages], page.has_more

    assert await before(None, 3) == ([5, 6, 7], True)  # the latest, ascending
    assert await before(5, 3) == ([2, 3, 4], True)
    assert await before(2, 3) == ([1], False)
    assert await before(4, 3) == ([1, 2, 3], False)  # exactly the rest: nothing more
    assert await before(1, 3) == ([], False)
    assert await before(None, 7) == ([1, 2, 3, 4, 5, 6, 7], False)
    assert await before(100, 2) == ([6, 7], True)

    assert await after(0, 3) == ([1, 2, 3], True)
    assert await after(3, 3) == ([4, 5, 6], True)
    assert await after(4, 3) == ([5, 6, 7], False)
    assert await after(7, 3) == ([], False)
    assert await after(0, 200) == ([1, 2, 3, 4, 5, 6, 7], False)

    page = await store.messages_after(room=room, after=2, limit=2)
    assert [m.text for m in page.messages] == ["m3", "m4"]


# ---------------------------------------------------------------- group commit


async def test_group_commit_under_a_burst(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    rng = random.Random(20261125)
    users = [await make_user(f"sender{i}") for i in range(4)]
    rooms = [await make_room(f"burst-{i}", owner=users[0]) for i in range(4)]

    # resends of messages stored before the burst
    earlier: dict[tuple[int, int, str], StoredMessage] = {}
    for room in rooms:
        early = await store.store_message(new_message(room, users[1], "early", client_id="early"))
        earlier[(room.id, users[1].id, "early")] = early

    sends: list[NewMessage] = []
    for room in rooms:
        for i in range(80):
            user = users[i % len(users)]
            client_id = None if i % 10 == 9 else f"c{i // 2}"  # two users share each client_id
            sends.append(new_message(room, user, f"{room.name}/{i}", client_id=client_id))
    retries = [
        new_message(m.room, m.user, m.text + " (retry)", client_id=m.client_id)
        for m in rng.sample(sends, 100)
        if m.client_id is not None
    ]
    replays = [
        new_message(room, users[1], "early again", client_id="early")
        for room in rooms
        for _ in range(3)
    ]
    burst = sends + retries + replays
    rng.shuffle(burst)
    assert len(burst) >= 300

    commits_before = commit_count(store)
    results = await asyncio.gather(*(store.store_message(m) for m in burst))
    commits = commit_count(store) - commits_before

    by_key: dict[tuple[int, int, str], list[StoredMessage]] = defaultdict(list)
    created_per_room: dict[str, list[MessageRecord]] = defaultdict(list)
    for sent, result in zip(burst, results, strict=True):
        assert result.message.room == sent.room.name
        assert result.message.user == sent.user
        assert result.message.client_id == sent.client_id
        if result.created:
            created_per_room[sent.room.name].append(result.message)
            assert result.message.text == sent.text
        if sent.client_id is not None:
            by_key[(sent.room.id, sent.user.id, sent.client_id)].append(result)
        else:
            assert result.created

    # every (room, user, client_id) is stored once; every send of it got that one row
    for key, outcomes in by_key.items():
        created = [r for r in outcomes if r.created]
        if key in earlier:
            assert created == []
            assert {r.message for r in outcomes} == {earlier[key].message}
        else:
            assert len(created) == 1, key
            assert {r.message for r in outcomes} == {created[0].message}

    for room in rooms:
        made = created_per_room[room.name]
        expected_new = sum(1 for m in sends if m.room.id == room.id)
        assert len(made) == expected_new
        # gap-free and distinct: the burst took 2..n+1 (seq 1 was the early message)
        assert sorted(m.seq for m in made) == list(range(2, expected_new + 2))
        stored = await history(store, room)
        assert [m.seq for m in stored] == list(range(1, expected_new + 2))
        assert sorted(stored[1:], key=lambda m: m.id) == sorted(made, key=lambda m: m.id)
        client_ids = [(m.user.id, m.client_id) for m in stored if m.client_id is not None]
        assert not [k for k, n in Counter(client_ids).items() if n > 1]  # one row per client_id
        assert await last_seq(store, room.name) == expected_new + 1

    # the sends shared commits
    assert 1 <= commits <= len(burst) / 5, (commits, len(burst))


async def test_lone_message_commits_promptly(
    store: Store, backend: str, make_user: MakeUser, make_room: MakeRoom
) -> None:
    user = await make_user()
    room = await make_room(owner=user)
    await store.store_message(new_message(room, user, "warm-up"))
    timings = []
    for i in range(3):
        await asyncio.sleep(0.15)  # a quiet period: nothing queued, the writer idle
        started = time.perf_counter()
        stored = await store.store_message(new_message(room, user, f"lone {i}"))
        timings.append(time.perf_counter() - started)
        assert stored.created
    # no linger timer: a lone send is committed as soon as it arrives
    assert statistics.median(timings) < 0.05, (backend, timings)


async def test_a_failing_send_fails_alone(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    user = await make_user()
    a, b = await make_room("fa", owner=user), await make_room("fb", owner=user)
    ghost_room = RoomRecord(
        id=a.id + b.id + 10_000,
        name="ghost",
        private=False,
        owner_id=user.id,
        created_at=a.created_at,
        last_seq=0,
    )
    ghost_user = UserRecord(id=user.id + 10_000, username="ghost")

    burst: list[NewMessage] = []
    bad: set[int] = set()
    for i in range(60):
        if i in (7, 31):
            bad.add(len(burst))
            burst.append(new_message(ghost_room, user, f"bad room {i}", client_id=f"g{i}"))
        if i in (19, 44):
            bad.add(len(burst))  # an existing room, so its seq block is reserved, then undone
            burst.append(new_message(a, ghost_user, f"bad user {i}", client_id=f"g{i}"))
        burst.append(new_message(a if i % 2 else b, user, f"good {i}", client_id=f"ok{i}"))

    results = await asyncio.gather(*(store.store_message(m) for m in burst), return_exceptions=True)

    good: dict[str, list[int]] = defaultdict(list)
    for index, (sent, result) in enumerate(zip(burst, results, strict=True)):
        if index in bad:
            assert isinstance(result, Exception), (sent.text, result)
        else:
            assert isinstance(result, StoredMessage), (sent.text, result)
            assert result.created
            good[sent.room.name].append(result.message.seq)
    assert sorted(good["fa"]) == list(range(1, 31))
    assert sorted(good["fb"]) == list(range(1, 31))
    for room in (a, b):
        assert [m.seq for m in await history(store, room)] == list(range(1, 31))
        assert await last_seq(store, room.name) == 30

    # a lone bad send fails too, and the store carries on with the next seq
    with pytest.raises(Exception):  # noqa: B017 - the contract only says "it raises"
        await store.store_message(new_message(a, ghost_user, "alone"))
    after = await store.store_message(new_message(a, user, "still fine"))
    assert after.message.seq == 31
    assert after.message.created_at.endswith("Z")
    assert parse_iso_z(after.message.created_at) <= datetime.now(UTC)


# ---------------------------------------------------------------- several stores, lifecycle


async def test_two_stores_on_one_database(
    store: Store, database_url: str, make_user: MakeUser, make_room: MakeRoom
) -> None:
    """``hubbub serve --workers N``: each process has its own store on the same database."""
    users = [await make_user(f"worker{i}") for i in range(2)]
    rooms = [await make_room(f"shared-{i}", owner=users[0]) for i in range(3)]
    sends = [
        new_message(
            rooms[i % 3], users[i % 2], f"m{i}", client_id=None if i % 7 == 6 else f"c{i // 3}"
        )
        for i in range(240)
    ]
    second = await open_store(database_url)
    try:
        # the same send reaches both processes at once (a client retrying on another node)
        calls = []
        for m in sends:
            calls += [store.store_message(m), second.store_message(m)]
        results = await asyncio.gather(*calls)
    finally:
        await second.close()

    expected: dict[int, int] = Counter()
    for index, sent in enumerate(sends):
        here, there = results[2 * index], results[2 * index + 1]
        if sent.client_id is None:  # no key: two sends, two messages
            assert here.created and there.created
            assert here.message.id != there.message.id
            expected[sent.room.id] += 2
        else:
            assert [here.created, there.created].count(True) == 1, sent
            assert here.message == there.message
            expected[sent.room.id] += 1
    for room in rooms:
        stored = await history(store, room)
        assert [m.seq for m in stored] == list(range(1, expected[room.id] + 1))
        keys = [(m.user.id, m.client_id) for m in stored if m.client_id is not None]
        assert len(keys) == len(set(keys))


async def test_a_cancelled_send_does_not_break_the_writer(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    user = await make_user()
    room = await make_room(owner=user)
    sends = [new_message(room, user, f"m{i}", client_id=f"c{i}") for i in range(40)]
    tasks = [asyncio.create_task(store.store_message(m)) for m in sends]
    await asyncio.sleep(0)
    for task in tasks[::2]:
        task.cancel()  # the caller went away (a socket closed); the send may or may not land
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for task, result in zip(tasks[1::2], results[1::2], strict=True):
        assert isinstance(result, StoredMessage), (task, result)

    # the client retries everything it was not acked; each client_id ends up stored once
    retried = await asyncio.gather(*(store.store_message(m) for m in sends))
    stored = await history(store, room)
    assert [m.seq for m in stored] == list(range(1, 41))
    assert sorted(r.message.id for r in retried) == sorted(m.id for m in stored)
    assert (await store.store_message(new_message(room, user, "next"))).message.seq == 41


async def test_close_answers_every_send_in_flight(database_url: str) -> None:
    """``close()`` (server shutdown) must not leave a sender waiting forever: each send made
    before it is either stored and acked, or fails; and every acked message is stored."""
    store = await open_store(database_url)
    closed = False
    try:
        user = await store.create_user(username="closer", password_hash="h")
        room = await store.create_room(name="closing", private=False, owner_id=user.id)
        await store.store_message(new_message(room, user, "before"))
        sends = [new_message(room, user, f"m{i}", client_id=f"c{i}") for i in range(100)]
        first_wave = [asyncio.create_task(store.store_message(m)) for m in sends[:60]]
        for _ in range(3):
            await asyncio.sleep(0)  # the writer has picked the first wave up, not finished it
        second_wave = [asyncio.create_task(store.store_message(m)) for m in sends[60:]]
        await asyncio.sleep(0)
        await store.close()
        closed = True
        tasks = first_wave + second_wave
        _, hung = await asyncio.wait(tasks, timeout=3)
        for task in hung:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        assert not hung, f"{len(hung)} of {len(tasks)} sends never got an answer after close()"
    finally:
        if not closed:
            await store.close()

    acked = [r for r in outcomes if isinstance(r, StoredMessage)]
    reopened = await open_store(database_url)
    try:
        stored = await history(reopened, room)
    finally:
        await reopened.close()
    assert [m.seq for m in stored] == list(range(1, len(stored) + 1))
    assert {r.message.id for r in acked} <= {m.id for m in stored}
