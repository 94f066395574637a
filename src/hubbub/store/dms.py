"""What makes a DM one room per set of people: its key and its generated name."""

from __future__ import annotations

import hashlib


def dm_key(user_ids: list[int]) -> str:
    """The participants, sorted: the same people give the same key in any order."""
    return ",".join(str(i) for i in sorted(set(user_ids)))


def dm_name(key: str) -> str:
    """A room name (``[a-z0-9_-]``) that says nothing about who is in it."""
    return "dm-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def like_prefix(prefix: str) -> str:
    """A ``LIKE … ESCAPE '\\'`` pattern matching values that start with ``prefix``."""
    escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"
