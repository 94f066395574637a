from __future__ import annotations

from fastapi import APIRouter, Response, status

from hubbub.actions import dms
from hubbub.api.deps import CurrentUser, HubDep, per_user
from hubbub.schemas import DmIn, DmOut, ErrorOut

router = APIRouter(
    prefix="/api/dms",
    tags=["rooms"],
    responses={
        400: {"model": ErrorOut},
        401: {"model": ErrorOut},
        404: {"model": ErrorOut},
        429: {"model": ErrorOut},
    },
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[per_user("joins")],
    responses={200: {"model": DmOut, "description": "that conversation exists already"}},
)
async def open_dm(body: DmIn, user: CurrentUser, hub: HubDep, response: Response) -> DmOut:
    """The direct conversation of the caller and these people: 201 when made now, 200
    when it existed (the same set of people always gives the same room)."""
    dm, created = await dms.open_dm(hub, user, body.usernames)
    if not created:
        response.status_code = status.HTTP_200_OK
    return dm
