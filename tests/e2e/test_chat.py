"""Two people chatting in real Chromium: both ways, across a reload, in private rooms, with
presence and typing, and with hostile text."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.e2e.conftest import PersonFactory
from tests.support import Api, ServerProcess


async def test_two_users_chat_both_ways(sqlite_server: ServerProcess, people: PersonFactory):
    url = sqlite_server.url
    alice = await (await people(url)).register("alice")
    room = await alice.create_room()

    # Bob's account exists already: he logs in rather than registering.
    api = Api(url)
    try:
        account = await api.register("bob")
    finally:
        await api.close()
    bob = await (await people(url)).log_in(account.username, account.password)
    await bob.join_room(room)

    await alice.send(room, "Hi Bob!")
    await expect(bob.stored_texts(room)).to_have_text(["Hi Bob!"])

    # Shift+Enter starts a new line; Enter sends.
    box = bob.composer(room)
    await box.fill("Hello")
    await box.press("Shift+Enter")
    await box.press_sequentially("Alice")
    await expect(box).to_have_value("Hello\nAlice")
    await box.press("Enter")
    await expect(box).to_have_value("")

    for person in (alice, bob):
        await expect(person.stored_texts(room)).to_have_text(["Hi Bob!", "Hello\nAlice"])
        await expect(person.timeline(room).locator("li.msg.pending")).to_have_count(0)
    # Sender and time on each message; one day separator.
    last = alice.timeline(room).locator("li.msg").last
    await expect(last.locator(".author")).to_have_text(bob.username)
    await expect(last.locator("time")).to_have_text(re.compile(r"\d{1,2}:\d{2}"))
    await expect(alice.timeline(room).get_by_role("separator", name="Today")).to_have_count(1)
    assert (await last.locator(".msg-text").inner_text()) == "Hello\nAlice"
    assert alice.errors == [] and bob.errors == []


async def test_reload_keeps_session_and_history(
    sqlite_server: ServerProcess, people: PersonFactory
):
    alice = await (await people(sqlite_server.url)).register("alice")
    room = await alice.create_room()
    await alice.send(room, "first")
    await alice.send(room, "second")
    await expect(alice.stored_texts(room)).to_have_text(["first", "second"])

    await alice.page.reload()
    await alice.expect_connected()
    await expect(alice.room_heading(room)).to_be_visible()
    await expect(alice.stored_texts(room)).to_have_text(["first", "second"])
    await alice.send(room, "third")
    await expect(alice.stored_texts(room)).to_have_text(["first", "second", "third"])

    # Log out: back to the login form, and a reload does not bring the session back.
    await alice.page.get_by_role("button", name="Log out").click()
    await expect(alice.page.get_by_role("button", name="Log in")).to_be_visible()
    await alice.page.reload()
    await expect(alice.page.get_by_role("button", name="Log in")).to_be_visible()
    assert await alice.page.evaluate("localStorage.getItem('hubbub.session')") is None

    # Logging in again shows the same history.
    await alice.log_in(alice.username)
    await alice.page.goto(f"/#/room/{room}")
    await expect(alice.stored_texts(room)).to_have_text(["first", "second", "third"])


async def test_private_room_is_invisible_until_invited(
    sqlite_server: ServerProcess, people: PersonFactory
):
    url = sqlite_server.url
    alice = await (await people(url)).register("alice")
    bob = await (await people(url)).register("bob")
    public = await alice.create_room()
    secret = await alice.create_room(private=True)
    await alice.send(secret, "classified")

    await bob.page.reload()
    await bob.expect_connected()
    await expect(bob.rooms_nav.get_by_role("button", name=f"Join {public}")).to_be_visible()
    await expect(bob.rooms_nav.get_by_text(secret)).to_have_count(0)
    # Even by its address.
    await bob.page.goto(f"/#/room/{secret}")
    await expect(
        bob.page.get_by_text(f"There is no room #{secret}, or it is private.")
    ).to_be_visible()
    await expect(bob.page.get_by_text("classified")).to_have_count(0)

    # Invited, Bob sees the invitation and can join.
    panel = alice.members(secret)
    await panel.get_by_label("Invite someone (username)").fill(bob.username)
    await panel.get_by_role("button", name="Invite").click()
    await expect(panel.get_by_role("status")).to_have_text(re.compile(f"Invited {bob.username}"))

    # It arrives live (the server's `invited` event), no reload needed.
    await bob.rooms_nav.get_by_role("button", name=f"Accept {secret}").click()
    await expect(bob.stored_texts(secret)).to_have_text(["classified"])
    await bob.send(secret, "thanks for the invite")
    await expect(alice.stored_texts(secret)).to_have_text(["classified", "thanks for the invite"])


async def test_a_new_public_room_appears_live(sqlite_server: ServerProcess, people: PersonFactory):
    url = sqlite_server.url
    bob = await (await people(url)).register("bob")
    alice = await (await people(url)).register("alice")
    await bob.expect_connected()
    room = await alice.create_room()
    # Bob's list shows it without a reload (the server's `roomCreated` event).
    await bob.rooms_nav.get_by_role("button", name=f"Join {room}").click()
    await alice.send(room, "welcome, early bird")  # racing Bob's join: no wait between
    await expect(bob.stored_texts(room)).to_have_text(["welcome, early bird"])


async def test_online_list_and_typing_update_live(
    sqlite_server: ServerProcess, people: PersonFactory
):
    url = sqlite_server.url
    alice = await (await people(url)).register("alice")
    room = await alice.create_room()
    bob = await (await people(url)).register("bob")
    await bob.join_room(room)

    # Alice sees Bob arrive: a notice in the timeline, and him online among the members.
    await expect(alice.timeline(room).get_by_text(f"{bob.username} joined #{room}")).to_be_visible()
    members = alice.members(room)
    bob_entry = members.get_by_role("listitem").filter(has_text=bob.username)
    await expect(bob_entry).to_contain_text("online")
    await expect(members).to_contain_text("2 of 2 online")

    # Typing shows, and goes when the message arrives.
    await bob.composer(room).press_sequentially("hel")
    await expect(alice.typing_line()).to_have_text(f"{bob.username} is typing…")
    await bob.composer(room).press_sequentially("lo")
    await bob.composer(room).press("Enter")
    await expect(alice.stored_texts(room)).to_have_text(["hello"])
    await expect(alice.typing_line()).to_have_text("")

    # Bob leaves the room: a notice, and he is no longer a member.
    await bob.members(room).get_by_role("button", name=f"Leave {room}").click()
    await expect(alice.timeline(room).get_by_text(f"{bob.username} left #{room}")).to_be_visible()
    await expect(bob_entry).to_have_count(0)
    await bob.join_room(room)
    await expect(bob_entry).to_contain_text("online")

    # Bob closes his browser: offline for Alice at once.
    await bob.close()
    await expect(bob_entry).to_contain_text("offline")
    await expect(members).to_contain_text("1 of 2 online")


HOSTILE = [
    '<img src=x onerror="window.__pwned = 1">',
    "<script>window.__pwned = 2</script>",
    "<b>bold</b> & <i>italic</i> &amp; &lt;",
    "javascript:window.__pwned = 3",
    '<a href="javascript:window.__pwned=4">click</a>',
    "see https://example.com/a?b=1&c=2.",
]


async def test_markup_in_messages_shows_as_text(
    sqlite_server: ServerProcess, people: PersonFactory
):
    url = sqlite_server.url
    alice = await (await people(url)).register("alice")
    room = await alice.create_room()
    bob = await (await people(url)).register("bob")
    await bob.join_room(room)
    for text in HOSTILE:
        await bob.send(room, text)

    for person in (alice, bob):
        texts = person.stored_texts(room)
        await expect(texts).to_have_text(HOSTILE)
        assert await texts.locator("img, script, b, i").count() == 0
        # Only the http(s) URL became a link, and a safe one.
        links = texts.get_by_role("link")
        await expect(links).to_have_count(1)
        await expect(links).to_have_attribute("href", "https://example.com/a?b=1&c=2")
        await expect(links).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
        await expect(links).to_have_attribute("target", "_blank")
        await expect(links).to_have_text("https://example.com/a?b=1&c=2")
        assert await person.page.evaluate("window.__pwned") is None
        assert person.errors == []


async def test_usable_with_the_keyboard_alone(sqlite_server: ServerProcess, people: PersonFactory):
    api = Api(sqlite_server.url)
    try:
        account = await api.register("kim")
        room = await api.create_room(account)
    finally:
        await api.close()
    person = await people(sqlite_server.url)
    page = person.page
    await page.goto(f"/#/room/{room}")

    # Log in: the username field has focus; Enter submits.
    await expect(page.get_by_label("Username")).to_be_focused()
    await page.keyboard.type(account.username)
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Password")).to_be_focused()
    await page.keyboard.type(account.password)
    await page.keyboard.press("Enter")
    await person.expect_connected()
    await expect(person.composer(room)).to_be_visible()

    # The first Tab stop skips to the message box.
    await page.locator("body").focus()
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to message box")
    await expect(skip).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(person.composer(room)).to_be_focused()
    await page.keyboard.type("typed, not clicked")
    await page.keyboard.press("Enter")
    await expect(person.stored_texts(room)).to_have_text(["typed, not clicked"])
    await expect(person.room_heading(room)).to_be_visible()  # still in the room
