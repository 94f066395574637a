"""The ``Store`` contract for search, on SQLite (FTS5) and PostgreSQL (tsvector + GIN)
alike: every word, whole words, any case, any order; only rooms the caller may read now;
no tombstones; edits re-indexed; newest first, paged by id."""

from __future__ import annotations

from dataclasses import replace

from hubbub.search_words import words
from hubbub.store.base import MessageChange, Store, StoredMessage, UserRecord, utc_now
from tests.store.conftest import MakeRoom, MakeUser, new_message


async def found(
    store: Store, user: UserRecord, query: str, *, room_id: int | None = None, limit: int = 50
) -> list[str]:
    page = await store.search(
        user_id=user.id, words=words(query), room_id=room_id, before_id=None, limit=limit
    )
    return [m.text for m in page.messages]


async def test_search_matches_every_word_whole_and_in_any_case(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    ann = await make_user("ann")
    room = await make_room("lobby", owner=ann)
    texts = [
        "Deploy the Release tonight",
        "release notes are at https://example.com/notes",
        "the releases are late",
        "Café au lait",
        "foo_bar baz",
        "naïve approach",
    ]
    for text in texts:
        await store.store_message(new_message(room, ann, text))

    assert await found(store, ann, "release") == [texts[1], texts[0]]  # newest first
    assert await found(store, ann, "RELEASE deploy") == [texts[0]]
    assert await found(store, ann, "tonight release") == [texts[0]]  # any order
    assert await found(store, ann, "releas") == []  # whole words only
    assert await found(store, ann, "example") == [texts[1]]  # a URL's words are words
    assert await found(store, ann, "example.com") == [texts[1]]
    assert await found(store, ann, "café") == [texts[3]]
    assert await found(store, ann, "CAFÉ") == [texts[3]]
    assert await found(store, ann, "bar") == [texts[4]]
    assert await found(store, ann, "naïve") == [texts[5]]
    assert await found(store, ann, "missing release") == []
    # engine syntax is just text: operators and quotes neither fail nor widen the search
    for hostile in ("release OR tonight", '"release', "release*", "NEAR(release late)", "-late"):
        assert set(await found(store, ann, hostile)) <= set(texts), hostile
    assert await found(store, ann, "release OR notes") == []  # "or" is a word, not a union


async def test_search_only_in_rooms_readable_now_and_never_tombstones(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    ann, bob = await make_user("ann"), await make_user("bob")
    public = await make_room("public", owner=ann)
    secret = await make_room("secret", owner=ann, private=True)
    dm, _ = await store.open_dm(user_ids=[ann.id, bob.id])
    for room in (public, secret, dm):
        await store.store_message(new_message(room, ann, f"needle in {room.name}"))

    assert await found(store, bob, "needle") == [f"needle in {dm.name}", "needle in public"]
    assert len(await found(store, ann, "needle")) == 3
    # joining makes the private room readable; leaving makes it vanish again
    await store.add_member(room_id=secret.id, user_id=bob.id)
    assert len(await found(store, bob, "needle")) == 3
    await store.remove_member(room_id=secret.id, user_id=bob.id)
    assert "needle in secret" not in await found(store, bob, "needle")
    # one room only
    assert await found(store, ann, "needle", room_id=public.id) == ["needle in public"]

    # deleted: gone from search; edited: found by its new words only
    await store.change_message(
        MessageChange(room=public, seq=1, kind="delete", actor_id=ann.id, at=utc_now())
    )
    assert "needle in public" not in await found(store, ann, "needle")
    await store.change_message(
        MessageChange(
            room=secret, seq=1, kind="edit", actor_id=ann.id, at=utc_now(), text="haystack now"
        )
    )
    assert await found(store, ann, "needle") == [f"needle in {dm.name}"]
    assert await found(store, ann, "haystack") == ["haystack now"]


async def test_search_pages_newest_first_by_id(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    ann = await make_user("ann")
    room = await make_room("lobby", owner=ann)
    ids = []
    for n in range(25):
        stored = await store.store_message(replace(new_message(room, ann, f"item {n}")))
        assert isinstance(stored, StoredMessage)
        ids.append(stored.message.id)
    page = await store.search(
        user_id=ann.id, words=["item"], room_id=None, before_id=None, limit=10
    )
    assert [m.text for m in page.messages] == [f"item {n}" for n in range(24, 14, -1)]
    assert page.has_more and page.messages[0].room == "lobby"
    last = page.messages[-1].id
    rest = await store.search(
        user_id=ann.id, words=["item"], room_id=None, before_id=last, limit=20
    )
    assert [m.text for m in rest.messages] == [f"item {n}" for n in range(14, -1, -1)]
    assert not rest.has_more
