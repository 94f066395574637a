"""SQLite's search index written behind the sends: the writer indexes new messages in bulk
(every 2,000 rows or 0.25 s, and before any search) instead of with every group commit;
``search_progress`` holds the last message id in the index, so a restart indexes the rest
and the triggers touch only indexed rows (an edit or delete of a row not yet indexed has
nothing to undo: the bulk insert takes its current text). A send then costs the index
3-4 µs instead of 6-8 µs per message (bench/RESULTS.md, issue 7). Zulip keeps its search
index behind its messages the same way (a queue of rows for a separate updater).

PostgreSQL is unchanged (its words are written with the row).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXED = "old.id <= (SELECT id FROM search_progress)"
_DELETE = (
    " INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);"
)
_INSERT = " INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE search_progress (id INTEGER NOT NULL)")
    op.execute("INSERT INTO search_progress (id) SELECT coalesce(max(id), 0) FROM messages")
    op.execute("DROP TRIGGER messages_fts_update")
    op.execute("DROP TRIGGER messages_fts_delete")
    op.execute(
        "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages"
        f" WHEN old.text IS NOT new.text AND {_INDEXED} BEGIN{_DELETE}{_INSERT} END"
    )
    op.execute(
        f"CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN {_INDEXED}"
        f" BEGIN{_DELETE} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages"
        " WHERE id > (SELECT id FROM search_progress)"
    )
    op.execute("DROP TRIGGER messages_fts_update")
    op.execute("DROP TRIGGER messages_fts_delete")
    op.execute("DROP TABLE search_progress")
    op.execute(
        "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages"
        f" WHEN old.text IS NOT new.text BEGIN{_DELETE}{_INSERT} END"
    )
    op.execute(f"CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN{_DELETE} END")
