"""Accounts and tokens: register, log in, refresh (rotating), log out."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from hubbub.errors import Conflict, Forbidden, Unauthorized
from hubbub.fanout.base import SessionEnded
from hubbub.hub import Hub
from hubbub.schemas import TokenPairOut, UserOut
from hubbub.security import TokenUser, hash_refresh_token, new_refresh_token
from hubbub.store.base import DuplicateName, Replayed, UserRecord, utc_now


async def register(hub: Hub, *, username: str, password: str) -> TokenPairOut:
    password_hash = await hub.passwords.hash(password)
    try:
        user = await hub.store.create_user(username=username, password_hash=password_hash)
    except DuplicateName as exc:
        raise Conflict("that username is taken") from exc
    return await _issue(hub, user, family_id=secrets.token_hex(16))


async def login(hub: Hub, *, username: str, password: str) -> TokenPairOut:
    # Per username as well as per address: guessing one account's password from many
    # addresses is slowed down just the same.
    await hub.limits.check("login_user", username.lower())
    credentials = await hub.store.get_credentials(username=username)
    stored_hash = credentials.password_hash if credentials else None
    ok = await hub.passwords.verify(stored_hash, password)
    if not ok or credentials is None:
        raise Unauthorized("wrong username or password")
    account = await hub.store.account(username=credentials.username)
    if account is None or account.deactivated:
        # Only after the password matched: nobody learns an account's state by guessing.
        raise Forbidden("this account is deactivated; ask a server admin")
    user = UserRecord(id=credentials.id, username=credentials.username)
    return await _issue(hub, user, family_id=secrets.token_hex(16))


async def refresh(hub: Hub, *, refresh_token: str) -> TokenPairOut:
    grant = await hub.store.use_refresh_token(
        token_hash=hash_refresh_token(refresh_token), now=utc_now()
    )
    if isinstance(grant, Replayed):
        # A used token came back: whoever holds this login's newer tokens may be a thief.
        # The store revoked the login; its live sockets close on every node too.
        await hub.broker.publish(SessionEnded(session=grant.family_id))
        raise Unauthorized("refresh token already used; this login has ended")
    if grant is None:
        raise Unauthorized("refresh token unknown, used or expired")
    return await _issue(hub, grant.user, family_id=grant.family_id)


async def logout(hub: Hub, *, refresh_token: str) -> None:
    """End the login: its refresh tokens stop working and its open sockets are closed."""
    family = await hub.store.revoke_refresh_token(token_hash=hash_refresh_token(refresh_token))
    if family is not None:
        await hub.broker.publish(SessionEnded(session=family))


async def authenticate(hub: Hub, access_token: str | None) -> TokenUser:
    """The token's user, if the token is genuine, unexpired, and its login still stands
    (logout and a replayed refresh token end a login before its tokens expire)."""
    if not access_token:
        raise Unauthorized("an access token is required")
    if access_token.startswith(API_TOKEN_PREFIX):
        return await _api_token_user(hub, access_token)
    user = hub.tokens.verify(access_token)
    if user.session is None or not await hub.store.session_active(
        session=user.session, user_id=user.id
    ):
        raise Unauthorized("this login has ended; log in again")
    return user


async def reauthenticate(hub: Hub, user: TokenUser, access_token: str) -> TokenUser:
    """A connected socket's fresh token (after a refresh): genuine and live like any, and
    its own user's — a socket never changes hands."""
    renewed = await authenticate(hub, access_token)
    if renewed.id != user.id:
        raise Forbidden("that token is another user's")
    return renewed


API_TOKEN_PREFIX = "hbt_"
API_TOKEN_LIFETIME = 10 * 365 * 24 * 3600  # until deleted, in practice


async def _api_token_user(hub: Hub, token: str) -> TokenUser:
    """A bot's opaque token: looked up by its hash on every call, like a login's session,
    so deleting the bot stops it at once."""
    found = await hub.store.api_token_user(token_hash=hash_refresh_token(token))
    if found is None:
        raise Unauthorized("unknown or revoked API token")
    user, session = found
    return TokenUser(
        id=user.id,
        username=user.username,
        session=session,
        expires_at=int(time.time()) + API_TOKEN_LIFETIME,
    )


async def _issue(hub: Hub, user: UserRecord, *, family_id: str) -> TokenPairOut:
    refresh_token = new_refresh_token()
    await hub.store.add_refresh_token(
        token_hash=hash_refresh_token(refresh_token),
        user_id=user.id,
        family_id=family_id,
        expires_at=utc_now() + timedelta(seconds=hub.settings.refresh_token_ttl),
    )
    return TokenPairOut(
        user=UserOut.of(user),
        access_token=hub.tokens.issue(
            TokenUser(id=user.id, username=user.username, session=family_id)
        ),
        refresh_token=refresh_token,
        expires_in=hub.tokens.ttl_seconds,
    )
