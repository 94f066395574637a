"""Password hashing (argon2id), access tokens (JWT, HS256) and opaque refresh tokens."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hubbub.errors import Unauthorized, Unavailable

T = TypeVar("T")

_ALGORITHM = "HS256"


@dataclass(frozen=True, slots=True)
class TokenUser:
    """Who an access token speaks for; usernames never change, so the token carries it."""

    id: int
    username: str
    session: str | None = None  # the login (refresh-token family) the token came from
    expires_at: int = 0  # the token's ``exp``: a socket opened with it closes then


class PasswordHashing:
    """argon2id on a small thread pool of its own, with a bounded wait: each hash takes
    ~64 MiB and tens of milliseconds of a core, so a flood of logins must be turned away
    (``unavailable``, with ``retry_after``) rather than queued without end."""

    def __init__(self, *, threads: int = 2, queue: int = 16) -> None:
        self._hasher = PasswordHasher()  # argon2id with the library's current defaults
        # A hash to verify against when the user does not exist, so a bad username
        # costs the same time as a bad password.
        self._dummy_hash = self._hasher.hash(secrets.token_hex(16))
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="argon2")
        self._capacity = threads + queue
        self._admitted = 0

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await self._run(self._verify, password_hash, password)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and (
                password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._admitted >= self._capacity:
            raise Unavailable("too many sign-ins at once; try again shortly", retry_after=1)
        self._admitted += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        finally:
            self._admitted -= 1


class AccessTokens:
    def __init__(self, *, secret: str, ttl_seconds: int) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds

    def issue(self, user: TokenUser) -> str:
        now = int(time.time())
        claims = {
            "sub": str(user.id),
            "name": user.username,
            "typ": "access",
            "sid": user.session,
            "iat": now,
            "exp": now + self.ttl_seconds,
        }
        return jwt.encode(claims, self._secret, algorithm=_ALGORITHM)

    def verify(self, token: str) -> TokenUser:
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[_ALGORITHM], options={"require": ["exp", "sub"]}
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("access token expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("invalid access token") from exc
        if claims.get("typ") != "access" or not isinstance(claims.get("name"), str):
            raise Unauthorized("invalid access token")
        try:
            session = claims.get("sid")
            user_id = int(claims["sub"])
            if not 0 < user_id < 2**63:  # a database id: anything else is not ours
                raise ValueError(user_id)
            return TokenUser(
                id=user_id,
                username=claims["name"],
                session=session if isinstance(session, str) else None,
                expires_at=int(claims["exp"]),
            )
        except (TypeError, ValueError) as exc:
            raise Unauthorized("invalid access token") from exc


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """Refresh tokens are stored only as hashes: a leaked table cannot be replayed."""
    return hashlib.sha256(token.encode()).hexdigest()
