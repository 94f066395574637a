"""Integrations (PROTOCOL v2): bot accounts owned by a user, opaque API tokens (kept only
as hashes), and incoming webhooks (a secret URL posting as the hook's own bot).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Timestamp = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(
            sa.Column(
                "bot_owner_id",
                Id,
                sa.ForeignKey("users.id", ondelete="CASCADE", name="users_bot_owner_fk"),
            )
        )
    op.create_index("users_by_bot_owner", "users", ["bot_owner_id"])
    op.create_table(
        "api_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", Id, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        # What sockets opened with the token are known by (SessionEnded closes them).
        sa.Column("session_id", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("api_tokens_by_user", "api_tokens", ["user_id"])
    op.create_table(
        "webhooks",
        sa.Column("id", Id, sa.Identity(), primary_key=True),
        sa.Column("room_id", Id, sa.ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("bot_user_id", Id, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_by", Id, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("webhooks_by_room", "webhooks", ["room_id"])


def downgrade() -> None:
    op.drop_table("webhooks")
    op.drop_table("api_tokens")
    op.drop_index("users_by_bot_owner", "users")
    with op.batch_alter_table("users") as users:
        users.drop_column("bot_owner_id")
