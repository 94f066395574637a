"""``GET /api/search`` over a real server, on SQLite and PostgreSQL: what a user finds,
what they never find (rooms left or never joined), and bad queries answered cleanly."""

from __future__ import annotations

from hubbub.schemas import SearchOut
from tests.support import Api, ServerProcess, two_in_a_room


async def test_search_finds_only_what_the_caller_may_read(
    server: ServerProcess, api: Api, clients
) -> None:
    p = await two_in_a_room(api, clients, server.url)
    secret = await api.create_room(p.alice, private=True)
    a_secret = await p.a.call("joinRoom", {"room": secret})
    assert a_secret["ok"]
    word = f"zebra{p.room[-6:].replace('_', '')}"
    await p.a.send(p.room, f"the {word} is public")
    await p.a.send(secret, f"the {word} is secret")

    async def search(who, **params) -> list[str]:
        r = await api.http.get("/api/search", params={"q": word, **params}, headers=who.headers)
        assert r.status_code == 200, r.text
        return [m["text"] for m in SearchOut.model_validate(r.json()).model_dump()["results"]]

    assert await search(p.alice) == [f"the {word} is secret", f"the {word} is public"]
    assert await search(p.bob) == [f"the {word} is public"]
    assert await search(p.alice, room=p.room) == [f"the {word} is public"]
    r = await api.http.get("/api/search", params={"q": word, "room": secret}, headers=p.bob.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    # once Alice leaves the private room, its messages no longer show up for her either
    await api.http.post(f"/api/rooms/{secret}/leave", headers=p.alice.headers)
    assert await search(p.alice) == [f"the {word} is public"]
    # a hit carries what a client needs to jump to it
    r = await api.http.get("/api/search", params={"q": word}, headers=p.bob.headers)
    hit = r.json()["results"][0]
    around = await api.history(p.bob, hit["room"], around=hit["seq"])
    assert hit["id"] in [m["id"] for m in around.json()["messages"]]


async def test_bad_queries_are_answered_not_run(server: ServerProcess, api: Api) -> None:
    ann = await api.register("ann")
    for q, status in (("", 400), ("   ", 400), ("!!! ---", 400), ("x" * 501, 422)):
        r = await api.http.get("/api/search", params={"q": q}, headers=ann.headers)
        assert r.status_code == status and r.json()["error"]["code"] == "bad_request", q
    many = " ".join(f"w{n}" for n in range(17))
    r = await api.http.get("/api/search", params={"q": many}, headers=ann.headers)
    assert r.status_code == 400
    for hostile in ('"', "a AND", "NEAR(", "x:*", "'", "\\", "a & b | !c"):
        r = await api.http.get("/api/search", params={"q": hostile}, headers=ann.headers)
        assert r.status_code in (200, 400), (hostile, r.text)
        assert r.json().get("results", []) == [] or "error" not in r.json()
    assert (await api.http.get("/api/search", params={"q": "x"})).status_code == 401
    r = await api.http.get("/api/search", params={"q": "x", "room": "nowhere"}, headers=ann.headers)
    assert r.status_code == 404
