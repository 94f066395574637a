"""The PostgreSQL store, split by concern; ``PostgresStore`` is the whole of it."""

from hubbub.store.communities import Communities
from hubbub.store.integrations import Integrations
from hubbub.store.postgres.accounts import PostgresAccounts
from hubbub.store.postgres.base import asyncpg_dsn
from hubbub.store.postgres.messages import PostgresMessages
from hubbub.store.postgres.rooms import PostgresRooms
from hubbub.store.postgres.search import PostgresSearch
from hubbub.store.postgres.uploads import PostgresUploads


class PostgresStore(
    PostgresAccounts,
    PostgresRooms,
    PostgresMessages,
    PostgresSearch,
    PostgresUploads,
    Communities,
    Integrations,
):
    """Every ``Store`` method on one PostgreSQL database."""


__all__ = ["PostgresStore", "asyncpg_dsn"]
