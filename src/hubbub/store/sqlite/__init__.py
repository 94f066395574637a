"""The SQLite store, split by concern; ``SQLiteStore`` is the whole of it."""

from hubbub.store.communities import Communities
from hubbub.store.integrations import Integrations
from hubbub.store.sqlite.accounts import SQLiteAccounts
from hubbub.store.sqlite.base import sqlite_path
from hubbub.store.sqlite.messages import SQLiteMessages
from hubbub.store.sqlite.rooms import SQLiteRooms
from hubbub.store.sqlite.search import SQLiteSearch
from hubbub.store.sqlite.uploads import SQLiteUploads


class SQLiteStore(
    SQLiteAccounts,
    SQLiteRooms,
    SQLiteMessages,
    SQLiteSearch,
    SQLiteUploads,
    Communities,
    Integrations,
):
    """Every ``Store`` method on one SQLite file."""


__all__ = ["SQLiteStore", "sqlite_path"]
