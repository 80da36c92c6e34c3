"""Communities, groups, members, step progress and the progress event log.

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def instant(name: str, *, nullable: bool = False) -> sa.Column[sa.DateTime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def community_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["community_id"],
        ["communities.id"],
        name=f"fk_{table}_community_id_communities",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "communities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        instant("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_communities"),
        sa.UniqueConstraint("platform", "external_id", name="uq_communities_platform_external_id"),
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer()),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("track_id", sa.String(64), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        instant("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_groups"),
        community_fk("groups"),
        sa.UniqueConstraint("community_id", "channel_id", name="uq_groups_community_id_channel_id"),
    )
    op.create_index("ix_groups_community_id", "groups", ["community_id"])
    op.create_table(
        "members",
        sa.Column("id", sa.Integer()),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("platform_user_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("privacy", sa.String(16), nullable=False),
        instant("joined_at"),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
        community_fk("members"),
        sa.UniqueConstraint(
            "community_id", "platform_user_id", name="uq_members_community_id_platform_user_id"
        ),
        sa.CheckConstraint("privacy IN ('public', 'hidden')", name="ck_members_privacy"),
    )
    op.create_index("ix_members_community_id", "members", ["community_id"])
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        instant("joined_at"),
        sa.PrimaryKeyConstraint("group_id", "member_id", name="pk_group_members"),
        community_fk("group_members"),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name="fk_group_members_group_id_groups", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name="fk_group_members_member_id_members",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_group_members_community_id", "group_members", ["community_id"])
    op.create_index("ix_group_members_member_id", "group_members", ["member_id"])
    op.create_table(
        "step_progress",
        sa.Column("id", sa.Integer()),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.String(64), nullable=False),
        sa.Column("step_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        instant("started_at", nullable=True),
        instant("completed_at", nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        instant("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_step_progress"),
        community_fk("step_progress"),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name="fk_step_progress_member_id_members",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "member_id", "track_id", "step_id", name="uq_step_progress_member_id_track_id_step_id"
        ),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'done', 'skipped')",
            name="ck_step_progress_status",
        ),
    )
    op.create_index("ix_step_progress_community_id", "step_progress", ["community_id"])
    op.create_index(
        "ix_step_progress_community_done",
        "step_progress",
        ["community_id", "status", "completed_at"],
    )
    op.create_table(
        "progress_events",
        sa.Column("id", sa.Integer()),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.String(64), nullable=False),
        sa.Column("step_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        instant("occurred_at"),
        sa.PrimaryKeyConstraint("id", name="pk_progress_events"),
        community_fk("progress_events"),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name="fk_progress_events_member_id_members",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "kind IN ('started', 'done', 'skipped', 'reset')", name="ck_progress_events_kind"
        ),
    )
    op.create_index(
        "ix_progress_events_member_time", "progress_events", ["member_id", "occurred_at"]
    )
    op.create_index(
        "ix_progress_events_community_time", "progress_events", ["community_id", "occurred_at"]
    )


def downgrade() -> None:
    for table in ("progress_events", "step_progress", "group_members", "members", "groups"):
        op.drop_table(table)
    op.drop_table("communities")
