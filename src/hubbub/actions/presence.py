"""Online/offline: a user is online while at least one of their sockets is connected."""

from __future__ import annotations

import logging
from typing import Literal

from hubbub.events import UserStatusOut
from hubbub.fanout.base import Emit
from hubbub.hub import Hub
from hubbub.schemas import UserOut
from hubbub.security import TokenUser
from hubbub.store.base import UserRecord

log = logging.getLogger(__name__)


async def socket_connected(hub: Hub, user: TokenUser, sid: str) -> None:
    """Presence is best effort: if its store fails, the user still connects and chats
    (the Redis presence heals from each node's own sockets at its next heartbeat)."""
    try:
        came_online = await hub.presence.socket_connected(user_id=user.id, sid=sid)
    except Exception:
        log.warning("presence unavailable; %s connected unannounced", user.username, exc_info=True)
        return
    if came_online:
        await _publish_status(hub, user, "online")


async def socket_disconnected(hub: Hub, user: TokenUser, sid: str) -> None:
    try:
        went_offline = await hub.presence.socket_disconnected(user_id=user.id, sid=sid)
    except Exception:
        log.warning("presence unavailable; %s left unannounced", user.username, exc_info=True)
        return
    if went_offline:
        await _publish_status(hub, user, "offline")


async def users_gone(hub: Hub, user_ids: list[int]) -> None:
    """Announce users whose node died with their sockets (the presence sweep found them)."""
    for user in await hub.store.get_users(user_ids=user_ids):
        await _publish_status(hub, TokenUser(id=user.id, username=user.username), "offline")


async def online_users(hub: Hub) -> list[UserRecord]:
    return await hub.store.get_users(user_ids=sorted(await hub.presence.online_user_ids()))


async def _publish_status(hub: Hub, user: TokenUser, status: Literal["online", "offline"]) -> None:
    payload = UserStatusOut(user=UserOut(id=user.id, username=user.username), status=status)
    # Everyone else: a user's own sockets need no news of their own presence (and the
    # connecting socket would get it before its connect acknowledgement).
    await hub.broker.publish(
        Emit(event="userStatus", data=payload.model_dump(), to="all", skip_user=user.id)
    )
