"""SQL that both stores run unchanged: written with ``?`` placeholders, numbered for
PostgreSQL, with datetimes as ISO text for SQLite (which keeps them so).

For the many small writes where the two dialects agree (moderation, roles, accounts,
audit), a store method builds its statements once (``Step``s) and each backend runs them
in one transaction; the message path, where the backends differ for speed, does not use
this."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hubbub.store.base import iso

_MARK = re.compile(r"\?")


@dataclass(frozen=True, slots=True)
class Step:
    sql: str
    params: tuple[Any, ...] = ()


def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, …``."""
    counter = iter(range(1, 10_000))
    return _MARK.sub(lambda _: f"${next(counter)}", sql)


def for_sqlite(params: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(iso(p) if isinstance(p, datetime) else p for p in params)


def rowcount(status: str) -> int:
    """asyncpg's command status (``DELETE 1``, ``INSERT 0 1``) as a row count."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class Portable:
    """What a backend gives the mixins written once over portable statements
    (``communities``, ``integrations``): run statements in one transaction, read rows."""

    async def _steps(self, steps: list[Step]) -> list[int]:
        raise NotImplementedError

    async def _rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        raise NotImplementedError
