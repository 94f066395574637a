from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hubbub.actions import search as searching
from hubbub.api.deps import CurrentUser, HubDep, per_user
from hubbub.schemas import MAX_SEQ, ErrorOut, MessageOut, SearchOut

router = APIRouter(
    prefix="/api",
    tags=["messages"],
    responses={
        400: {"model": ErrorOut},
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        429: {"model": ErrorOut},
    },
)


@router.get("/search", dependencies=[per_user("reads")])
async def search(
    user: CurrentUser,
    hub: HubDep,
    q: Annotated[str, Query(max_length=500, description="words, all of which must appear")],
    room: Annotated[str | None, Query(max_length=64, description="only this room")] = None,
    before_id: Annotated[
        int | None, Query(ge=1, le=MAX_SEQ, description="older than this message id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> SearchOut:
    page = await searching.search(hub, user, query=q, room=room, before_id=before_id, limit=limit)
    return SearchOut(results=[MessageOut.of(m) for m in page.messages], has_more=page.has_more)
