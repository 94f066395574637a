"""Accounts and tokens over REST, and token checks at Socket.IO connect."""

from __future__ import annotations

import asyncio
import time

import jwt
import pytest
import socketio

from tests.support import Api, ServerProcess, settle, unique

SECRET = "test-secret-" + "x" * 40  # what ServerProcess configures


async def test_register_login_me(api: Api) -> None:
    username = unique("Ann")
    r = await api.http.post(
        "/api/auth/register", json={"username": username, "password": "long enough"}
    )
    assert r.status_code == 201
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    assert body["user"]["username"] == username
    assert set(body) == {"user", "access_token", "refresh_token", "token_type", "expires_in"}

    r = await api.http.post(
        "/api/auth/login", json={"username": username, "password": "long enough"}
    )
    assert r.status_code == 200
    me = await api.http.get(
        "/api/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}
    )
    assert me.json() == body["user"]


async def test_username_taken_case_insensitively(api: Api) -> None:
    account = await api.register("dup")
    r = await api.http.post(
        "/api/auth/register",
        json={"username": account.username.upper(), "password": "another one"},
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict"


@pytest.mark.parametrize(
    "body",
    [
        {"username": "ab", "password": "long enough"},
        {"username": "has space", "password": "long enough"},
        {"username": "x" * 33, "password": "long enough"},
        {"username": "fine_name", "password": "short"},
        {"username": "fine_name"},
        {"username": 5, "password": "long enough"},
    ],
)
async def test_register_rejects_bad_input(sqlite_api: Api, body: dict[str, object]) -> None:
    r = await sqlite_api.http.post("/api/auth/register", json=body)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "bad_request"
    assert r.json()["error"]["message"]


async def test_login_failure_is_the_same_for_unknown_user_and_bad_password(api: Api) -> None:
    account = await api.register("login")
    wrong = await api.http.post(
        "/api/auth/login", json={"username": account.username, "password": "not the one"}
    )
    unknown = await api.http.post(
        "/api/auth/login", json={"username": unique("nobody"), "password": "whatever1"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "unauthorized"


async def test_refresh_rotates_and_a_used_token_is_refused(api: Api) -> None:
    account = await api.register("rot")
    first = await api.http.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})
    assert first.status_code == 200
    new_pair = first.json()
    assert new_pair["refresh_token"] != account.refresh_token
    me = await api.http.get(
        "/api/me", headers={"Authorization": f"Bearer {new_pair['access_token']}"}
    )
    assert me.status_code == 200

    replay = await api.http.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "unauthorized"
    # Replaying a used token revokes the family: the newer token is dead too.
    after = await api.http.post(
        "/api/auth/refresh", json={"refresh_token": new_pair["refresh_token"]}
    )
    assert after.status_code == 401


async def test_logout_kills_the_refresh_token(api: Api) -> None:
    account = await api.register("bye")
    r = await api.http.post("/api/auth/logout", json={"refresh_token": account.refresh_token})
    assert r.status_code == 204
    r = await api.http.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})
    assert r.status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer " + "e30.e30.e30"],
)
async def test_rest_needs_a_valid_access_token(sqlite_api: Api, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for method, path in [("GET", "/api/me"), ("GET", "/api/rooms"), ("GET", "/api/users/online")]:
        r = await sqlite_api.http.request(method, path, headers=headers)
        assert r.status_code == 401, (path, r.text)
        assert r.json()["error"]["code"] == "unauthorized"


def forged(claims: dict[str, object], secret: str = SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


async def test_expired_and_forged_tokens_are_refused(sqlite_api: Api) -> None:
    now = int(time.time())
    expired = forged({"sub": "1", "name": "x", "typ": "access", "iat": now - 100, "exp": now - 1})
    other_key = forged(
        {"sub": "1", "name": "x", "typ": "access", "exp": now + 100}, secret="y" * 48
    )
    for token in (expired, other_key):
        r = await sqlite_api.http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
    r = await sqlite_api.http.get("/api/me", headers={"Authorization": f"Bearer {expired}"})
    assert "expired" in r.json()["error"]["message"]


async def test_a_token_holds_only_for_its_own_users_login(sqlite_api: Api) -> None:
    """Even signed with the server's key, a token naming another user's login, no login, or
    an id no database holds is refused (401, never a server error)."""
    alice, bob = await sqlite_api.register("alice"), await sqlite_api.register("bob")
    bob_session = jwt.decode(bob.access_token, SECRET, algorithms=["HS256"])["sid"]
    now = int(time.time())
    claims = {"name": "alice", "typ": "access", "exp": now + 100}
    for bad in (
        {"sub": str(alice.id), "sid": bob_session},
        {"sub": str(alice.id)},
        {"sub": str(2**64 + alice.id), "sid": bob_session},
        {"sub": "-1", "sid": bob_session},
    ):
        token = forged({**claims, **bad})
        r = await sqlite_api.http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized", (bad, r.text)
    r = await sqlite_api.http.get("/api/me", headers=bob.headers)
    assert r.status_code == 200 and r.json()["username"] == bob.username


@pytest.mark.parametrize("auth", [None, {}, {"token": "garbage"}, {"token": 42}, "expired"])
async def test_socket_connect_refused_without_a_valid_token(
    sqlite_server: ServerProcess, auth: object
) -> None:
    if auth == "expired":
        now = int(time.time())
        auth = {"token": forged({"sub": "1", "name": "x", "typ": "access", "exp": now - 5})}
    client = socketio.AsyncClient(reconnection=False)
    errors: list[object] = []
    client.on("connect_error", lambda data: errors.append(data))
    with pytest.raises(socketio.exceptions.ConnectionError) as refused:
        await client.connect(sqlite_server.url, auth=auth, transports=["websocket"], wait_timeout=5)
    assert "failed to connect" in str(refused.value)
    # PROTOCOL.md: message "unauthorized", data {"code": "unauthorized", "message": …}
    assert errors and isinstance(errors[0], dict)
    assert errors[0]["message"] == "unauthorized"
    assert errors[0]["data"]["code"] == "unauthorized" and errors[0]["data"]["message"]
    assert not client.connected


async def connects_with_origin(url: str, token: str, origin: str) -> bool:
    client = socketio.AsyncClient(reconnection=False)
    try:
        await client.connect(
            url,
            auth={"token": token},
            headers={"Origin": origin},
            transports=["websocket"],
            wait_timeout=5,
        )
    except socketio.exceptions.ConnectionError:
        await client.shutdown()
        return False
    await client.disconnect()
    return True


async def test_only_the_servers_own_origin_may_connect_from_a_browser(
    sqlite_server: ServerProcess, sqlite_api: Api
) -> None:
    alice = await sqlite_api.register("origin")
    own = sqlite_server.url
    assert await connects_with_origin(own, alice.access_token, own)
    assert not await connects_with_origin(own, alice.access_token, "http://evil.example")


async def test_logout_closes_that_logins_sockets_only(
    sqlite_server: ServerProcess, sqlite_api: Api, clients
) -> None:
    phone = await sqlite_api.register("two_logins")  # first login
    r = await sqlite_api.http.post(
        "/api/auth/login", json={"username": phone.username, "password": phone.password}
    )
    laptop_token = r.json()["access_token"]  # second login of the same user
    on_phone = await clients(sqlite_server.url, phone.access_token)
    on_laptop = await clients(sqlite_server.url, laptop_token)
    gone = asyncio.Event()
    on_phone.sio.on("disconnect", lambda *_: gone.set())

    r = await sqlite_api.http.post("/api/auth/logout", json={"refresh_token": phone.refresh_token})
    assert r.status_code == 204
    await asyncio.wait_for(gone.wait(), 5)
    await settle()
    assert not on_phone.sio.connected
    assert on_laptop.sio.connected
    assert (await on_laptop.call("typing", {"room": "nowhere"}))["error"]["code"] == "not_found"
