"""The HTTP side: logging in, keeping the access token fresh, and REST calls. A bot's API
token never expires and needs none of the refreshing."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from hubbub.client.errors import HubbubClientError

REFRESH_MARGIN = 60.0  # seconds before expiry


class Session:
    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        if token is None and (username is None or password is None):
            raise ValueError("give a token, or a username and a password")
        self.http = httpx.AsyncClient(base_url=url, timeout=30)
        self.token = token
        self._credentials = (username, password) if token is None else None
        self._refresh_token: str | None = None
        self._expires_at = float("inf")

    async def close(self) -> None:
        await self.http.aclose()

    async def login(self) -> None:
        if self._credentials is None:
            return
        username, password = self._credentials
        self._take(
            await self._call(
                "POST",
                "/api/auth/login",
                auth=False,
                json={"username": username, "password": password},
            )
        )

    def _take(self, pair: dict[str, Any]) -> None:
        self.token = pair["access_token"]
        self._refresh_token = pair["refresh_token"]
        self._expires_at = time.monotonic() + float(pair["expires_in"])

    def seconds_to_refresh(self) -> float:
        return max(0.0, self._expires_at - time.monotonic() - REFRESH_MARGIN)

    async def refresh(self) -> None:
        """A new access token (rotating the refresh token); logs in again if the login
        ended."""
        if self._refresh_token is None:
            return
        try:
            pair = await self._call(
                "POST", "/api/auth/refresh", auth=False, json={"refresh_token": self._refresh_token}
            )
        except HubbubClientError as exc:
            if exc.code != "unauthorized":
                raise
            await self.login()
            return
        self._take(pair)

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        return await self._call(method, path, auth=True, **kwargs)

    async def _call(self, method: str, path: str, *, auth: bool, **kwargs: Any) -> Any:
        """A REST call; waits out ``rate_limited``/``unavailable`` (as the server says)."""
        for _attempt in range(5):
            headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
            response = await self.http.request(method, path, headers=headers, **kwargs)
            if response.status_code < 400:
                return response.json() if response.content else None
            error = HubbubClientError.of(_json(response), response.reason_phrase)
            if error.code in ("rate_limited", "unavailable"):
                await asyncio.sleep(error.retry_after or 1.0)
                continue
            raise error
        raise error


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
