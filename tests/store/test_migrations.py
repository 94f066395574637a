"""Upgrading a v1 database keeps its history readable by v2: every message takes
``rev = seq`` and every room ``last_rev = last_seq``, so a v2 client's first ``sync`` by
rev sees exactly the messages, and new changes continue the stream without a gap."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import asyncpg

from hubbub.store.base import StoredMessage
from hubbub.store.factory import open_store
from hubbub.store.migrate import upgrade
from hubbub.store.postgres import asyncpg_dsn
from tests.conftest import PgDatabases, require_postgres
from tests.store.conftest import new_message

V1_ROWS = [
    "INSERT INTO users (id, username, username_key, password_hash, created_at)"
    " VALUES (1, 'Ann', 'ann', 'h', '2026-01-01T00:00:00.000Z')",
    "INSERT INTO rooms (id, name, private, owner_id, created_at, last_seq)"
    " VALUES (1, 'lobby', false, 1, '2026-01-01T00:00:00.000Z', 2)",
    "INSERT INTO memberships (room_id, user_id, joined_at, last_read_seq)"
    " VALUES (1, 1, '2026-01-01T00:00:00.000Z', 0)",
    "INSERT INTO messages (id, room_id, seq, user_id, text, created_at)"
    " VALUES (1, 1, 1, 1, 'first', '2026-01-01T00:00:01.000Z')",
    "INSERT INTO messages (id, room_id, seq, user_id, text, created_at)"
    " VALUES (2, 1, 2, 1, 'second', '2026-01-01T00:00:02.000Z')",
]


async def test_a_v1_database_upgrades_with_revs_equal_to_seqs(
    backend: str, tmp_path: Path, pg_databases: PgDatabases
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'v1.db'}"
        await asyncio.to_thread(upgrade, url, "0001")
        with closing(sqlite3.connect(tmp_path / "v1.db")) as db:
            for statement in V1_ROWS:
                db.execute(statement)
            db.commit()
    else:
        await require_postgres()
        url = await pg_databases.create()
        await asyncio.to_thread(upgrade, url, "0001")
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            for statement in V1_ROWS:
                await conn.execute(statement.replace("'2026-01-01T", "timestamptz '2026-01-01T"))
            await conn.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), 1)")
            await conn.execute("SELECT setval(pg_get_serial_sequence('rooms', 'id'), 1)")
            await conn.execute("SELECT setval(pg_get_serial_sequence('messages', 'id'), 2)")
        finally:
            await conn.close()

    await asyncio.to_thread(upgrade, url)
    store = await open_store(url)
    try:
        room = await store.get_room(name="lobby")
        assert room is not None and (room.last_seq, room.last_rev, room.kind) == (2, 2, "room")
        page = await store.messages_changed(room=room, after_rev=0, limit=10)
        assert [(m.seq, m.rev, m.text, m.deleted) for m in page.messages] == [
            (1, 1, "first", False),
            (2, 2, "second", False),
        ]
        ann = await store.get_user(user_id=1)
        assert ann is not None and (ann.display_name, ann.bot) == (None, False)
        stored = await store.store_message(new_message(room, ann, "third"))
        assert isinstance(stored, StoredMessage)
        assert (stored.message.seq, stored.message.rev) == (3, 3)
    finally:
        await store.close()
