"""The ``Store`` contract for display names, finding people, DMs and notification levels,
on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio

from hubbub.store.base import Store
from tests.store.conftest import MakeRoom, MakeUser


async def test_display_names_show_wherever_the_user_does(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    ann = await make_user("ann")
    named = await store.set_display_name(user_id=ann.id, display_name="Ann Lee")
    assert named is not None and (named.username, named.display_name, named.bot) == (
        "ann",
        "Ann Lee",
        False,
    )
    assert await store.get_user(user_id=ann.id) == named
    assert await store.get_user_by_name(username="ANN") == named
    room = await make_room("lobby", owner=ann)
    assert await store.list_members(room_id=room.id) == [named]
    cleared = await store.set_display_name(user_id=ann.id, display_name=None)
    assert cleared is not None and cleared.display_name is None
    assert await store.set_display_name(user_id=ann.id + 999, display_name="x") is None


async def test_find_users_by_username_or_display_name_prefix(
    store: Store, make_user: MakeUser
) -> None:
    for name in ("alice", "Albert", "bob", "al_x", "alex"):
        await make_user(name)
    bob = await store.get_user_by_name(username="bob")
    assert bob is not None
    await store.set_display_name(user_id=bob.id, display_name="Alfred Bob")

    async def names(prefix: str, limit: int = 10) -> list[str]:
        return [u.username for u in await store.find_users(prefix=prefix, limit=limit)]

    assert await names("al") == ["al_x", "Albert", "alex", "alice", "bob"]
    assert await names("AL", limit=2) == ["al_x", "Albert"]
    assert await names("al_") == ["al_x"]  # "_" is a character, not a wildcard
    assert await names("%") == []
    assert await names("alfred") == ["bob"]
    assert len(await names("")) == 5


async def test_one_room_per_set_of_people(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    ann, bob, cat = await make_user("ann"), await make_user("bob"), await make_user("cat")
    dm, created = await store.open_dm(user_ids=[ann.id, bob.id])
    assert created and dm.kind == "dm" and dm.private and dm.owner_id is None
    assert dm.name.startswith("dm-")
    again, created_again = await store.open_dm(user_ids=[bob.id, ann.id, bob.id])
    assert (again, created_again) == (dm, False)
    group, _ = await store.open_dm(user_ids=[cat.id, ann.id, bob.id])
    assert group.id != dm.id
    assert {u.id for u in await store.list_members(room_id=group.id)} == {ann.id, bob.id, cat.id}

    # made at once by two callers: still one room
    dan, eve = await make_user("dan"), await make_user("eve")
    both = await asyncio.gather(
        store.open_dm(user_ids=[dan.id, eve.id]), store.open_dm(user_ids=[eve.id, dan.id])
    )
    assert both[0][0] == both[1][0] and sorted(c for _, c in both) == [False, True]

    # listed to its people only, with them; never to others
    listing = {r.room.name: r for r in await store.list_rooms(user_id=ann.id)}
    assert listing[dm.name].member and [u.username for u in listing[dm.name].people] == [
        "ann",
        "bob",
    ]
    await make_room("public", owner=cat)
    cat_sees = {r.room.name for r in await store.list_rooms(user_id=cat.id)}
    assert dm.name not in cat_sees and group.name in cat_sees and "public" in cat_sees
    public = {r.room.name: r for r in await store.list_rooms(user_id=ann.id)}["public"]
    assert public.people == () and public.room.kind == "room"


async def test_notification_levels(store: Store, make_user: MakeUser, make_room: MakeRoom) -> None:
    ann, bob = await make_user("ann"), await make_user("bob")
    room = await make_room("lobby", owner=ann)
    listing = {r.room.name: r for r in await store.list_rooms(user_id=ann.id)}
    assert listing["lobby"].notify == "all"
    assert await store.set_notify(room_id=room.id, user_id=ann.id, level="mentions")
    listing = {r.room.name: r for r in await store.list_rooms(user_id=ann.id)}
    assert listing["lobby"].notify == "mentions"
    assert not await store.set_notify(room_id=room.id, user_id=bob.id, level="none")
