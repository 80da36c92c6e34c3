"""Study time: logged study, focus sessions, one scheduled DM per member per day, and
what a member is (learner or organiser, since when, and whether they chose their timezone).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(
            sa.Column("timezone_chosen", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("role", sa.String(16), nullable=True))
        batch.add_column(sa.Column("began_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint("role", "role IN ('learner', 'organiser')")
    # Members who already studied are learners since their first step or check-in; a
    # timezone other than the default was chosen by its member.
    op.execute(
        """
        UPDATE members SET began_at = (
            SELECT MIN(first) FROM (
                SELECT MIN(occurred_at) AS first FROM progress_events
                WHERE progress_events.member_id = members.id
                UNION ALL
                SELECT MIN(submitted_at) AS first FROM checkins
                WHERE checkins.member_id = members.id
            ) AS firsts
        )
        """
    )
    op.execute("UPDATE members SET timezone_chosen = (timezone <> 'UTC')")

    op.create_table(
        "study_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("track_id", sa.String(64), nullable=True),
        sa.Column("step_id", sa.String(64), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_study_logs"),
        sa.CheckConstraint("minutes > 0", name="ck_study_logs_minutes"),
        sa.CheckConstraint("source IN ('log', 'focus')", name="ck_study_logs_source"),
        _fk("study_logs", "community_id", "communities"),
        _fk("study_logs", "member_id", "members"),
        _fk("study_logs", "group_id", "groups", "SET NULL"),
    )
    op.create_index("ix_study_logs_member_time", "study_logs", ["member_id", "occurred_at"])
    op.create_index("ix_study_logs_community_time", "study_logs", ["community_id", "occurred_at"])

    op.create_table(
        "focus_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("track_id", sa.String(64), nullable=False),
        sa.Column("step_id", sa.String(64), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_focus_sessions"),
        sa.CheckConstraint(
            "status IN ('running', 'finished', 'stopped')", name="ck_focus_sessions_status"
        ),
        _fk("focus_sessions", "community_id", "communities"),
        _fk("focus_sessions", "member_id", "members"),
        _fk("focus_sessions", "group_id", "groups", "SET NULL"),
    )
    op.create_index("ix_focus_sessions_community_id", "focus_sessions", ["community_id"])
    op.create_index("ix_focus_sessions_status_ends", "focus_sessions", ["status", "ends_at"])
    op.create_index("ix_focus_sessions_member", "focus_sessions", ["member_id", "status"])
    op.create_index(
        "uq_focus_sessions_running",
        "focus_sessions",
        ["member_id"],
        unique=True,
        sqlite_where=sa.text("status = 'running'"),
        postgresql_where=sa.text("status = 'running'"),
    )

    op.create_table(
        "dm_days",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("delivery_key", sa.String(200), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "day", name="pk_dm_days"),
        _fk("dm_days", "member_id", "members"),
        _fk("dm_days", "community_id", "communities"),
    )
    op.create_index("ix_dm_days_community_id", "dm_days", ["community_id"])


def downgrade() -> None:
    op.drop_table("dm_days")
    op.drop_table("focus_sessions")
    op.drop_table("study_logs")
    with op.batch_alter_table("members") as batch:
        batch.drop_constraint("role", type_="check")
        batch.drop_column("began_at")
        batch.drop_column("role")
        batch.drop_column("timezone_chosen")
