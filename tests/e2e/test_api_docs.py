"""The API docs at /docs render from the server alone: no CDN, nothing from outside."""

from __future__ import annotations

from playwright.async_api import Browser, Route, expect

from tests.support import ServerProcess


async def test_api_docs_render_offline(sqlite_server: ServerProcess, browser: Browser) -> None:
    context = await browser.new_context(base_url=sqlite_server.url)
    outside: list[str] = []

    async def only_local(route: Route) -> None:
        url = route.request.url
        if url.startswith(sqlite_server.url):
            await route.continue_()
        else:
            outside.append(url)
            await route.abort()

    try:
        await context.route("**/*", only_local)
        page = await context.new_page()
        await page.goto("/docs")
        await expect(page.get_by_role("heading", name="Hubbub")).to_be_visible()
        await expect(page.get_by_text("/api/auth/register").first).to_be_visible()
        assert outside == []
    finally:
        await context.close()
