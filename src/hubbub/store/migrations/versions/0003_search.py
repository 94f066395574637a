"""Full-text search (PROTOCOL v2 ``GET /api/search``): SQLite FTS5, PostgreSQL tsvector.

Both index the same tokens, so both stores answer the same query the same way: text is cut
into runs of letters and digits (anything else separates words), compared without case,
accents kept (``hubbub.search_words``). SQLite: an external-content FTS5 table kept by
triggers (so a send, an edit and a delete update the index in their own transaction).
PostgreSQL: a ``tsvector`` column with a GIN index, written by the store with the words
Hubbub cut itself (``array_to_tsvector``): no stemming, no stop words, and no dependence
on the database's locale or parser (which keeps ``example.com`` as one token).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hubbub.search_words import lexemes

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
    " INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
    " INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    " END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN"
    " INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    " INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER messages_fts_update",
    "DROP TRIGGER messages_fts_delete",
    "DROP TRIGGER messages_fts_insert",
    "DROP TABLE messages_fts",
]
POSTGRES_UP = [
    "ALTER TABLE messages ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX messages_search ON messages USING gin (search)",
]
POSTGRES_DOWN = ["DROP INDEX messages_search", "ALTER TABLE messages DROP COLUMN search"]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)
    if not sqlite:
        _index_existing_messages()


def _index_existing_messages() -> None:
    """Give every stored message its words, a thousand rows at a time."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, text FROM messages WHERE id > :last ORDER BY id LIMIT 1000"),
            {"last": last},
        ).fetchall()
        if not rows:
            return
        bind.execute(
            sa.text(
                "UPDATE messages SET search = array_to_tsvector(string_to_array(:words, ' '))"
                " WHERE id = :id"
            ),
            [{"id": row[0], "words": lexemes(row[1])} for row in rows],
        )
        last = rows[-1][0]


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else POSTGRES_DOWN:
        op.execute(statement)
