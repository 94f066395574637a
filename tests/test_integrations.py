"""Bots with API tokens and incoming webhooks, over real sockets and HTTP, on SQLite and
PostgreSQL: what a bot may do with its token, that deleting it stops it at once, and that
a webhook ``POST {"text"}`` shows up live in its room."""

from __future__ import annotations

import httpx

from hubbub.schemas import MessageOut
from hubbub.schemas.admin import BotCreatedOut, WebhookCreatedOut
from tests.support import Account, Api, ServerProcess, two_in_a_room, unique


async def test_a_bot_speaks_with_its_token_until_deleted(
    server: ServerProcess, api: Api, clients
) -> None:
    p = await two_in_a_room(api, clients, server.url)
    name = unique("echo")[:24]
    r = await api.http.post("/api/bots", json={"username": name}, headers=p.alice.headers)
    assert r.status_code == 201, r.text
    created = BotCreatedOut.model_validate(r.json())
    assert created.user.bot and created.user.username == name
    token = created.token
    bot = Account(created.user.id, name, "", token, "")

    me = await api.http.get("/api/me", headers=bot.headers)
    assert me.status_code == 200 and me.json()["bot"] is True
    assert (await api.join(bot, p.room)).status_code == 200
    sock = await clients(server.url, token)
    ack = await sock.send(p.room, "beep")
    assert ack["ok"] and ack["message"]["user"]["bot"] is True
    got = await p.b.wait_for("receiveMessage", lambda m: m["text"] == "beep")
    assert got["user"]["id"] == created.user.id

    listed = (await api.http.get("/api/bots", headers=p.alice.headers)).json()["bots"]
    assert [b["username"] for b in listed] == [name]
    assert (await api.http.get("/api/bots", headers=p.bob.headers)).json()["bots"] == []
    taken = await api.http.post("/api/bots", json={"username": name}, headers=p.bob.headers)
    assert taken.status_code == 409
    bad = await api.http.post("/api/bots", json={"username": "no spaces"}, headers=p.bob.headers)
    assert bad.status_code == 400
    # a bot cannot log in with a password
    r = await api.http.post("/api/auth/login", json={"username": name, "password": "whatever1"})
    assert r.status_code in (401, 403)

    # only its owner deletes it; then its token stops and its socket closes, at once
    assert (await api.http.delete(f"/api/bots/{name}", headers=p.bob.headers)).status_code == 404
    assert (await api.http.delete(f"/api/bots/{name}", headers=p.alice.headers)).status_code == 204
    await sock.wait_for("sessionEnded")
    assert (await api.http.get("/api/me", headers=bot.headers)).status_code == 401
    assert (await api.http.get("/api/bots", headers=p.alice.headers)).json()["bots"] == []
    # what it said stays
    texts = [m["text"] for m in (await api.history(p.alice, p.room)).json()["messages"]]
    assert "beep" in texts


async def test_a_webhook_posts_into_its_room_live(server: ServerProcess, api: Api, clients) -> None:
    p = await two_in_a_room(api, clients, server.url)  # Alice owns the room
    base = f"/api/rooms/{p.room}/webhooks"
    assert (
        await api.http.post(base, json={"name": "CI"}, headers=p.bob.headers)
    ).status_code == 403
    r = await api.http.post(base, json={"name": "CI"}, headers=p.alice.headers)
    assert r.status_code == 201, r.text
    hook = WebhookCreatedOut.model_validate(r.json())
    assert hook.url.startswith(server.url + "/api/hooks/")

    async with httpx.AsyncClient() as curl:  # no token: the URL is the credential
        posted = await curl.post(hook.url, json={"text": "deploy done", "username": "ignored"})
        assert posted.status_code == 200, posted.text
        message = MessageOut.model_validate(posted.json())
        assert message.user.bot and message.user.display_name == "CI"
        got = await p.b.wait_for("receiveMessage", lambda m: m["text"] == "deploy done")
        assert got["user"]["display_name"] == "CI"

        wrong = hook.url.rsplit("/", 1)[0] + "/not-the-secret"
        assert (await curl.post(wrong, json={"text": "x"})).status_code == 404
        assert (
            await curl.post(f"{server.url}/api/hooks/999999/abc", json={"text": "x"})
        ).status_code == 404
        assert (await curl.post(hook.url, json={"text": "   "})).status_code == 400
        assert (await curl.post(hook.url, json={"text": "x" * 4001})).status_code == 413
        assert (await curl.post(hook.url, json={"nothing": 1})).status_code == 422

        listed = (await api.http.get(base, headers=p.alice.headers)).json()["webhooks"]
        assert [(h["id"], h["name"]) for h in listed] == [(hook.id, "CI")]
        r = await api.http.delete(f"{base}/{hook.id}", headers=p.alice.headers)
        assert r.status_code == 204
        assert (await curl.post(hook.url, json={"text": "after"})).status_code == 404
    assert (await api.http.get(base, headers=p.alice.headers)).json()["webhooks"] == []
