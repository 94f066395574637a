"""Conversations in real Chromium (PROTOCOL v2): edits, deletes, reactions, replies and
mentions, each seen by two people in two pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest_asyncio
from playwright.async_api import Locator, expect

from tests.e2e.conftest import PersonFactory
from tests.e2e.people import Person
from tests.support import Account, Api, Client, ServerProcess

Clients = Callable[[str, str | None], Awaitable[Client]]


@dataclass
class Two:
    alice: Person
    bob: Person
    alice_account: Account
    bob_account: Account
    room: str


@pytest_asyncio.fixture
async def two(sqlite_server: ServerProcess, people: PersonFactory) -> AsyncIterator[Two]:
    """Alice (the room's owner) and Bob in one room, each in a browser of their own."""
    api = Api(sqlite_server.url)
    try:
        alice_account, bob_account = await api.register("alice"), await api.register("bob")
        room = await api.create_room(alice_account)
        await api.join(bob_account, room)
    finally:
        await api.close()
    alice = await (await people(sqlite_server.url)).log_in(
        alice_account.username, alice_account.password
    )
    bob = await (await people(sqlite_server.url)).log_in(bob_account.username, bob_account.password)
    for person in (alice, bob):
        await person.open_room(room)
    yield Two(alice, bob, alice_account, bob_account, room)
    assert alice.errors == [] and bob.errors == []


def message(person: Person, room: str, text: str) -> Locator:
    """The stored message whose text is (or, once deleted, was) exactly `text`."""
    return (
        person.timeline(room)
        .locator("li.msg:not(.pending)")
        .filter(has=person.page.locator(".msg-text", has_text=re.compile(rf"^{re.escape(text)}$")))
    )


def by_seq(person: Person, room: str, seq: int) -> Locator:
    return person.timeline(room).locator(f'li.msg[data-seq="{seq}"]')


async def act(msg: Locator, action: str) -> None:
    """Use one of a message's actions (shown on hover or focus)."""
    await msg.hover()
    await msg.get_by_role("button", name=action, exact=True).click()


async def test_edit_shows_for_both_with_the_edited_mark(two: Two):
    alice, bob, room = two.alice, two.bob, two.room
    await alice.send(room, "helo world")
    await expect(bob.stored_texts(room)).to_have_text(["helo world"])

    # Edit from the message's actions; Escape cancels, nothing changes.
    await act(message(alice, room, "helo world"), "Edit")
    editor = alice.page.get_by_role("textbox", name="Edit message")
    await expect(editor).to_be_focused()
    await expect(editor).to_have_value("helo world")
    await editor.press("Escape")
    await expect(editor).to_have_count(0)
    await expect(alice.composer(room)).to_be_focused()

    # Up in the empty composer edits one's last message; Enter saves.
    await alice.composer(room).press("ArrowUp")
    await expect(editor).to_be_focused()
    await editor.fill("hello world")
    await editor.press("Enter")
    for person in (alice, bob):
        await expect(person.stored_texts(room)).to_have_text(["hello world"])
        edited = person.timeline(room).locator("li.msg .edited")
        await expect(edited).to_have_text("(edited)")
        await expect(edited).to_have_attribute("title", re.compile(r"^Edited "))
    # Bob may not edit Alice's message: no Edit among its actions.
    msg = message(bob, room, "hello world")
    await msg.hover()
    await expect(msg.get_by_role("button", name="Reply")).to_be_visible()
    await expect(msg.get_by_role("button", name="Edit")).to_have_count(0)
    await expect(msg.get_by_role("button", name="Delete")).to_have_count(0)


async def test_delete_asks_first_then_leaves_a_placeholder_for_both(two: Two):
    alice, bob, room = two.alice, two.bob, two.room
    await bob.send(room, "keep me")
    await bob.send(room, "oops, wrong room")
    await expect(alice.stored_texts(room)).to_have_text(["keep me", "oops, wrong room"])

    # Bob asks to delete, then thinks better of it: the dialog takes the focus, Cancel first.
    await act(message(bob, room, "oops, wrong room"), "Delete")
    dialog = bob.page.get_by_role("alertdialog", name="Delete this message?")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    await bob.page.keyboard.press("Escape")
    await expect(dialog).to_have_count(0)
    await expect(bob.stored_texts(room)).to_have_text(["keep me", "oops, wrong room"])

    await act(message(bob, room, "oops, wrong room"), "Delete")
    await dialog.get_by_role("button", name="Delete").click()
    for person in (alice, bob):
        await expect(person.stored_texts(room)).to_have_text(["keep me", "message deleted"])
        await expect(person.timeline(room).locator("li.msg.deleted")).to_have_count(1)
    # Alice owns the room: she may delete Bob's other message.
    await act(message(alice, room, "keep me"), "Delete")
    owner_dialog = alice.page.get_by_role("alertdialog", name="Delete this message?")
    await expect(owner_dialog).to_contain_text(bob.username)
    await owner_dialog.get_by_role("button", name="Delete").click()
    await expect(bob.stored_texts(room)).to_have_text(["message deleted", "message deleted"])


async def test_reactions_show_for_the_other_and_toggle(two: Two):
    alice, bob, room = two.alice, two.bob, two.room
    await alice.send(room, "lunch at noon?")
    await expect(bob.stored_texts(room)).to_have_text(["lunch at noon?"])

    # Bob reacts from the picker (bundled emoji data: nothing from elsewhere).
    outside: list[str] = []
    bob.page.on(
        "request",
        lambda r: (
            outside.append(r.url) if not r.url.startswith(bob.page.url.split("/#")[0]) else None
        ),
    )
    await act(message(bob, room, "lunch at noon?"), "React")
    picker = bob.page.get_by_role("dialog", name="Add a reaction")
    await expect(picker).to_be_visible()
    await expect(picker.get_by_label("Search emoji")).to_be_focused()
    await picker.get_by_label("Search emoji").fill("thumbs up")
    await picker.get_by_role("button", name=re.compile("thumbs up$")).first.click()
    await expect(picker).to_be_hidden()
    assert outside == []

    a_chip = message(alice, room, "lunch at noon?").locator("button.chip")
    b_chip = message(bob, room, "lunch at noon?").locator("button.chip")
    await expect(a_chip).to_have_count(1)
    await expect(a_chip.locator(".chip-count")).to_have_text("1")
    await expect(a_chip).to_have_attribute("aria-pressed", "false")
    await expect(a_chip).to_have_attribute("title", re.compile(f"reacted by {bob.username}$"))
    await expect(b_chip).to_have_attribute("aria-pressed", "true")

    # Alice adds hers with the chip; the chip keeps the focus as it is redrawn.
    await a_chip.click()
    for chip in (a_chip, b_chip):
        await expect(chip.locator(".chip-count")).to_have_text("2")
    await expect(a_chip).to_have_attribute("aria-pressed", "true")
    await expect(a_chip).to_be_focused()
    await expect(a_chip).to_have_attribute(
        "aria-label", re.compile(f"reacted by {bob.username} and you$")
    )
    # Both take theirs back: the chip goes.
    await a_chip.click()
    await expect(a_chip.locator(".chip-count")).to_have_text("1")
    await b_chip.click()
    for chip in (a_chip, b_chip):
        await expect(chip).to_have_count(0)


async def test_a_reply_quotes_and_jumps_to_a_message_far_back(
    sqlite_server: ServerProcess, two: Two, clients: Clients
):
    alice, bob, room = two.alice, two.bob, two.room
    talker = await clients(sqlite_server.url, two.alice_account.access_token)
    first = await talker.send(room, "the original question\nwith a second line")
    original = first["message"]["seq"]
    for i in range(80):
        assert (await talker.send(room, f"filler {i}"))["ok"]
    # Bob comes back later: his page loads the latest 50 only.
    await bob.page.reload()
    await bob.expect_connected()
    await expect(by_seq(bob, room, original + 80)).to_be_visible()
    await expect(by_seq(bob, room, original)).to_have_count(0)

    # A reply to it (from another client) quotes it: author and first line, fetched.
    r = await talker.call(
        "sendMessage", {"room": room, "text": "answering myself", "reply_to": original}
    )
    assert r["ok"], r
    reply = message(bob, room, "answering myself")
    quote = reply.get_by_role("button", name=re.compile("^In reply to"))
    await expect(quote).to_contain_text(alice.username)
    await expect(quote).to_contain_text("the original question")
    await expect(quote).not_to_contain_text("second line")

    # Clicking the quote loads the page around the original, shows and highlights it.
    await quote.click()
    target = by_seq(bob, room, original)
    await expect(target).to_be_in_viewport()
    await expect(target).to_have_class(re.compile(r"\bflash\b"))
    await expect(target).to_be_focused()
    await expect(target.get_by_role("button", name="1 reply")).to_be_visible()

    # Bob replies from the UI: the quote above the composer, cancelled by its button, then sent.
    latest = message(bob, room, "answering myself")
    await act(latest, "Reply")
    bar = bob.page.locator(".reply-bar")
    await expect(bar).to_contain_text(f"Replying to {alice.username}: answering myself")
    await expect(bob.composer(room)).to_be_focused()
    await bob.page.get_by_role("button", name="Cancel reply").click()
    await expect(bar).to_be_hidden()
    await act(latest, "Reply")
    await bob.send(room, "and I answer you")
    await expect(bar).to_be_hidden()
    for person in (alice, bob):
        mine = message(person, room, "and I answer you")
        await expect(mine.locator(".quote")).to_contain_text("answering myself")
    # The reply count opens the replies.
    await message(alice, room, "answering myself").get_by_role("button", name="1 reply").click()
    panel = alice.page.get_by_role("dialog", name="Replies")
    await expect(panel.get_by_role("listitem")).to_have_count(1)
    await expect(panel.get_by_role("listitem")).to_contain_text("and I answer you")
    await alice.page.keyboard.press("Escape")
    await expect(panel).to_be_hidden()


async def test_mentions_autocomplete_highlight_and_badge(two: Two, sqlite_server: ServerProcess):
    alice, bob, room = two.alice, two.bob, two.room
    other = await alice.create_room()
    await bob.join_room(other)  # Bob looks at another room
    await alice.open_room(room)

    # Alice types @ and the start of Bob's name: a list to choose from, by keyboard.
    box = alice.composer(room)
    await box.press_sequentially("hey @" + bob.username[:4])
    options = alice.page.get_by_role("listbox", name="People to mention").get_by_role("option")
    await expect(options).to_have_count(1)
    await expect(options.first).to_have_text(bob.username)
    await expect(options.first).to_have_attribute("aria-selected", "true")
    await expect(box).to_have_attribute("aria-activedescendant", "mention-option-0")
    await box.press("Enter")
    await expect(box).to_have_value(f"hey @{bob.username} ")
    await box.press_sequentially("look")
    await box.press("Enter")
    await expect(alice.stored_texts(room)).to_have_text([f"hey @{bob.username} look"])

    # Bob's list shows a mention count on that room, apart from the unread count.
    entry = bob.room_link(room)
    await expect(entry.locator(".mention-badge")).to_have_text("@1")
    await expect(entry).to_have_accessible_name(re.compile(r", 1 mention$"))
    await bob.open_room(room)
    msg = message(bob, room, f"hey @{bob.username} look")
    await expect(msg).to_have_class(re.compile(r"\bmentioned\b"))
    await expect(msg.locator(".mention")).to_have_text(f"@{bob.username}")
    await expect(msg.locator(".mention.me")).to_have_count(1)
    await expect(entry.locator(".mention-badge")).to_be_hidden()

    # Alice's copy marks the mention too, but not as hers.
    await expect(
        message(alice, room, f"hey @{bob.username} look").locator(".mention.me")
    ).to_have_count(0)

    # The notification level is chosen in the room header and kept by the server.
    level = bob.page.get_by_label("Notify")
    await expect(level).to_have_value("all")
    await level.select_option("mentions")
    api = Api(sqlite_server.url)
    try:
        for _ in range(50):
            r = await api.http.get("/api/rooms", headers=two.bob_account.headers)
            listed = {x["name"]: x for x in r.json()["rooms"]}
            if listed[room]["notify"] == "mentions":
                break
        assert listed[room]["notify"] == "mentions"
    finally:
        await api.close()
    await bob.page.reload()
    await bob.expect_connected()
    await expect(bob.page.get_by_label("Notify")).to_have_value("mentions")
