"""The one error the client raises: the server's answer, by PROTOCOL code."""

from __future__ import annotations

from typing import Any


class HubbubClientError(Exception):
    """The server refused (``code`` is PROTOCOL's: ``forbidden``, ``not_found``…)."""

    def __init__(self, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @classmethod
    def of(cls, body: Any, fallback: str = "request failed") -> HubbubClientError:
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return cls("bad_response", fallback)
        return cls(
            str(error.get("code", "unknown")),
            str(error.get("message", fallback)),
            error.get("retry_after"),
        )
