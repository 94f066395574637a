"""Conversations (PROTOCOL v2): the change stream (``rev``), edits, deletes, reactions,
replies, mentions, DMs, display names, notification levels and uploads.

Existing messages take ``rev = seq`` and rooms ``last_rev = last_seq``: a v1 database's
history was one change per message, so the counters stay gap-free from the start.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Timestamp = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("display_name", sa.String(64), nullable=True))
        users.add_column(sa.Column("display_key", sa.String(64), nullable=True))
        users.add_column(sa.Column("bot", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("users_by_display_key", "users", ["display_key"])

    with op.batch_alter_table("rooms") as rooms:
        rooms.add_column(sa.Column("last_rev", sa.BigInteger(), nullable=False, server_default="0"))
        rooms.add_column(sa.Column("kind", sa.String(8), nullable=False, server_default="room"))
        # DMs: the sorted participant ids, so one set of people is always one room.
        rooms.add_column(sa.Column("dm_key", sa.Text(), nullable=True))
    op.create_index("rooms_by_dm_key", "rooms", ["dm_key"], unique=True)
    op.execute("UPDATE rooms SET last_rev = last_seq")

    with op.batch_alter_table("memberships") as memberships:
        memberships.add_column(
            sa.Column("notify", sa.String(8), nullable=False, server_default="all")
        )

    with op.batch_alter_table("messages") as messages:
        messages.add_column(sa.Column("rev", sa.BigInteger(), nullable=False, server_default="0"))
        messages.add_column(sa.Column("edited_at", Timestamp, nullable=True))
        messages.add_column(
            sa.Column("deleted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        messages.add_column(sa.Column("reply_to", sa.BigInteger(), nullable=True))
        messages.add_column(
            sa.Column("reply_count", sa.Integer(), nullable=False, server_default="0")
        )
        # Read with every message and small: kept on the row as JSON text, so history,
        # sync and search read one row per message (the mentions table below serves the
        # unread-mention counts; the uploads table, ownership of files).
        messages.add_column(sa.Column("reactions", sa.Text(), nullable=False, server_default="[]"))
        messages.add_column(sa.Column("mentions", sa.Text(), nullable=False, server_default="[]"))
        messages.add_column(
            sa.Column("attachments", sa.Text(), nullable=False, server_default="[]")
        )
    op.execute("UPDATE messages SET rev = seq")
    op.create_index("messages_by_rev", "messages", ["room_id", "rev"])
    op.create_index(
        "messages_replies",
        "messages",
        ["room_id", "reply_to", "seq"],
        postgresql_where=sa.text("reply_to IS NOT NULL"),
        sqlite_where=sa.text("reply_to IS NOT NULL"),
    )

    op.create_table(
        "mentions",
        sa.Column("user_id", Id, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("room_id", Id, sa.ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "room_id", "seq"),
    )

    op.create_table(
        "uploads",
        sa.Column("id", Id, sa.Identity(), primary_key=True),
        sa.Column("room_id", Id, sa.ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", Id, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "message_id", Id, sa.ForeignKey("messages.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(128), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("storage_key", sa.String(128), nullable=False, unique=True),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("uploads_unattached", "uploads", ["message_id", "created_at"])


def downgrade() -> None:
    op.drop_table("uploads")
    op.drop_table("mentions")
    op.drop_index("messages_replies", "messages")
    op.drop_index("messages_by_rev", "messages")
    with op.batch_alter_table("messages") as messages:
        for column in (
            "attachments",
            "mentions",
            "reactions",
            "reply_count",
            "reply_to",
            "deleted",
            "edited_at",
            "rev",
        ):
            messages.drop_column(column)
    with op.batch_alter_table("memberships") as memberships:
        memberships.drop_column("notify")
    op.drop_index("rooms_by_dm_key", "rooms")
    with op.batch_alter_table("rooms") as rooms:
        for column in ("dm_key", "kind", "last_rev"):
            rooms.drop_column(column)
    op.drop_index("users_by_display_key", "users")
    with op.batch_alter_table("users") as users:
        for column in ("bot", "display_key", "display_name"):
            users.drop_column(column)
