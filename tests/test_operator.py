"""The operator's commands against a running server's own database, on SQLite and
PostgreSQL: ``hubbub audit`` reads the log the server writes; ``users deactivate`` reaches
the server's open sockets without Redis."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, PgDatabases, database_url_for
from tests.support import Api, ServerProcess, free_port, unique
from tests.test_moderation import operator, post


def table(stdout: str) -> list[list[str]]:
    """``hubbub audit``'s rows (header first), split at the column gaps."""
    return [re.split(r" {2,}", line) for line in stdout.splitlines()]


async def test_the_audit_command_reads_the_log_while_the_server_runs(
    server: ServerProcess, api: Api
) -> None:
    alice, bob = await api.register("alice"), await api.register("bob")
    room = await api.create_room(alice)
    assert (await api.join(bob, room)).status_code == 200
    for verb in ("kick", "ban"):
        assert (await post(api, alice, f"/api/rooms/{room}/{verb}", {"username": bob.username}))[
            0
        ] == 204
    r = await api.http.delete(f"/api/rooms/{room}/bans/{bob.username}", headers=alice.headers)
    assert r.status_code == 204

    latest = await asyncio.to_thread(operator, server, "audit", "--limit", "2")
    assert latest.returncode == 0, latest.stderr
    rows = table(latest.stdout)
    assert rows[0] == ["ID", "AT (UTC)", "ACTOR", "ACTION", "ROOM", "TARGET", "DETAIL"]
    assert [row[2:6] for row in rows[1:]] == [
        [alice.username, "unban", room, bob.username],
        [alice.username, "ban", room, bob.username],
    ]
    assert int(rows[1][0]) > int(rows[2][0])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[1][1])

    # a deleted room's entries stay under its name; one actor's, in one room
    assert (await api.http.delete(f"/api/rooms/{room}", headers=alice.headers)).status_code == 204
    mine = await asyncio.to_thread(
        operator, server, "audit", "--room", room, "--actor", alice.username
    )
    assert mine.returncode == 0, mine.stderr
    assert [row[3] for row in table(mine.stdout)[1:]] == ["delete_room", "unban", "ban", "kick"]

    unknown_room = await asyncio.to_thread(operator, server, "audit", "--room", "no-such-room")
    assert unknown_room.returncode == 1 and unknown_room.stdout == ""
    assert "no room named 'no-such-room'" in unknown_room.stderr
    unknown_actor = await asyncio.to_thread(operator, server, "audit", "--actor", "nobody_x")
    assert unknown_actor.returncode == 1 and "no user named 'nobody_x'" in unknown_actor.stderr


def test_the_audit_command_explains_itself_and_a_missing_database(tmp_path) -> None:
    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hubbub", "audit", *args],
            env={**os.environ, "HUBBUB_DATA_DIR": str(tmp_path), **env},
            capture_output=True,
            text=True,
            timeout=60,
        )

    helped = run("--help")
    assert helped.returncode == 0
    assert all(option in helped.stdout for option in ("--limit N", "--room NAME", "--actor USER"))
    down = run(HUBBUB_DATABASE_URL=f"postgresql+asyncpg://127.0.0.1:{free_port()}/hubbub")
    assert down.returncode == 1 and down.stdout == ""
    assert down.stderr.startswith("hubbub: cannot reach the store")
    assert run("--limit", "0").stderr == "hubbub: --limit must be 1-10000\n"


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_deactivation_from_the_shell_closes_sockets_without_redis(
    backend: str, tmp_path: Path, pg_databases: PgDatabases, clients
) -> None:
    """No broker links the command to the server: the server's own periodic check of its
    sockets' logins (one query) finds the deactivated accounts and closes their sockets."""
    proc = ServerProcess(
        data_dir=tmp_path,
        database_url=await database_url_for(backend, tmp_path, pg_databases),
        extra_env={"HUBBUB_SESSION_CHECK_SECONDS": "0.5"},
    )
    await asyncio.to_thread(proc.start)
    api = Api(proc.url)
    try:
        eve, bob = await api.register("eve"), await api.register("bob")
        made = await api.http.post(
            "/api/bots", json={"username": unique("bot")}, headers=eve.headers
        )
        bot_name, bot_token = made.json()["user"]["username"], made.json()["token"]
        sockets = {
            who: await clients(proc.url, token)
            for who, token in (
                ("eve", eve.access_token),
                ("bot", bot_token),
                ("bob", bob.access_token),
            )
        }

        started = time.monotonic()
        for name in (eve.username, bot_name):
            done = await asyncio.to_thread(operator, proc, "users", "deactivate", name)
            assert done.returncode == 0, done.stderr
        # REST asks the store on every call: refused at once
        for token in (eve.access_token, bot_token):
            me = await api.http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 401
        for who in ("eve", "bot"):
            ended = await sockets[who].wait_for("sessionEnded", timeout=5)
            assert ended["code"] == "unauthorized"
        elapsed = time.monotonic() - started
        print(f"{backend}: sockets closed {elapsed:.1f} s after the first command")
        for who in ("eve", "bot"):  # the disconnect follows the event
            for _ in range(50):
                if not sockets[who].sio.connected:
                    break
                await asyncio.sleep(0.05)
            assert not sockets[who].sio.connected
        # every round that ended theirs asked about Bob's login too: it stands
        assert sockets["bob"].sio.connected and sockets["bob"].events["sessionEnded"] == []
    finally:
        await api.close()
        await asyncio.to_thread(proc.stop)
