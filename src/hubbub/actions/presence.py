"""Online/offline: a user is online while at least one of their sockets is connected."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Literal

from hubbub.errors import RateLimited
from hubbub.events import UserStatusOut
from hubbub.fanout.base import Emit
from hubbub.hub import Hub
from hubbub.schemas import UserOut
from hubbub.security import TokenUser
from hubbub.store.base import UserRecord

log = logging.getLogger(__name__)


async def admit_socket(hub: Hub, user: TokenUser, *, here: int) -> None:
    """Refuse a connection past ``HUBBUB_MAX_SOCKETS_PER_USER`` on every node together
    (``here``: this node's sockets of the user, those still connecting included). If
    presence does not answer, this node's own count decides."""
    cap = hub.settings.max_sockets_per_user
    try:
        everywhere = await hub.presence.sockets_of(user_id=user.id)
    except Exception:
        everywhere = 0
    if max(here, everywhere) >= cap:
        raise RateLimited(f"more than {cap} connections open; close one", retry_after=5)


async def socket_connected(hub: Hub, user: TokenUser, sid: str) -> None:
    came = hub.presence.socket_connected(user_id=user.id, sid=sid)
    await _on_change(hub, user, came, "online")


async def socket_disconnected(hub: Hub, user: TokenUser, sid: str) -> None:
    went = hub.presence.socket_disconnected(user_id=user.id, sid=sid)
    await _on_change(hub, user, went, "offline")


async def _on_change(
    hub: Hub, user: TokenUser, change: Awaitable[bool], status: Literal["online", "offline"]
) -> None:
    """Announce a presence change. Presence is best effort: if its store fails, the user
    still connects and chats (Redis presence heals from each node's sockets next beat)."""
    try:
        changed = await change
    except Exception:
        log.warning("presence unavailable; %s went %s unannounced", user.username, status)
        return
    if changed:
        await _publish_status(hub, user, status)


async def users_gone(hub: Hub, user_ids: list[int]) -> None:
    """Announce users whose node died with their sockets (the presence sweep found them)."""
    for user in await hub.store.get_users(user_ids=user_ids):
        await _publish_status(hub, TokenUser(id=user.id, username=user.username), "offline")


async def online_users(hub: Hub) -> list[UserRecord]:
    return await hub.store.get_users(user_ids=sorted(await hub.presence.online_user_ids()))


async def _publish_status(hub: Hub, user: TokenUser, status: Literal["online", "offline"]) -> None:
    # The stored user, with their display name (read only when presence changes).
    stored = await hub.store.get_users(user_ids=[user.id])
    shown = UserOut.of(stored[0]) if stored else UserOut(id=user.id, username=user.username)
    payload = UserStatusOut(user=shown, status=status)
    # Everyone else: a user's own sockets need no news of their own presence (and the
    # connecting socket would get it before its connect acknowledgement).
    await hub.broker.publish(
        Emit(event="userStatus", data=payload.model_dump(), to="all", skip_user=user.id)
    )
