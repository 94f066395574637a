"""Files in real Chromium (PROTOCOL v2 attachments): attaching by the file input, a paste
or a drop, upload progress, images inline in a box reserved before they load, downloads
with the same bytes, pending uploads kept across a reload, and the server's refusals."""

from __future__ import annotations

import asyncio
import base64
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest_asyncio
from PIL import Image
from playwright.async_api import FilePayload, Locator, Page, Route, expect

from tests.e2e.conftest import PersonFactory
from tests.e2e.people import Person, SocketGate
from tests.support import Account, Api, ServerProcess


@dataclass
class Two:
    alice: Person
    bob: Person
    alice_account: Account
    room: str
    api: Api
    gate: SocketGate


@pytest_asyncio.fixture
async def two(sqlite_server: ServerProcess, people: PersonFactory) -> AsyncIterator[Two]:
    """Alice and Bob in one room, each in a browser of their own (Alice's socket can be
    blocked: `gate`)."""
    api = Api(sqlite_server.url)
    alice_account, bob_account = await api.register("alice"), await api.register("bob")
    room = await api.create_room(alice_account)
    await api.join(bob_account, room)
    alice = await people(sqlite_server.url)
    gate = await SocketGate().install(alice.context)
    await alice.log_in(alice_account.username, alice_account.password)
    bob = await (await people(sqlite_server.url)).log_in(bob_account.username, bob_account.password)
    for person in (alice, bob):
        await person.open_room(room)
    try:
        yield Two(alice, bob, alice_account, room, api, gate)
    finally:
        await api.close()
    assert alice.errors == [] and bob.errors == []


def png(width: int, height: int, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def upload_file(name: str, data: bytes, mime: str = "image/png") -> FilePayload:
    return {"name": name, "mimeType": mime, "buffer": data}


class Hold:
    """Holds matching requests of a page until released (to see what shows meanwhile)."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.released = asyncio.Event()
        self.held = 0

    async def install(self, page: Page, pattern: str) -> Hold:
        await page.route(pattern, self._route)
        return self

    async def _route(self, route: Route) -> None:
        if route.request.method != self.method:
            await route.fallback()
            return
        self.held += 1
        await self.released.wait()
        await route.fallback()


async def act(msg: Locator, action: str) -> None:
    """Use one of a message's actions (shown on hover or focus)."""
    await msg.hover()
    await msg.get_by_role("button", name=action, exact=True).click()


def tray(person: Person) -> Locator:
    return person.page.get_by_role("list", name="Attached files")


def file_input(person: Person) -> Locator:
    return person.page.locator("form.composer input[type=file]")


def stored(person: Person, room: str) -> Locator:
    return person.timeline(room).locator("li.msg:not(.pending)")


async def attach(person: Person, *files: FilePayload) -> None:
    await file_input(person).set_input_files(list(files))


async def attached(person: Person, name: str) -> None:
    """The file is uploaded and attached (its Remove button shows)."""
    await expect(tray(person).get_by_role("button", name=f"Remove {name}")).to_be_visible()


async def natural_width(page: Page, img: Locator) -> int:
    handle = await img.element_handle()
    await page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle)
    return int(await img.evaluate("img => img.naturalWidth"))


