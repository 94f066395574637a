"""Fixtures: real servers on SQLite and PostgreSQL, clients that clean up after themselves."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from tests.support import IN_CI, PG_ADMIN_URL, Api, Client, ServerProcess

BACKENDS = ["sqlite", "postgres"]


async def _pg_reachable() -> bool:
    try:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


async def require_postgres() -> None:
    if not await _pg_reachable():
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL}"
        if IN_CI:
            pytest.fail(message + " (CI=true: PostgreSQL tests must run)")
        pytest.skip(message)


class PgDatabases:
    """Fresh databases for this test run, dropped at the end."""

    def __init__(self) -> None:
        self.created: list[str] = []

    async def create(self) -> str:
        name = f"hubbub_test_{secrets.token_hex(4)}"
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        self.created.append(name)
        base = PG_ADMIN_URL.rsplit("/", 1)[0]
        return f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)

    async def drop_all(self) -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            for name in self.created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest_asyncio.fixture(scope="session")
async def pg_databases() -> AsyncIterator[PgDatabases]:
    databases = PgDatabases()
    yield databases
    await databases.drop_all()


async def database_url_for(backend: str, tmp: Path, pg_databases: PgDatabases) -> str | None:
    if backend == "sqlite":
        return None  # the default: a SQLite file in the data dir
    await require_postgres()
    return await pg_databases.create()


@pytest_asyncio.fixture(scope="session", params=BACKENDS)
async def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_databases: PgDatabases,
) -> AsyncIterator[ServerProcess]:
    """One long-lived server per backend, shared by the tests that run on both."""
    backend: str = request.param
    data_dir = tmp_path_factory.mktemp(f"server-{backend}")
    proc = ServerProcess(
        data_dir=data_dir, database_url=await database_url_for(backend, data_dir, pg_databases)
    )
    await asyncio.to_thread(proc.start)
    yield proc
    await asyncio.to_thread(proc.stop)


@pytest_asyncio.fixture(scope="session")
async def sqlite_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[ServerProcess]:
    """A SQLite server for tests whose subject is not the store."""
    proc = ServerProcess(data_dir=tmp_path_factory.mktemp("server-sqlite-only"))
    await asyncio.to_thread(proc.start)
    yield proc
    await asyncio.to_thread(proc.stop)


@pytest_asyncio.fixture
async def api(server: ServerProcess) -> AsyncIterator[Api]:
    client = Api(server.url)
    yield client
    await client.close()


@pytest_asyncio.fixture
async def sqlite_api(sqlite_server: ServerProcess) -> AsyncIterator[Api]:
    client = Api(sqlite_server.url)
    yield client
    await client.close()


ConnectFn = Callable[..., Awaitable[Client]]


@pytest_asyncio.fixture
async def clients() -> AsyncIterator[Callable[[str, str | None], Awaitable[Client]]]:
    """``await clients(url, token)`` gives a connected client, closed after the test."""
    made: list[Client] = []

    async def connect(url: str, token: str | None) -> Client:
        client = Client(url, token)
        made.append(client)
        return await client.connect()

    yield connect
    for client in made:
        await client.close()


@pytest.fixture
def artifacts_dir() -> Iterator[Path]:
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    yield path
