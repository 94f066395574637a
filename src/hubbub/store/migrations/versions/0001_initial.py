"""Initial schema: users, refresh tokens, rooms, memberships, invites, messages.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite keeps ISO 8601 text (sortable, read back as-is); PostgreSQL a real timestamptz.
Timestamp = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")
# INTEGER PRIMARY KEY is SQLite's rowid; PostgreSQL gets a bigint identity.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", Id, sa.Identity(), primary_key=True),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("username_key", sa.String(32), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", Id, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("family_id", sa.String(64), nullable=False, index=True),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("used_at", Timestamp, nullable=True),
    )
    op.create_table(
        "rooms",
        sa.Column("id", Id, sa.Identity(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("owner_id", Id, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.create_table(
        "memberships",
        sa.Column("room_id", Id, sa.ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", Id, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("joined_at", Timestamp, nullable=False),
        sa.Column("last_read_seq", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("room_id", "user_id"),
    )
    op.create_index("memberships_by_user", "memberships", ["user_id", "room_id"])
    op.create_table(
        "invites",
        sa.Column("room_id", Id, sa.ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", Id, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("invited_by", Id, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("room_id", "user_id"),
    )
    op.create_table(
        "messages",
        sa.Column("id", Id, sa.Identity(), primary_key=True),
        sa.Column("room_id", Id, sa.ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("user_id", Id, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("client_id", sa.String(64), nullable=True),
        sa.UniqueConstraint("room_id", "seq", name="messages_room_seq"),
        sa.UniqueConstraint("room_id", "user_id", "client_id", name="messages_client_id"),
    )


def downgrade() -> None:
    for table in ("messages", "invites", "memberships", "rooms", "refresh_tokens", "users"):
        op.drop_table(table)
