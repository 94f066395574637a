"""What was acknowledged survives a restart, on both stores; the CLI's set-up duties."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.conftest import BACKENDS, PgDatabases, database_url_for
from tests.support import Api, ServerProcess


# "sqlite+normal": HUBBUB_SQLITE_SYNCHRONOUS=normal, whose promise is exactly this test's
# (an acked message survives the server's crash; only the machine's may lose it).
@pytest_asyncio.fixture(params=[*BACKENDS, "sqlite+normal"])
async def own_server(
    request: pytest.FixtureRequest, tmp_path: Path, pg_databases: PgDatabases
) -> AsyncIterator[ServerProcess]:
    backend, _, synchronous = str(request.param).partition("+")
    proc = ServerProcess(
        data_dir=tmp_path / "data",
        database_url=await database_url_for(backend, tmp_path, pg_databases),
        extra_env={"HUBBUB_SQLITE_SYNCHRONOUS": synchronous} if synchronous else {},
    )
    await asyncio.to_thread(proc.start)
    yield proc
    await asyncio.to_thread(proc.stop)


async def test_history_and_accounts_survive_a_crash(own_server: ServerProcess, clients) -> None:
    api = Api(own_server.url)
    try:
        alice, bob = await api.register("alice"), await api.register("bob")
        room = await api.create_room(alice)
        await api.join(bob, room)
        a = await clients(own_server.url, alice.access_token)
        acks = [await a.send(room, f"before crash {i}", client_id=f"k{i}") for i in range(20)]
        assert all(ack["ok"] for ack in acks)
        await a.close()

        # SIGKILL: no graceful shutdown, so only committed data can survive.
        await asyncio.to_thread(own_server.restart, kill=True)

        login = await api.http.post(
            "/api/auth/login", json={"username": bob.username, "password": bob.password}
        )
        assert login.status_code == 200
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        page = (await api.http.get(f"/api/rooms/{room}/messages", headers=headers)).json()
        assert [m["text"] for m in page["messages"]] == [f"before crash {i}" for i in range(20)]
        # Tokens issued before the restart still work (the secret is kept), and seq
        # and idempotency carry on where they were.
        a2 = await clients(own_server.url, alice.access_token)
        again = await a2.send(room, "before crash 3", client_id="k3")
        assert again["message"] == acks[3]["message"]
        assert (await a2.send(room, "after restart"))["message"]["seq"] == 21
    finally:
        await api.close()


def test_generated_jwt_secret_is_private_and_kept(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBUB_")}
    env["HUBBUB_DATA_DIR"] = str(tmp_path / "data")
    code = "from hubbub.config import Settings; s = Settings();print(s.resolved_jwt_secret())"
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout.strip()) >= 43
    secret_file = tmp_path / "data" / "jwt_secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBUB_")}
    env["HUBBUB_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-m", "hubbub", "db", "upgrade"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "data" / "hubbub.db") as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = db.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert {"users", "rooms", "memberships", "invites", "messages", "refresh_tokens"} <= tables
    from alembic.script import ScriptDirectory

    from hubbub.store.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite:///unused")).get_current_head()
    assert version == head and head is not None
    assert {"mentions", "uploads"} <= tables
    journal = sqlite3.connect(tmp_path / "data" / "hubbub.db").execute("PRAGMA journal_mode")
    assert journal.fetchone()[0] == "wal"
