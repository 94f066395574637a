"""Display names, finding people, direct messages and notification levels over real
sockets and REST, on SQLite and PostgreSQL."""

from __future__ import annotations

from hubbub.events import DmCreatedOut, UserUpdatedOut
from hubbub.schemas import DmOut, PeopleOut, RoomsOut
from tests.support import Api, ServerProcess, settle, two_in_a_room


async def test_a_display_name_shows_everywhere_the_user_does(
    server: ServerProcess, api: Api, clients
) -> None:
    p = await two_in_a_room(api, clients, server.url)
    r = await api.http.patch(
        "/api/me", json={"display_name": "  Alice   Liddell "}, headers=p.alice.headers
    )
    assert r.status_code == 200
    assert r.json() == {**p.alice.wire, "display_name": "Alice Liddell"}
    update = await p.b.wait_for("userUpdated", lambda e: e["user"]["id"] == p.alice.id)
    UserUpdatedOut.model_validate(update)
    assert update["user"]["display_name"] == "Alice Liddell"

    me = (await api.http.get("/api/me", headers=p.alice.headers)).json()
    assert me["display_name"] == "Alice Liddell"
    sent = (await p.a.send(p.room, "hello"))["message"]
    assert sent["user"]["display_name"] == "Alice Liddell"
    members = (await api.http.get(f"/api/rooms/{p.room}/members", headers=p.bob.headers)).json()
    assert {m["username"]: m["display_name"] for m in members["members"]}[p.alice.username] == (
        "Alice Liddell"
    )
    await p.a.call("typing", {"room": p.room})
    typing = await p.b.wait_for("typing")
    assert typing["user"]["display_name"] == "Alice Liddell"

    for bad in ("x" * 65, "bad\u202ename", "nul\x00"):
        r = await api.http.patch("/api/me", json={"display_name": bad}, headers=p.alice.headers)
        assert r.status_code in (400, 422) and r.json()["error"]["code"] == "bad_request", bad
    r = await api.http.patch("/api/me", json={"display_name": ""}, headers=p.alice.headers)
    assert r.status_code == 200 and r.json()["display_name"] is None


async def test_find_people_by_prefix(server: ServerProcess, api: Api, clients) -> None:
    zed = await api.register("zedfinder")
    await api.http.patch("/api/me", json={"display_name": "Quentin Q"}, headers=zed.headers)
    other = await api.register("zedother")
    await clients(server.url, other.access_token)  # online
    r = await api.http.get("/api/users", params={"q": "zed"}, headers=zed.headers)
    assert r.status_code == 200
    found = PeopleOut.model_validate(r.json()).users
    by_name = {u.username: u for u in found}
    assert {zed.username, other.username} <= set(by_name)
    assert by_name[other.username].online and not by_name[zed.username].online
    by_display = await api.http.get("/api/users", params={"q": "quentin"}, headers=zed.headers)
    assert [u["username"] for u in by_display.json()["users"]] == [zed.username]
    assert (
        await api.http.get("/api/users", params={"limit": 51}, headers=zed.headers)
    ).status_code == 422
    assert (await api.http.get("/api/users")).status_code == 401


async def test_a_dm_is_one_room_per_set_of_people_and_arrives_live(
    server: ServerProcess, api: Api, clients
) -> None:
    ann, bob, cat = await api.register("ann"), await api.register("bob"), await api.register("cat")
    b = await clients(server.url, bob.access_token)
    c = await clients(server.url, cat.access_token)

    r = await api.http.post("/api/dms", json={"usernames": [bob.username]}, headers=ann.headers)
    assert r.status_code == 201, r.text
    dm = DmOut.model_validate(r.json())
    assert dm.kind == "dm" and dm.private
    assert sorted(u.username for u in dm.people) == sorted([ann.username, bob.username])
    created = await b.wait_for("dmCreated")
    DmCreatedOut.model_validate(created)
    assert created["room"]["name"] == dm.name

    # Bob's socket is in the room already: Ann's first message arrives without a reload
    a = await clients(server.url, ann.access_token)
    sent = await a.send(dm.name, "psst")
    assert sent["ok"], sent
    got = await b.wait_for("receiveMessage", lambda m: m["room"] == dm.name)
    assert got["text"] == "psst"
    await settle()
    assert c.events["receiveMessage"] == [] and c.events["dmCreated"] == []

    # the same people, in any order and spelling, get the same room
    again = await api.http.post(
        "/api/dms", json={"usernames": [ann.username.upper()]}, headers=bob.headers
    )
    assert again.status_code == 200 and again.json()["name"] == dm.name

    # listed to its people, titled by them; invisible and closed to anyone else
    rooms = RoomsOut.model_validate((await api.http.get("/api/rooms", headers=bob.headers)).json())
    (listed,) = [room for room in rooms.rooms if room.name == dm.name]
    assert listed.kind == "dm" and {u.username for u in listed.people} == {
        ann.username,
        bob.username,
    }
    assert listed.unread == 1
    cat_rooms = (await api.http.get("/api/rooms", headers=cat.headers)).json()["rooms"]
    assert dm.name not in {room["name"] for room in cat_rooms}
    assert (await api.join(cat, dm.name)).status_code == 403
    assert (await api.history(cat, dm.name)).status_code == 403
    joined = await c.call("joinRoom", {"room": dm.name})
    assert joined["ok"] is False and joined["error"]["code"] == "forbidden"
    assert (await api.invite(ann, dm.name, cat.username)).status_code == 403
    left = await api.http.post(f"/api/rooms/{dm.name}/leave", headers=bob.headers)
    assert left.status_code == 403

    # a group DM is another room
    group = await api.http.post(
        "/api/dms", json={"usernames": [bob.username, cat.username]}, headers=ann.headers
    )
    assert group.status_code == 201 and group.json()["name"] != dm.name
    await c.wait_for("dmCreated", lambda e: e["room"]["name"] == group.json()["name"])


async def test_bad_dms_answer_their_error_and_make_nothing(server: ServerProcess, api: Api) -> None:
    ann = await api.register("ann")
    others = [await api.register(f"p{i}") for i in range(9)]

    async def open_dm(names: object) -> tuple[int, str]:
        r = await api.http.post("/api/dms", json={"usernames": names}, headers=ann.headers)
        return r.status_code, r.json()["error"]["code"]

    assert await open_dm([ann.username]) == (400, "bad_request")  # oneself
    assert await open_dm([]) in ((400, "bad_request"), (422, "bad_request"))
    assert await open_dm(["nobody_at_all"]) == (404, "not_found")
    assert await open_dm([o.username for o in others]) == (400, "bad_request")  # 9 others
    assert await open_dm("not a list") in ((400, "bad_request"), (422, "bad_request"))
    rooms = (await api.http.get("/api/rooms", headers=ann.headers)).json()["rooms"]
    assert not [r for r in rooms if r["kind"] == "dm"]


async def test_notification_level_per_room(server: ServerProcess, api: Api, clients) -> None:
    p = await two_in_a_room(api, clients, server.url)
    url = f"/api/rooms/{p.room}/notifications"
    assert (
        await api.http.put(url, json={"level": "mentions"}, headers=p.bob.headers)
    ).status_code == 204
    rooms = (await api.http.get("/api/rooms", headers=p.bob.headers)).json()["rooms"]
    assert next(r for r in rooms if r["name"] == p.room)["notify"] == "mentions"
    bad = await api.http.put(url, json={"level": "loud"}, headers=p.bob.headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_request"
    outsider = await api.register("outsider")
    assert (
        await api.http.put(url, json={"level": "none"}, headers=outsider.headers)
    ).status_code == 403
