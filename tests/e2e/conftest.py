"""Browser fixtures: Debian's Chromium driven by Playwright, against real Hubbub servers.

The web client is built first (``scripts/build-web.sh``, a no-op when up to date). Tests that
restart the server get their own; the others share ``sqlite_server`` and use fresh names.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Playwright, async_playwright, expect

from tests.e2e.people import Person
from tests.support import IN_CI, ServerProcess

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("HUBBUB_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Reconnecting after a restart can take a few seconds of backoff: wait up to 10 s.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session", autouse=True)
def web_client_built() -> None:
    """Build the client into the package (what ``hubbub serve`` serves at ``/``)."""
    result = subprocess.run(
        [str(ROOT / "scripts" / "build-web.sh")], cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.fail(f"building the web client failed:\n{result.stdout}\n{result.stderr}")
    if not (ROOT / "src" / "hubbub" / "static" / "app" / "index.html").is_file():
        pytest.fail("the web client is not built: scripts/build-web.sh needs Node.js and npm")


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).is_file():
        message = f"{CHROMIUM} is missing: `apt-get install chromium` (Debian's package)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest_asyncio.fixture(scope="session")
async def playwright(chromium: str) -> AsyncIterator[Playwright]:
    async with async_playwright() as p:
        yield p


@pytest_asyncio.fixture(scope="session")
async def browser(playwright: Playwright, chromium: str) -> AsyncIterator[Browser]:
    browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    yield browser
    await browser.close()


PersonFactory = Callable[..., Awaitable[Person]]


@pytest_asyncio.fixture
async def people(browser: Browser) -> AsyncIterator[PersonFactory]:
    """``await people(server_url, viewport=…)``: a person with their own browser context
    (own storage, so own session), closed after the test."""
    made: list[Person] = []

    async def make(
        base_url: str,
        *,
        viewport: dict[str, int] | None = None,
        dark: bool = False,
        bypass_csp: bool = False,
    ) -> Person:
        # bypass_csp: for scripts the tests add to the page (axe-core), which the client's
        # Content-Security-Policy (script-src 'self') would refuse.
        context = await browser.new_context(
            base_url=base_url,
            bypass_csp=bypass_csp,
            viewport=viewport or DESKTOP,  # type: ignore[arg-type]
            color_scheme="dark" if dark else "light",
            locale="en-GB",
            timezone_id="UTC",
        )
        context.set_default_timeout(10_000)
        person = Person(context, await context.new_page())
        made.append(person)
        return person

    yield make
    for person in made:
        await person.close()


@pytest_asyncio.fixture
async def own_server(tmp_path: Path) -> AsyncIterator[ServerProcess]:
    """A server of this test's own, free to be stopped and restarted."""
    proc = ServerProcess(data_dir=tmp_path / "data")
    await asyncio.to_thread(proc.start)
    yield proc
    await asyncio.to_thread(proc.stop)
