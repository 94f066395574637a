"""Apply Alembic migrations to the configured database (``hubbub db upgrade``)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", alembic_url(database_url))
    return config


def alembic_url(database_url: str) -> str:
    """Migrations need a SQLAlchemy dialect+driver; accept the plain forms too."""
    for plain in ("postgresql://", "postgres://"):
        if database_url.startswith(plain):
            return "postgresql+asyncpg://" + database_url.removeprefix(plain)
    return database_url


def upgrade(database_url: str, revision: str = "head") -> None:
    if database_url.startswith("sqlite:///"):
        _prepare_sqlite(Path(database_url.removeprefix("sqlite:///")))
    command.upgrade(alembic_config(database_url), revision)


def _prepare_sqlite(path: Path) -> None:
    """Create the file in WAL mode (a property of the file, kept from then on)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():  # it will hold password hashes: owner-only from the start
        path.touch(mode=0o600)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
