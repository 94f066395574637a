"""Revocation and expiry (PROTOCOL v2, Limits and sessions): an ended login stops at once
on REST, at connect and on its live sockets; a socket lives only as long as its token,
unless it sends ``reauth`` with a fresh one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
import socketio

from tests.support import Api, Client, ServerProcess, settle

TTL = 3  # seconds an access token lives on the short-token server below


@pytest_asyncio.fixture(scope="module")
async def short_tokens(tmp_path_factory: object) -> AsyncIterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("short-tokens")  # type: ignore[attr-defined]
    proc = ServerProcess(data_dir=data_dir, extra_env={"HUBBUB_ACCESS_TOKEN_TTL": str(TTL)})
    await asyncio.to_thread(proc.start)
    yield proc
    await asyncio.to_thread(proc.stop)


async def refused_at_connect(url: str, token: str) -> object:
    client = socketio.AsyncClient(reconnection=False)
    errors: list[object] = []
    client.on("connect_error", lambda data: errors.append(data))
    try:
        await client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=5)
    except socketio.exceptions.ConnectionError:
        return errors[0] if errors else "refused"
    await client.disconnect()
    return None


def watch_disconnect(client: Client) -> asyncio.Event:
    gone = asyncio.Event()
    client.sio.on("disconnect", lambda *_: gone.set())
    client.sio.on("sessionEnded", lambda data: client.events["sessionEnded"].append(data))
    return gone


async def test_after_logout_the_access_token_is_dead_everywhere(
    sqlite_server: ServerProcess, sqlite_api: Api, clients
) -> None:
    alice = await sqlite_api.register("logout")
    live = await clients(sqlite_server.url, alice.access_token)
    gone = watch_disconnect(live)
    assert (await sqlite_api.http.get("/api/me", headers=alice.headers)).status_code == 200

    r = await sqlite_api.http.post("/api/auth/logout", json={"refresh_token": alice.refresh_token})
    assert r.status_code == 204

    me = await sqlite_api.http.get("/api/me", headers=alice.headers)
    assert me.status_code == 401 and me.json()["error"]["code"] == "unauthorized"
    rooms = await sqlite_api.http.post(
        "/api/rooms", json={"name": "after-logout"}, headers=alice.headers
    )
    assert rooms.status_code == 401
    refusal = await refused_at_connect(sqlite_server.url, alice.access_token)
    assert isinstance(refusal, dict) and refusal["message"] == "unauthorized"
    await asyncio.wait_for(gone.wait(), 5)
    assert live.events["sessionEnded"][0]["code"] == "unauthorized"


async def test_a_replayed_refresh_token_ends_the_login_and_its_sockets(
    sqlite_server: ServerProcess, sqlite_api: Api, clients
) -> None:
    alice = await sqlite_api.register("replay")
    stolen = alice.refresh_token
    r = await sqlite_api.http.post("/api/auth/refresh", json={"refresh_token": stolen})
    fresh = r.json()
    fresh_headers = {"Authorization": f"Bearer {fresh['access_token']}"}
    live = await clients(sqlite_server.url, fresh["access_token"])
    gone = watch_disconnect(live)

    replay = await sqlite_api.http.post("/api/auth/refresh", json={"refresh_token": stolen})
    assert replay.status_code == 401

    await asyncio.wait_for(gone.wait(), 5)
    for headers in (alice.headers, fresh_headers):
        assert (await sqlite_api.http.get("/api/me", headers=headers)).status_code == 401
    assert await refused_at_connect(sqlite_server.url, fresh["access_token"]) is not None


async def test_a_socket_is_closed_when_its_token_expires(
    short_tokens: ServerProcess, clients
) -> None:
    api = Api(short_tokens.url)
    try:
        alice = await api.register("expiry")
        room = await api.create_room(alice)
        live = await clients(short_tokens.url, alice.access_token)
        gone = watch_disconnect(live)
        assert (await live.send(room, "while valid"))["ok"]
        started = time.monotonic()
        await asyncio.wait_for(gone.wait(), TTL + 5)
        assert time.monotonic() - started <= TTL + 3  # exp, plus the 2 s grace
        assert "expired" in live.events["sessionEnded"][0]["message"]
        # REST refuses the same token now too (PyJWT checks exp).
        assert (await api.http.get("/api/me", headers=alice.headers)).status_code == 401
    finally:
        await api.close()


async def test_reauth_keeps_a_socket_past_its_first_token(
    short_tokens: ServerProcess, clients
) -> None:
    api = Api(short_tokens.url)
    try:
        alice, mallory = await api.register("reauth"), await api.register("mallory")
        room = await api.create_room(alice)
        live = await clients(short_tokens.url, alice.access_token)
        gone = watch_disconnect(live)
        refresh_token = alice.refresh_token
        # Refresh and reauth every second, as the web client does before expiry.
        for _ in range(TTL + 2):
            await asyncio.sleep(1)
            r = await api.http.post("/api/auth/refresh", json={"refresh_token": refresh_token})
            pair = r.json()
            refresh_token = pair["refresh_token"]
            ack = await live.call("reauth", {"token": pair["access_token"]})
            assert ack["ok"] and 0 < ack["expires_in"] <= TTL
        assert not gone.is_set()
        assert (await live.send(room, "still here"))["ok"]

        # Bad reauths are refused and change nothing.
        r = await api.http.post(
            "/api/auth/login", json={"username": mallory.username, "password": mallory.password}
        )
        other = await live.call("reauth", {"token": r.json()["access_token"]})
        assert other["error"]["code"] == "forbidden"
        garbage = await live.call("reauth", {"token": "not-a-token"})
        assert garbage["error"]["code"] == "unauthorized"
        missing = await live.call("reauth", {})
        assert missing["error"]["code"] == "bad_request"
        assert (await live.send(room, "unaffected"))["ok"]
        # Without further reauth, the last token's expiry ends it.
        await asyncio.wait_for(gone.wait(), TTL + 5)
    finally:
        await api.close()


async def test_one_logout_leaves_the_users_other_logins_working(
    sqlite_server: ServerProcess, sqlite_api: Api, clients
) -> None:
    alice = await sqlite_api.register("many_logins")
    r = await sqlite_api.http.post(
        "/api/auth/login", json={"username": alice.username, "password": alice.password}
    )
    second = r.json()
    await sqlite_api.http.post("/api/auth/logout", json={"refresh_token": alice.refresh_token})
    await settle(0.1)
    survivor = await clients(sqlite_server.url, second["access_token"])
    assert survivor.sio.connected
    me = await sqlite_api.http.get(
        "/api/me", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    assert me.status_code == 200
