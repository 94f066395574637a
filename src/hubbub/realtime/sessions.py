"""Who each socket on this node speaks for, and until when.

A socket is authorised by the access token it connected with (or last sent in ``reauth``)
and only until that token expires: a timer per socket ends it then. Logins ended elsewhere
(logout, a replayed refresh token) are found here by their session id.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from hubbub.security import TokenUser

# Seconds a socket outlives its token's ``exp``: token times are whole seconds, and a
# client's ``reauth``, sent just before expiry, may be in flight when it passes.
EXPIRY_GRACE = 2.0


class SocketSessions:
    def __init__(self, on_expired: Callable[[str], None]) -> None:
        self._users: dict[str, TokenUser] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._on_expired = on_expired

    def get(self, sid: str) -> TokenUser | None:
        return self._users.get(sid)

    def items(self) -> list[tuple[str, TokenUser]]:
        return list(self._users.items())

    def put(self, sid: str, user: TokenUser) -> None:
        """Record (or renew, after ``reauth``) a socket's user and arm its expiry."""
        self._users[sid] = user
        timer = self._timers.pop(sid, None)
        if timer is not None:
            timer.cancel()
        delay = max(0.0, user.expires_at + EXPIRY_GRACE - time.time())
        self._timers[sid] = asyncio.get_running_loop().call_later(delay, self._on_expired, sid)

    def pop(self, sid: str) -> TokenUser | None:
        timer = self._timers.pop(sid, None)
        if timer is not None:
            timer.cancel()
        return self._users.pop(sid, None)

    def of_session(self, session: str) -> list[str]:
        return [sid for sid, user in self._users.items() if user.session == session]

    def sessions(self) -> set[tuple[int, str]]:
        """Each live login as (user id, session)."""
        return {
            (user.id, user.session) for user in self._users.values() if user.session is not None
        }
