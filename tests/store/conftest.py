"""Fixtures for the store contract suite: one freshly migrated database per test, per backend.

Every test in ``tests/store`` takes ``store`` and so runs once on SQLite (a temporary file)
and once on PostgreSQL (a fresh database on the test server). No mocks: the real drivers,
the real migrations, the real writer thread / writer task.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from itertools import count
from pathlib import Path

import pytest
import pytest_asyncio

from hubbub.store.base import NewMessage, RoomRecord, Store, UserRecord, utc_now
from hubbub.store.factory import open_store
from hubbub.store.migrate import upgrade
from tests.conftest import BACKENDS, PgDatabases, require_postgres


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest_asyncio.fixture
async def database_url(backend: str, tmp_path: Path, pg_databases: PgDatabases) -> str:
    """A database migrated to head for this test alone (a second store may open it too)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'hubbub.db'}"
    else:
        await require_postgres()
        url = await pg_databases.create()
    await asyncio.to_thread(upgrade, url)  # sync; runs asyncio.run inside for PostgreSQL
    return url


@pytest_asyncio.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """The store under test, opened with ``open_store`` and closed afterwards."""
    opened = await open_store(database_url)
    try:
        yield opened
    finally:
        await opened.close()


MakeUser = Callable[..., Awaitable[UserRecord]]
MakeRoom = Callable[..., Awaitable[RoomRecord]]


@pytest.fixture
def make_user(store: Store) -> MakeUser:
    """``await make_user()`` or ``await make_user("name")``: a stored user."""
    numbers = count(1)

    async def make(username: str | None = None) -> UserRecord:
        name = username or f"user{next(numbers)}"
        return await store.create_user(username=name, password_hash=f"hash-of-{name}")

    return make


@pytest.fixture
def make_room(store: Store, make_user: MakeUser) -> MakeRoom:
    """``await make_room(owner=..., private=...)``: a stored room (owner made if not given)."""
    numbers = count(1)

    async def make(
        name: str | None = None, *, owner: UserRecord | None = None, private: bool = False
    ) -> RoomRecord:
        owner = owner or await make_user(f"owner{next(numbers)}")
        return await store.create_room(
            name=name or f"room-{next(numbers)}", private=private, owner_id=owner.id
        )

    return make


def new_message(
    room: RoomRecord,
    user: UserRecord,
    text: str = "hello",
    *,
    client_id: str | None = None,
    created_at: datetime | None = None,
) -> NewMessage:
    return NewMessage(
        room=room,
        user=user,
        text=text,
        client_id=client_id,
        created_at=created_at or utc_now(),
    )
