"""When the database goes away: clear 503 answers in PROTOCOL's shape, and recovery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
import socketio

from tests.conftest import PgDatabases, database_url_for
from tests.support import PG_ADMIN_URL, Api, Client, ServerProcess


@pytest_asyncio.fixture
async def pg_server(tmp_path: Path, pg_databases: PgDatabases) -> AsyncIterator[ServerProcess]:
    proc = ServerProcess(
        data_dir=tmp_path / "data",
        database_url=await database_url_for("postgres", tmp_path, pg_databases),
    )
    await asyncio.to_thread(proc.start)
    yield proc
    await asyncio.to_thread(proc.stop)


async def set_reachable(database_url: str, reachable: bool) -> None:
    name = database_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(reachable).lower()}')
        if not reachable:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
    finally:
        await admin.close()


async def test_database_outage_answers_503_and_recovers(pg_server: ServerProcess, clients) -> None:
    api = Api(pg_server.url)
    assert pg_server.database_url is not None
    try:
        alice = await api.register("alice")
        room = await api.create_room(alice)
        sock = await clients(pg_server.url, alice.access_token)

        await set_reachable(pg_server.database_url, False)
        health = await api.http.get("/healthz")
        assert health.status_code == 503
        assert health.json() == {"status": "unavailable", "store": False}
        for _ in range(2):  # the same keep-alive connection answers again
            r = await api.http.get("/api/rooms", headers=alice.headers)
            assert r.status_code == 503
            assert r.json()["error"]["code"] == "unavailable"
        ack = await sock.send(room, "into the void", client_id="outage-1")
        assert ack["ok"] is False and ack["error"]["code"] == "unavailable"
        assert sock.sio.connected
        # A new connection is refused with a reason, not left hanging.
        late = Client(pg_server.url, alice.access_token)
        errors: list[object] = []
        late.sio.on("connect_error", lambda data: errors.append(data))
        with pytest.raises(socketio.exceptions.ConnectionError):
            await late.connect()
        await late.sio.shutdown()
        assert errors and errors[0]["message"] == "unavailable"  # type: ignore[index]

        await set_reachable(pg_server.database_url, True)
        assert (await api.http.get("/healthz")).status_code == 200
        assert (await api.http.get("/api/rooms", headers=alice.headers)).status_code == 200
        ack = await sock.send(room, "into the void", client_id="outage-1")  # the retry
        assert ack["ok"] and ack["message"]["seq"] == 1
    finally:
        await set_reachable(pg_server.database_url, True)
        await api.close()
