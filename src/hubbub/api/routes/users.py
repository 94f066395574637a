from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hubbub.actions import people, presence
from hubbub.api.deps import CurrentUser, HubDep, per_user
from hubbub.schemas import DisplayNameIn, ErrorOut, PeopleOut, UserOut, UsersOut

router = APIRouter(
    prefix="/api",
    tags=["users"],
    responses={401: {"model": ErrorOut}, 429: {"model": ErrorOut}},
)


@router.get("/me", dependencies=[per_user("reads")])
async def me(user: CurrentUser, hub: HubDep) -> UserOut:
    return UserOut.of(await people.me(hub, user))


@router.patch("/me", dependencies=[per_user("writes")], responses={400: {"model": ErrorOut}})
async def update_me(body: DisplayNameIn, user: CurrentUser, hub: HubDep) -> UserOut:
    """Set (or, with null or "", clear) the display name shown beside one's username."""
    return UserOut.of(await people.set_display_name(hub, user, body.display_name))


@router.get("/users", dependencies=[per_user("reads")])
async def find_users(
    _: CurrentUser,
    hub: HubDep,
    q: Annotated[str, Query(max_length=64, description="username or display-name prefix")] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> PeopleOut:
    return PeopleOut(users=await people.find_users(hub, prefix=q, limit=limit))


@router.get("/users/online", dependencies=[per_user("reads")])
async def online(_: CurrentUser, hub: HubDep) -> UsersOut:
    return UsersOut(users=[UserOut.of(u) for u in await presence.online_users(hub)])
