"""The web client under a rate limit: it waits as long as the server says, says so on the
message, and every message still goes out once, in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import expect

from tests.e2e.conftest import PersonFactory
from tests.support import ServerProcess


async def test_sends_over_the_limit_wait_and_say_so(tmp_path: Path, people: PersonFactory):
    server = ServerProcess(
        data_dir=tmp_path / "data", extra_env={"HUBBUB_RATE_MESSAGES": "3/5second"}
    )
    await asyncio.to_thread(server.start)
    try:
        alice = await (await people(server.url)).register("hasty")
        room = await alice.create_room()
        texts = [f"quick {n}" for n in range(6)]
        for text in texts:
            await alice.send(room, text)
        await expect(alice.timeline(room).get_by_text("Sending too fast")).to_be_visible()
        await expect(alice.stored_texts(room)).to_have_text(texts, timeout=30_000)
        await expect(alice.timeline(room).get_by_text("Sending too fast")).to_have_count(0)
        assert alice.errors == []
    finally:
        await asyncio.to_thread(server.stop)
