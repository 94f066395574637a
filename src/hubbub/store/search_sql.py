"""The search query both stores run, written once: the caller's readable rooms (public
ones, and private rooms and DMs they belong to) and the optional room and page bounds.
Each backend puts its own match condition first and its own placeholders in."""

from __future__ import annotations

from collections.abc import Callable

from hubbub.store.rows import MESSAGE_COLUMNS


def search_sql(
    *,
    source: str,
    match: str,
    order: str,
    room: bool,
    before: bool,
    mark: Callable[[], str],
) -> str:
    """``source`` is what to read from (joined to ``messages m``), ``match`` its condition,
    ``mark()`` the backend's next placeholder, called in the order parameters are bound:
    the match, the user, then the room and the bound if given, then the limit."""
    where = [
        match.format(mark()),
        "NOT m.deleted",
        "(NOT r.private OR EXISTS (SELECT 1 FROM memberships ms"
        f" WHERE ms.room_id = m.room_id AND ms.user_id = {mark()}))",
    ]
    if room:
        where.append(f"m.room_id = {mark()}")
    if before:
        where.append(f"{order} < {mark()}")
    return (
        f"SELECT r.name, {MESSAGE_COLUMNS} FROM {source}"
        " JOIN users u ON u.id = m.user_id JOIN rooms r ON r.id = m.room_id"
        f" WHERE {' AND '.join(where)} ORDER BY {order} DESC LIMIT {mark()}"
    )