async def test_an_image_uploads_with_progress_and_shows_in_a_reserved_box(two: Two) -> None:
    alice, bob, room = two.alice, two.bob, two.room
    # The upload is held on its way, so its progress shows.
    upload = await Hold("POST").install(alice.page, "**/api/rooms/*/uploads")
    # The attach button is a named button in the composer.
    await expect(alice.page.get_by_role("button", name="Attach files")).to_be_visible()
    await attach(alice, upload_file("photo.png", png(800, 600)))
    progress = alice.page.get_by_role("progressbar", name="Uploading photo.png")
    await expect(progress).to_be_visible()
    cancel = tray(alice).get_by_role("button", name="Cancel uploading photo.png")
    await expect(cancel).to_be_visible()
    # Sending while it uploads waits for it.
    await alice.composer(room).press("Enter")
    await expect(
        alice.page.get_by_role("alert").filter(has_text="finish uploading")
    ).to_be_visible()

    upload.released.set()
    await attached(alice, "photo.png")
    await expect(progress).to_have_count(0)
    await expect(tray(alice)).to_contain_text("photo.png")

    # Bob's copy of the image is held: the box is there before it loads.
    fetch = await Hold("GET").install(bob.page, "**/api/uploads/*")
    await alice.send(room, "look")
    await expect(tray(alice)).to_be_hidden()
    msg = stored(bob, room).filter(has_text="look")
    img = msg.get_by_role("img", name="photo.png")
    await expect(img).to_have_attribute("width", "360")
    await expect(img).to_have_attribute("height", "270")
    holder = msg.locator("hubbub-image")
    before = await holder.bounding_box()
    assert before is not None and (round(before["width"]), round(before["height"])) == (360, 270)
    assert await img.evaluate("img => img.naturalWidth") == 0
    fetch.released.set()
    assert await natural_width(bob.page, img) == 800
    after = await holder.bounding_box()
    assert after is not None and (round(after["width"]), round(after["height"])) == (360, 270)
    assert (await img.get_attribute("src") or "").startswith("blob:")

    # The message drawn anew (Alice edits it): the image shows from the cache, not fetched
    # again.
    await act(stored(alice, room).filter(has_text="look"), "Edit")
    editor = alice.page.get_by_role("textbox", name="Edit message")
    await editor.fill("look!")
    await editor.press("Enter")
    msg = stored(bob, room).filter(has_text="look!")
    img = msg.get_by_role("img", name="photo.png")
    holder = msg.locator("hubbub-image")
    await expect(msg.locator(".edited")).to_be_visible()
    assert await natural_width(bob.page, img) == 800
    assert fetch.held == 1

    # Full size in a dialog; Escape closes it and the focus goes back to the image.
    opener = msg.get_by_role("button", name="Open image photo.png")
    await opener.click()
    dialog = bob.page.get_by_role("dialog", name="photo.png")
    await expect(dialog).to_be_visible()
    big = dialog.get_by_role("img", name="photo.png")
    assert await natural_width(bob.page, big) == 800
    await expect(
        dialog.get_by_role("button", name=re.compile("^Download photo.png"))
    ).to_be_focused()
    await bob.page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(opener).to_be_focused()
    # Alice sees her own image too.
    mine = stored(alice, room).filter(has_text="look").get_by_role("img", name="photo.png")
    assert await natural_width(alice.page, mine) == 800


async def test_other_files_are_download_chips_with_the_same_bytes(two: Two) -> None:
    alice, bob, room = two.alice, two.bob, two.room
    notes = b"hello\nworld\n\x00\xff binary too"
    await attach(alice, upload_file("notes.txt", notes, "text/plain"))
    await attached(alice, "notes.txt")
    # No text: the file alone is the message.
    await alice.composer(room).press("Enter")
    await expect(tray(alice)).to_be_hidden()

    chip = stored(bob, room).get_by_role("button", name=f"Download notes.txt {len(notes)} B")
    await expect(chip).to_be_visible()
    await expect(chip).to_have_text(re.compile(rf"notes\.txt\s*{len(notes)} B"))
    async with bob.page.expect_download() as info:
        await chip.click()
    download = await info.value
    assert download.suggested_filename == "notes.txt"
    assert (await download.path()).read_bytes() == notes

    # A deleted message has no files.
    msg = stored(alice, room).filter(
        has=alice.page.get_by_role("button", name=re.compile("^Download notes"))
    )
    await act(msg, "Delete")
    await alice.page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    await expect(stored(bob, room).locator(".tombstone")).to_have_text("message deleted")
    await expect(chip).to_have_count(0)


PASTE = """([b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type: "image/png" }));
  const box = document.querySelector("form.composer textarea");
  box.focus();
  const init = { clipboardData: data, bubbles: true, cancelable: true };
  box.dispatchEvent(new ClipboardEvent("paste", init));
}"""

DROP = """([b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type: "image/png" }));
  const target = document.querySelector(".timeline");
  const init = { dataTransfer: data, bubbles: true, cancelable: true };
  for (const type of ["dragenter", "dragover", "drop"]) {
    target.dispatchEvent(new DragEvent(type, init));
  }
}"""


