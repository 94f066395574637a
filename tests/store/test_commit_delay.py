"""``HUBBUB_COMMIT_DELAY_MS`` on both stores: sends that arrive within the delay share
one commit, and a lone send waits for it; without it a lone send commits at once."""

from __future__ import annotations

import asyncio

from hubbub.store.base import Store, StoredMessage
from hubbub.store.factory import open_store
from tests.store.conftest import MakeRoom, MakeUser, new_message

DELAY = 0.2  # seconds
SPACING = 0.02  # between the sends: five of them fit well inside the delay


async def spaced_sends(store: Store, room: object, user: object) -> list[tuple[int, float]]:
    """Five sends, one every SPACING: each one's seq, and how long after the first
    was submitted its answer came."""
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def send(n: int) -> tuple[int, float]:
        await asyncio.sleep(n * SPACING)
        stored = await store.store_message(new_message(room, user, f"n{n}"))  # type: ignore[arg-type]
        assert isinstance(stored, StoredMessage)
        return stored.message.seq, loop.time() - started

    return list(await asyncio.gather(*(send(n) for n in range(5))))


async def test_sends_within_the_delay_share_one_commit(
    database_url: str, make_user: MakeUser, make_room: MakeRoom
) -> None:
    user = await make_user()
    room = await make_room(owner=user)
    delayed = await open_store(database_url, commit_delay=DELAY)
    try:
        before = delayed.commit_count
        answers = await spaced_sends(delayed, room, user)
        assert delayed.commit_count - before == 1
    finally:
        await delayed.close()
    assert [seq for seq, _ in answers] == [1, 2, 3, 4, 5]  # in order, no gap
    assert min(after for _, after in answers) >= DELAY  # the first waited for the others


async def test_without_a_delay_a_lone_send_commits_at_once(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    user = await make_user()
    room = await make_room(owner=user)
    before = store.commit_count
    for n in range(5):  # one after the other: each alone in the queue
        stored = await store.store_message(new_message(room, user, f"n{n}"))
        assert isinstance(stored, StoredMessage) and stored.message.seq == n + 1
    assert store.commit_count - before == 5


async def test_a_delayed_send_does_not_hold_back_other_writes(
    database_url: str, make_user: MakeUser, make_room: MakeRoom
) -> None:
    """A write that is not a send (here a new room) is not kept waiting by a send's
    delay (SQLite: it ends the wait, the one writer thread goes on; PostgreSQL: it never
    queued behind the writer)."""
    user = await make_user()
    room = await make_room(owner=user)
    delayed = await open_store(database_url, commit_delay=1.0)
    try:
        loop = asyncio.get_running_loop()
        sending = asyncio.ensure_future(delayed.store_message(new_message(room, user)))
        await asyncio.sleep(0.05)
        started = loop.time()
        await delayed.create_room(name="other", private=False, owner_id=user.id)
        took = loop.time() - started
        stored = await sending
    finally:
        await delayed.close()
    assert took < 0.5, took  # not what is left of the send's second
    assert isinstance(stored, StoredMessage) and stored.message.seq == 1
