"""Search: the caller's words, in the rooms they may read now."""

from __future__ import annotations

from hubbub import search_words
from hubbub.actions.rooms import readable_room
from hubbub.errors import BadRequest
from hubbub.hub import Hub
from hubbub.security import TokenUser
from hubbub.store.base import MessagePage


async def search(
    hub: Hub,
    user: TokenUser,
    *,
    query: str,
    room: str | None,
    before_id: int | None,
    limit: int,
) -> MessagePage:
    """Messages holding every word of ``query`` (letters and digits; everything else,
    quotes and operators included, only separates words: the query is text, never the
    engine's syntax), newest first."""
    words = search_words.words(query)
    if not words:
        raise BadRequest("give at least one word (letters or digits) to search for")
    if len(words) > search_words.MAX_QUERY_WORDS:
        raise BadRequest(f"search for at most {search_words.MAX_QUERY_WORDS} words at once")
    room_id = (await readable_room(hub, user, room)).id if room is not None else None
    return await hub.store.search(
        user_id=user.id, words=words, room_id=room_id, before_id=before_id, limit=limit
    )