async def test_pasted_and_dropped_images_are_attached(two: Two) -> None:
    alice, bob, room = two.alice, two.bob, two.room
    pasted = base64.b64encode(png(30, 20, (20, 160, 40))).decode()
    dropped = base64.b64encode(png(20, 30, (20, 40, 160))).decode()
    await alice.page.evaluate(PASTE, [pasted, "pasted.png"])
    await attached(alice, "pasted.png")
    await alice.page.evaluate(DROP, [dropped, "dropped.png"])
    await attached(alice, "dropped.png")
    await expect(alice.page.locator(".room-pane.dropping")).to_have_count(0)
    await alice.send(room, "two pictures")

    msg = stored(bob, room).filter(has_text="two pictures")
    for name, size in (("pasted.png", (30, 20)), ("dropped.png", (20, 30))):
        img = msg.get_by_role("img", name=name)
        await expect(img).to_have_attribute("width", str(size[0]))
        await expect(img).to_have_attribute("height", str(size[1]))
        assert await natural_width(bob.page, img) == size[0]


async def test_pending_uploads_and_queued_sends_keep_their_files_across_a_reload(two: Two) -> None:
    alice, bob, room = two.alice, two.bob, two.room
    await attach(alice, upload_file("keep.png", png(12, 12)), upload_file("gone.png", png(14, 14)))
    await attached(alice, "keep.png")
    await attached(alice, "gone.png")
    await tray(alice).get_by_role("button", name="Remove gone.png").click()
    await expect(tray(alice).get_by_role("listitem")).to_have_count(1)

    # Uploaded, not sent: still attached after a reload; the removed one stays removed.
    await alice.page.reload()
    await expect(alice.composer(room)).to_be_visible()
    await attached(alice, "keep.png")
    await expect(tray(alice).get_by_role("listitem")).to_have_count(1)

    # Sent while the socket cannot get through, then reloaded: the queued message keeps
    # its file, and the composer does not offer it again.
    two.gate.blocked = True
    await alice.page.reload()
    await expect(alice.connection).not_to_have_text("Connected")
    await attached(alice, "keep.png")
    await alice.send(room, "kept")
    pending = alice.timeline(room).locator("li.msg.pending")
    await expect(pending).to_contain_text("keep.png")
    await alice.page.reload()
    await expect(pending).to_contain_text("keep.png")
    await expect(tray(alice)).to_be_hidden()
    # Through again (a reload connects at once, rather than at the next retry).
    two.gate.blocked = False
    await alice.page.reload()
    await alice.expect_connected()
    msg = stored(bob, room).filter(has_text="kept")
    img = msg.get_by_role("img", name="keep.png")
    assert await natural_width(bob.page, img) == 12
    await expect(msg.get_by_role("img")).to_have_count(1)
    await expect(pending).to_have_count(0)
    await expect(tray(alice)).to_be_hidden()
    r = await two.api.http.get(f"/api/rooms/{room}/uploads", headers=two.alice_account.headers)
    assert [a["name"] for a in r.json()["attachments"]] == ["gone.png"]  # swept by the server later


async def test_a_disguised_file_shows_the_servers_reason_and_is_not_attached(two: Two) -> None:
    alice, bob, room = two.alice, two.bob, two.room
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    await attach(alice, upload_file("cat.png", svg))
    item = tray(alice).get_by_role("listitem").filter(has_text="cat.png")
    await expect(item.get_by_role("alert")).to_have_text(
        "The file is not a PNG, JPEG, GIF or WebP image."
    )
    # Not something trying again would mend: no Retry, only Remove.
    await expect(item.get_by_role("button", name=re.compile("Retry"))).to_have_count(0)
    await expect(item.get_by_role("button", name="Remove cat.png")).to_be_visible()
    await alice.send(room, "no cat")
    await expect(tray(alice)).to_be_hidden()
    msg = stored(bob, room).filter(has_text="no cat")
    await expect(msg).to_have_count(1)
    await expect(msg.locator(".attachments")).to_have_count(0)
