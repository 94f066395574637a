"""Communities (PROTOCOL v2): server roles, room roles, topics, archiving, bans, mutes,
deactivated accounts and the audit log.

Every room's owner becomes an ``owner`` membership; everyone else a ``member``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Timestamp = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("role", sa.String(8), nullable=False, server_default="member"))
        users.add_column(sa.Column("deactivated_at", Timestamp, nullable=True))
    with op.batch_alter_table("rooms") as rooms:
        rooms.add_column(sa.Column("topic", sa.Text(), nullable=True))
        rooms.add_column(
            sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("memberships") as memberships:
        memberships.add_column(
            sa.Column("role", sa.String(10), nullable=False, server_default="member")
        )
    op.execute(
        "UPDATE memberships SET role = 'owner' WHERE EXISTS (SELECT 1 FROM rooms r"
        " WHERE r.id = memberships.room_id AND r.owner_id = memberships.user_id)"
    )
    for table in ("bans", "mutes"):
        columns: list[sa.schema.SchemaItem] = [
            sa.Column("room_id", Id, sa.ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
            sa.Column("user_id", Id, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
            sa.Column("by_id", Id, sa.ForeignKey("users.id", ondelete="SET NULL")),
            sa.Column("created_at", Timestamp, nullable=False),
        ]
        if table == "mutes":
            columns.append(sa.Column("until", Timestamp, nullable=False))
        op.create_table(table, *columns, sa.PrimaryKeyConstraint("room_id", "user_id"))
    op.create_table(
        "audit_log",
        sa.Column("id", Id, sa.Identity(), primary_key=True),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("actor_id", Id, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("room", sa.String(64), nullable=True),
        sa.Column("target", sa.String(64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("mutes")
    op.drop_table("bans")
    with op.batch_alter_table("memberships") as memberships:
        memberships.drop_column("role")
    with op.batch_alter_table("rooms") as rooms:
        rooms.drop_column("archived")
        rooms.drop_column("topic")
    with op.batch_alter_table("users") as users:
        users.drop_column("deactivated_at")
        users.drop_column("role")
