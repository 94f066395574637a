"""SQLite's search index kept behind the sends (migration 0007, ``store/sqlite/indexer``):
whatever happens to a message before it is indexed, the index ends up equal to the
messages (FTS5's own ``integrity-check`` compares them), a search finds what was acked
before it, and rows a crash left unindexed are indexed when the store opens again."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from hubbub.search_words import words
from hubbub.store.base import AuditEntry, MessageChange, NewMessage, RoomRecord, utc_now
from hubbub.store.factory import open_store
from hubbub.store.migrate import upgrade
from hubbub.store.sqlite.indexer import MAX_PENDING


def integrity_check(path: str) -> None:
    """Raises (``SQLITE_CORRUPT_VTAB``) if the index is not exactly the messages' text."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()


def progress(path: str) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        (mark,) = conn.execute("SELECT id FROM search_progress").fetchone()
        (last,) = conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()
        return mark, last
    finally:
        conn.close()


@pytest.fixture
def database(tmp_path: Path) -> tuple[str, str]:
    """A migrated SQLite file: its path and its URL."""
    path = f"{tmp_path}/hubbub.db"
    upgrade(f"sqlite:///{path}")
    return path, f"sqlite:///{path}"


async def test_changes_before_and_after_indexing_leave_the_index_exact(
    database: tuple[str, str],
) -> None:
    path, url = database
    store = await open_store(url)
    try:
        ann = await store.create_user(username="ann", password_hash="x")
        room = await store.create_room(name="lobby", private=False, owner_id=ann.id)
        doomed = await store.create_room(name="doomed", private=False, owner_id=ann.id)

        async def send(r: RoomRecord, text: str) -> None:
            await store.store_message(
                NewMessage(room=r, user=ann, text=text, client_id=None, created_at=utc_now())
            )

        async def find(query: str) -> list[str]:
            page = await store.search(
                user_id=ann.id, words=words(query), room_id=None, before_id=None, limit=50
            )
            return [m.text for m in page.messages]

        for i in range(5):
            await send(room, f"first batch {i} alpha")
        await send(doomed, "doomed beta")
        # changed before the index has them (0.25 s have not passed)
        edit = MessageChange(room=room, seq=1, kind="edit", actor_id=ann.id, at=utc_now())
        await store.change_message(replace(edit, text="rewritten gamma"))
        gone = MessageChange(room=room, seq=2, kind="delete", actor_id=ann.id, at=utc_now())
        await store.change_message(gone)
        await store.delete_room(
            room_id=doomed.id, audit=AuditEntry(actor_id=ann.id, action="room.delete")
        )
        mark, last = progress(path)
        assert mark < last, "these rows were meant to wait for the index"

        # a search finds what was acked before it, and nothing stale
        assert await find("gamma") == ["rewritten gamma"]
        assert await find("beta") == []
        assert sorted(await find("alpha")) == [f"first batch {i} alpha" for i in (2, 3, 4)]
        assert progress(path)[0] == progress(path)[1]
        integrity_check(path)

        # changed after indexing: the triggers keep the index exact
        edit3 = MessageChange(room=room, seq=3, kind="edit", actor_id=ann.id, at=utc_now())
        await store.change_message(replace(edit3, text="changed delta"))
        assert await find("delta") == ["changed delta"]
        integrity_check(path)

        # a busy writer indexes in its own batches, without a search asking
        for i in range(MAX_PENDING + 10):
            await send(room, f"bulk {i}")
        mark, last = progress(path)
        assert last - mark < MAX_PENDING
    finally:
        await store.close()
    assert progress(path)[0] == progress(path)[1]  # closing indexed the rest
    integrity_check(path)


async def test_rows_a_crash_left_unindexed_are_indexed_on_open(
    database: tuple[str, str],
) -> None:
    path, url = database
    store = await open_store(url)
    ann = await store.create_user(username="ann", password_hash="x")
    room = await store.create_room(name="lobby", private=False, owner_id=ann.id)
    await store.store_message(
        NewMessage(room=room, user=ann, text="before epsilon", client_id=None, created_at=utc_now())
    )
    await store.close()
    # what a crash leaves: a committed message the index never took
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "INSERT INTO messages (room_id, seq, user_id, text, created_at, rev)"
        " VALUES (?, 2, ?, 'after zeta', '2026-12-06T00:00:00.000Z', 2)",
        (room.id, ann.id),
    )
    conn.execute("UPDATE rooms SET last_seq = 2, last_rev = 2 WHERE id = ?", (room.id,))
    conn.close()

    store = await open_store(url)
    try:
        page = await store.search(
            user_id=ann.id, words=["zeta"], room_id=None, before_id=None, limit=5
        )
        assert [m.text for m in page.messages] == ["after zeta"]
    finally:
        await store.close()
    integrity_check(path)
