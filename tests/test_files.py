"""Files end to end, on SQLite and PostgreSQL: upload, attach, fetch with the token,
types decided by content, who may see what, bad uploads refused, unused files removed."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from hubbub.schemas import AttachmentOut
from tests.support import Api, ServerProcess, two_in_a_room


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def upload(
    api: Api, who, room: str, name: str, data: bytes, content_type: str = "application/octet-stream"
):
    return await api.http.post(
        f"/api/rooms/{room}/uploads",
        files={"file": (name, data, content_type)},
        headers=who.headers,
    )


async def test_an_image_is_uploaded_attached_and_shown_to_members(
    server: ServerProcess, api: Api, clients
) -> None:
    p = await two_in_a_room(api, clients, server.url)
    image = png(40, 30)
    r = await upload(api, p.alice, p.room, "screenshot.png", image, "image/png")
    assert r.status_code == 201, r.text
    attachment = AttachmentOut.model_validate(r.json())
    assert (attachment.content_type, attachment.width, attachment.height) == ("image/png", 40, 30)
    assert attachment.size == len(image) and attachment.name == "screenshot.png"

    pending = await api.http.get(f"/api/rooms/{p.room}/uploads", headers=p.alice.headers)
    assert [a["id"] for a in pending.json()["attachments"]] == [attachment.id]
    # pending: only the uploader may fetch it
    assert (await api.http.get(attachment.url, headers=p.bob.headers)).status_code == 404
    assert (await api.http.get(attachment.url, headers=p.alice.headers)).status_code == 200

    ack = await p.a.call(
        "sendMessage", {"room": p.room, "text": "", "attachments": [attachment.id]}
    )
    assert ack["ok"], ack
    assert ack["message"]["attachments"] == [attachment.model_dump()]
    got = await p.b.wait_for("receiveMessage", lambda m: m["attachments"])
    assert got["attachments"][0]["width"] == 40

    fetched = await api.http.get(attachment.url, headers=p.bob.headers)
    assert fetched.status_code == 200 and fetched.content == image
    assert fetched.headers["content-type"] == "image/png"
    assert fetched.headers["content-disposition"].startswith("inline")
    assert fetched.headers["x-content-type-options"] == "nosniff"
    assert (await api.http.get(attachment.url)).status_code == 401
    assert (await api.http.get(f"/api/rooms/{p.room}/uploads", headers=p.alice.headers)).json() == {
        "attachments": []
    }
    # the same upload cannot go out twice
    again = await p.a.call(
        "sendMessage", {"room": p.room, "text": "again", "attachments": [attachment.id]}
    )
    assert again["ok"] is False and again["error"]["code"] == "bad_request"

    # a private room's file is for its members only
    secret = await api.create_room(p.alice, private=True)
    r = await upload(api, p.alice, secret, "s.png", png())
    sent = await p.a.call(
        "sendMessage", {"room": secret, "text": "x", "attachments": [r.json()["id"]]}
    )
    assert sent["ok"]
    assert (await api.http.get(r.json()["url"], headers=p.bob.headers)).status_code == 403


async def test_anything_else_is_a_download_and_disguises_are_refused(
    server: ServerProcess, api: Api, clients
) -> None:
    p = await two_in_a_room(api, clients, server.url)
    r = await upload(api, p.alice, p.room, "notes.txt", b"hello\n", "text/plain")
    assert r.status_code == 201 and r.json()["content_type"] == "application/octet-stream"
    assert r.json()["width"] is None
    await p.a.call(
        "sendMessage", {"room": p.room, "text": "notes", "attachments": [r.json()["id"]]}
    )
    got = await api.http.get(r.json()["url"], headers=p.bob.headers)
    assert got.headers["content-disposition"].startswith("attachment")
    assert got.headers["content-type"] == "application/octet-stream"
    assert "sandbox" in got.headers["content-security-policy"]

    page = b"<html><script>alert(1)</script></html>"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    for name, data, declared in (
        ("cat.png", svg, "image/png"),
        ("cat.svg", svg, "image/svg+xml"),
        ("x.gif", page, "image/gif"),
        ("harmless", page, "image/jpeg"),
        ("fake.jpg", b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "image/jpeg"),  # a broken PNG header
    ):
        r = await upload(api, p.alice, p.room, name, data, declared)
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request", name
    empty = await upload(api, p.alice, p.room, "empty.bin", b"")
    assert empty.status_code == 400
    # an HTML page that says it is one is merely a download, never rendered
    r = await upload(api, p.alice, p.room, "page.html", page, "text/html")
    assert r.status_code == 201 and r.json()["content_type"] == "application/octet-stream"
    # non-members may not upload
    outsider = await api.register("outsider")
    assert (await upload(api, outsider, p.room, "a.png", png())).status_code == 403
    assert (await upload(api, outsider, "nowhere", "a.png", png())).status_code == 404


async def test_attachments_of_others_are_refused_and_change_nothing(
    server: ServerProcess, api: Api, clients
) -> None:
    p = await two_in_a_room(api, clients, server.url)
    other_room = await api.create_room(p.bob)
    bobs = (await upload(api, p.bob, p.room, "b.png", png())).json()["id"]
    assert (await api.join(p.alice, other_room)).status_code == 200
    elsewhere = (await upload(api, p.alice, other_room, "o.png", png())).json()["id"]
    for ids in ([bobs], [elsewhere], [999_999], [bobs, bobs], list(range(1, 12))):
        ack = await p.a.call("sendMessage", {"room": p.room, "text": "mine?", "attachments": ids})
        assert ack["ok"] is False and ack["error"]["code"] == "bad_request", ids
    page = (await api.history(p.alice, p.room)).json()
    assert page["messages"] == []  # no seq was used
    ok = await p.a.send(p.room, "still fine")
    assert ok["message"]["seq"] == 1


async def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    tmp_path: Path, clients
) -> None:
    proc = ServerProcess(data_dir=tmp_path, extra_env={"HUBBUB_MAX_UPLOAD_BYTES": "100000"})
    proc.start()
    try:
        api = Api(proc.url)
        ann = await api.register("ann")
        room = await api.create_room(ann)
        r = await upload(api, ann, room, "big.bin", b"x" * 200_000)
        assert r.status_code == 413 and r.json()["error"] == {
            "code": "too_large",
            "message": "a file may be at most 100000 bytes",
        }
        r = await upload(api, ann, room, "fits.bin", b"x" * 90_000)
        assert r.status_code == 201
        # ordinary request bodies keep their own, smaller limit
        r = await api.http.post(
            "/api/rooms", content=b"{" + b" " * 70_000 + b"}", headers=ann.headers
        )
        assert r.status_code == 413
        await api.close()
    finally:
        proc.stop()
    assert not list((tmp_path / "uploads").rglob("*.part"))
