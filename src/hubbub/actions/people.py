"""People: who one is (display name) and finding others (the DM picker, mentions)."""

from __future__ import annotations

import unicodedata

from hubbub.errors import BadRequest, NotFound
from hubbub.events import UserUpdatedOut
from hubbub.fanout.base import Emit
from hubbub.hub import Hub
from hubbub.schemas import UserOut, UserPresenceOut
from hubbub.security import TokenUser
from hubbub.store.base import UserRecord

MAX_DISPLAY_NAME = 64


async def me(hub: Hub, user: TokenUser) -> UserRecord:
    found = await hub.store.get_user(user_id=user.id)
    if found is None:
        raise NotFound("this account no longer exists")
    return found


def clean_display_name(value: str | None) -> str | None:
    """Trimmed; empty clears it; no control or format characters (which could hide or
    reorder what others read); at most 64 characters."""
    if value is None:
        return None
    value = " ".join(value.split())
    if not value:
        return None
    if len(value) > MAX_DISPLAY_NAME:
        raise BadRequest(f"a display name is at most {MAX_DISPLAY_NAME} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise BadRequest("a display name cannot hold control characters")
    return value


async def set_display_name(hub: Hub, user: TokenUser, display_name: str | None) -> UserRecord:
    updated = await hub.store.set_display_name(
        user_id=user.id, display_name=clean_display_name(display_name)
    )
    if updated is None:
        raise NotFound("this account no longer exists")
    # Every client shows names: tell them all (a rename is rare).
    await hub.broker.publish(
        Emit(
            event="userUpdated",
            data=UserUpdatedOut(user=UserOut.of(updated)).model_dump(),
            to="all",
        )
    )
    return updated


async def find_users(hub: Hub, *, prefix: str, limit: int) -> list[UserPresenceOut]:
    users = await hub.store.find_users(prefix=prefix.strip(), limit=limit)
    online = await hub.presence.which_online([u.id for u in users])
    return [UserPresenceOut(**UserOut.of(u).model_dump(), online=u.id in online) for u in users]
