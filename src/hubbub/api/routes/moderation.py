from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from hubbub.actions import moderation
from hubbub.api.deps import CurrentUser, HubDep, per_user
from hubbub.schemas import ErrorOut, MuteIn, RoleIn, TopicIn, UsernameIn, UserOut, UsersOut

router = APIRouter(
    prefix="/api/rooms",
    tags=["moderation"],
    dependencies=[per_user("writes")],
    responses={
        400: {"model": ErrorOut},
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        429: {"model": ErrorOut},
    },
)
_NO_CONTENT = status.HTTP_204_NO_CONTENT
Username = Annotated[str, Path(min_length=1, max_length=64)]


def _done() -> Response:
    return Response(status_code=_NO_CONTENT)


@router.patch("/{name}", status_code=_NO_CONTENT)
async def set_topic(name: str, body: TopicIn, user: CurrentUser, hub: HubDep) -> Response:
    """The topic (owner or moderators); ``null`` or ``""`` clears it."""
    await moderation.set_topic(hub, user, name, topic=body.topic)
    return _done()


@router.put("/{name}/members/{username}/role", status_code=_NO_CONTENT)
async def set_role(
    name: str, username: Username, body: RoleIn, user: CurrentUser, hub: HubDep
) -> Response:
    """Make a member a moderator, or a moderator a member (the owner only)."""
    await moderation.set_role(hub, user, name, username=username, role=body.role)
    return _done()


@router.post("/{name}/kick", status_code=_NO_CONTENT)
async def kick(name: str, body: UsernameIn, user: CurrentUser, hub: HubDep) -> Response:
    """Out of the room at once, on every socket (may join again): owner or moderators."""
    await moderation.kick(hub, user, name, username=body.username)
    return _done()


@router.post("/{name}/ban", status_code=_NO_CONTENT)
async def ban(name: str, body: UsernameIn, user: CurrentUser, hub: HubDep) -> Response:
    """Out, and kept out until unbanned: owner or moderators."""
    await moderation.ban(hub, user, name, username=body.username)
    return _done()


@router.delete("/{name}/bans/{username}", status_code=_NO_CONTENT)
async def unban(name: str, username: Username, user: CurrentUser, hub: HubDep) -> Response:
    await moderation.unban(hub, user, name, username=username)
    return _done()


@router.post("/{name}/mute", status_code=_NO_CONTENT)
async def mute(name: str, body: MuteIn, user: CurrentUser, hub: HubDep) -> Response:
    """Silence a member for ``seconds``: their sends answer ``forbidden`` until then."""
    await moderation.mute(hub, user, name, username=body.username, seconds=body.seconds)
    return _done()


@router.post("/{name}/archive", status_code=_NO_CONTENT)
async def archive(name: str, user: CurrentUser, hub: HubDep) -> Response:
    """Read-only from now on (the owner or a server admin)."""
    await moderation.archive(hub, user, name)
    return _done()


@router.delete("/{name}", status_code=_NO_CONTENT)
async def delete_room(name: str, user: CurrentUser, hub: HubDep) -> Response:
    """The room and everything in it (the owner or a server admin)."""
    await moderation.delete_room(hub, user, name)
    return _done()


@router.get("/{name}/bans", dependencies=[per_user("reads")])
async def list_bans(name: str, user: CurrentUser, hub: HubDep) -> UsersOut:
    """Extension: who is banned (owner and moderators)."""
    return UsersOut(users=[UserOut.of(u) for u in await moderation.bans(hub, user, name)])
