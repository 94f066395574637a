"""``HUBBUB_SQLITE_SYNCHRONOUS``: what it sets, on which connections (the crash test with
``normal`` is in tests/test_restart.py)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from pydantic import ValidationError

from hubbub.config import Settings
from hubbub.store.factory import open_store
from hubbub.store.migrate import upgrade
from hubbub.store.sqlite import SQLiteStore


def _synchronous(conn: sqlite3.Connection) -> int:
    (value,) = conn.execute("PRAGMA synchronous").fetchone()
    return int(value)


@pytest.mark.parametrize(("setting", "pragma"), [("full", 2), ("normal", 1)])
async def test_the_setting_reaches_every_connection(
    tmp_path: Path, setting: str, pragma: int
) -> None:
    url = f"sqlite:///{tmp_path / 'hubbub.db'}"
    await asyncio.to_thread(upgrade, url)
    store = await open_store(url, sqlite_synchronous=setting)
    assert isinstance(store, SQLiteStore)
    try:
        # the writer thread (every commit), a reader thread, and the loop's own lookups
        seen = (
            await store._write(_synchronous),
            await store._read(_synchronous),
            await store._lookup(_synchronous),
        )
    finally:
        await store.close()
    assert seen == (pragma, pragma, pragma)


def test_full_is_the_default_and_other_values_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().sqlite_synchronous == "full"
    monkeypatch.setenv("HUBBUB_SQLITE_SYNCHRONOUS", "off")
    with pytest.raises(ValidationError, match="sqlite_synchronous"):
        Settings()
