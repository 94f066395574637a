from __future__ import annotations

from fastapi import APIRouter, Response, status

from hubbub.actions import rooms
from hubbub.api.deps import CurrentUser, HubDep, per_user
from hubbub.schemas import (
    ErrorOut,
    InviteIn,
    MembersOut,
    NotifyIn,
    ReadMarkIn,
    RoomCreate,
    RoomListingOut,
    RoomOut,
    RoomsOut,
)

router = APIRouter(
    prefix="/api/rooms",
    tags=["rooms"],
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        429: {"model": ErrorOut},
    },
)
_NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.get("", dependencies=[per_user("reads")])
async def list_rooms(user: CurrentUser, hub: HubDep) -> RoomsOut:
    listings = await rooms.list_rooms(hub, user)
    return RoomsOut(rooms=[RoomListingOut.of_listing(listing) for listing in listings])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"model": ErrorOut}},
    dependencies=[per_user("rooms")],
)
async def create_room(body: RoomCreate, user: CurrentUser, hub: HubDep) -> RoomOut:
    return RoomOut.of(await rooms.create_room(hub, user, name=body.name, private=body.private))


@router.post("/{name}/join", dependencies=[per_user("joins")])
async def join_room(name: str, user: CurrentUser, hub: HubDep) -> RoomOut:
    return RoomOut.of(await rooms.join_room(hub, user, name))


@router.post("/{name}/leave", status_code=_NO_CONTENT, dependencies=[per_user("joins")])
async def leave_room(name: str, user: CurrentUser, hub: HubDep) -> Response:
    await rooms.leave_room(hub, user, name)
    return Response(status_code=_NO_CONTENT)


@router.post("/{name}/invite", status_code=_NO_CONTENT, dependencies=[per_user("writes")])
async def invite(name: str, body: InviteIn, user: CurrentUser, hub: HubDep) -> Response:
    await rooms.invite(hub, user, name, username=body.username)
    return Response(status_code=_NO_CONTENT)


@router.get("/{name}/members", dependencies=[per_user("reads")])
async def members(name: str, user: CurrentUser, hub: HubDep) -> MembersOut:
    return MembersOut(members=await rooms.members(hub, user, name))


@router.post("/{name}/read", status_code=_NO_CONTENT, dependencies=[per_user("writes")])
async def mark_read(name: str, body: ReadMarkIn, user: CurrentUser, hub: HubDep) -> Response:
    """Extension: move the caller's read mark (drives ``unread`` in the room list)."""
    await rooms.mark_read(hub, user, name, seq=body.seq)
    return Response(status_code=_NO_CONTENT)


@router.put("/{name}/notifications", status_code=_NO_CONTENT, dependencies=[per_user("writes")])
async def set_notifications(name: str, body: NotifyIn, user: CurrentUser, hub: HubDep) -> Response:
    """What the caller is notified of in this room: ``all``, ``mentions`` or ``none``."""
    await rooms.set_notify(hub, user, name, level=body.level)
    return Response(status_code=_NO_CONTENT)
