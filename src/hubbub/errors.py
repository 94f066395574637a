"""One exception family whose codes are PROTOCOL.md's error codes.

Actions raise these; REST handlers turn them into HTTP answers and socket handlers into
``{"ok": false, "error": …}`` acks, so both transports say the same thing.
"""

from __future__ import annotations

from typing import Any, ClassVar


class HubbubError(Exception):
    code: ClassVar[str] = "bad_request"
    http_status: ClassVar[int] = 400

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after  # seconds: rate limits and overload say when

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.retry_after is not None:
            wire["retry_after"] = self.retry_after
        return wire


class BadRequest(HubbubError):
    code = "bad_request"
    http_status = 400


class Unauthorized(HubbubError):
    code = "unauthorized"
    http_status = 401


class Forbidden(HubbubError):
    code = "forbidden"
    http_status = 403


class NotFound(HubbubError):
    code = "not_found"
    http_status = 404


class Conflict(HubbubError):
    code = "conflict"
    http_status = 409


class TooLarge(HubbubError):
    code = "too_large"
    http_status = 413


class RateLimited(HubbubError):
    code = "rate_limited"
    http_status = 429


class Unavailable(HubbubError):
    code = "unavailable"
    http_status = 503


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
