"""PostgreSQL store: ``asyncpg`` pool and raw SQL; messages go through ``PostgresWriter``.

The production store. This module holds the pool and the writer; the queries are split by
concern into mixins (``accounts``, ``rooms``, ``messages``) that ``PostgresStore`` combines.
"""

from __future__ import annotations

import logging
from typing import Any, Self

import asyncpg

from hubbub.store.portable import Step, numbered, rowcount
from hubbub.store.postgres.writer import PostgresWriter
from hubbub.store.records import DuplicateName

log = logging.getLogger(__name__)


def asyncpg_dsn(database_url: str) -> str:
    """``postgresql+asyncpg://…`` (the SQLAlchemy form PROTOCOL.md uses) to a libpq DSN."""
    for prefix in ("postgresql+asyncpg://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql://" + database_url.removeprefix(prefix)
    return database_url


class PostgresBase:
    """The pool, and the writer task that group-commits sends and changes."""

    def __init__(self, pool: asyncpg.Pool, *, commit_delay: float = 0.0) -> None:
        self._pool = pool
        self._writer = PostgresWriter(pool, commit_delay=commit_delay)

    @classmethod
    async def open(
        cls, database_url: str, *, pool_size: int = 10, commit_delay: float = 0.0
    ) -> Self:
        pool = await asyncpg.create_pool(asyncpg_dsn(database_url), min_size=1, max_size=pool_size)
        return cls(pool, commit_delay=commit_delay)

    async def close(self) -> None:
        """Stop taking sends, commit and answer every send already queued, then close."""
        await self._writer.stop()
        await self._pool.close()

    async def ping(self) -> None:
        await self._pool.fetchval("SELECT 1")

    @property
    def commit_count(self) -> int:
        return self._writer.commit_count

    async def _steps(self, steps: list[Step]) -> list[int]:
        """Run portable statements in one transaction; their row counts."""
        counts = []
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                for step in steps:
                    counts.append(rowcount(await conn.execute(numbered(step.sql), *step.params)))
        except asyncpg.UniqueViolationError as exc:
            raise DuplicateName(str(exc)) from exc
        return counts

    async def _rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """A portable query's rows."""
        return [tuple(r) for r in await self._pool.fetch(numbered(sql), *params)]
