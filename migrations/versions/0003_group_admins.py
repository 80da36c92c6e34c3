"""Group admin lists.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_admins",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "member_id", name="pk_group_admins"),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name="fk_group_admins_group_id_groups", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name="fk_group_admins_member_id_members",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name="fk_group_admins_community_id_communities",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_group_admins_member_id", "group_admins", ["member_id"])
    op.create_index("ix_group_admins_community_id", "group_admins", ["community_id"])


def downgrade() -> None:
    op.drop_table("group_admins")
