"""Open the store a database URL names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubbub.store.base import Store

if TYPE_CHECKING:
    from hubbub.config import Settings


async def open_configured_store(settings: Settings) -> Store:
    """The store the settings name, with their durability and commit-delay options."""
    return await open_store(
        settings.resolved_database_url,
        sqlite_synchronous=settings.sqlite_synchronous,
        commit_delay=settings.commit_delay_ms / 1000,
    )


async def open_store(
    database_url: str, *, sqlite_synchronous: str = "full", commit_delay: float = 0.0
) -> Store:
    """``sqlite_synchronous`` (``full`` or ``normal``) applies to a SQLite file only;
    ``commit_delay`` (seconds) to both: how long a send waits for others to share its
    commit (0: none, a lone send commits at once)."""
    if database_url.startswith("sqlite:"):
        from hubbub.store.sqlite import SQLiteStore

        return await SQLiteStore.open(
            database_url, synchronous=sqlite_synchronous, commit_delay=commit_delay
        )
    if database_url.startswith(("postgresql", "postgres:")):
        from hubbub.store.postgres import PostgresStore

        return await PostgresStore.open(database_url, commit_delay=commit_delay)
    raise ValueError(f"unsupported database URL: {database_url.split(':', 1)[0]}")
