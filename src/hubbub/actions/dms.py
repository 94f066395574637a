"""Direct messages: one room per set of people, made on first use."""

from __future__ import annotations

from hubbub.errors import BadRequest, NotFound
from hubbub.events import DmCreatedOut
from hubbub.fanout.base import Emit, MembershipChange
from hubbub.hub import Hub
from hubbub.schemas import DmOut
from hubbub.security import TokenUser

MAX_OTHERS = 8  # PROTOCOL v2: a DM with 1-8 other people


async def open_dm(hub: Hub, user: TokenUser, usernames: list[str]) -> tuple[DmOut, bool]:
    """The DM of the caller and these people, and whether this call made it. A new DM's
    members' sockets join it on every node at once, and the others hear of it
    (``dmCreated``), so its first message arrives without a reload."""
    wanted = {name.lower() for name in usernames}
    wanted.discard(user.username.lower())
    if not wanted:
        raise BadRequest("name at least one other person")
    if len(wanted) > MAX_OTHERS:
        raise BadRequest(f"a direct conversation holds at most {MAX_OTHERS} other people")
    others = []
    for name in sorted(wanted):
        found = await hub.store.get_user_by_name(username=name)
        if found is None:
            raise NotFound(f"no user named {name!r}")
        others.append(found)
    room, created = await hub.store.open_dm(user_ids=[user.id, *(u.id for u in others)])
    people = await hub.store.list_members(room_id=room.id)
    dm = DmOut.of_dm(room, people)
    if created:
        for person in people:
            await hub.broker.publish(
                MembershipChange(user_id=person.id, room=room.name, joined=True)
            )
            if person.id != user.id:
                await hub.broker.publish(
                    Emit(
                        event="dmCreated",
                        data=DmCreatedOut(room=dm).model_dump(),
                        to="user",
                        key=str(person.id),
                    )
                )
    return dm, created
