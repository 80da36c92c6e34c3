"""Group schedules, reminder settings, vacations, check-ins, Kaggle attempts, deliveries.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUP_COLUMNS = [
    sa.Column("daily_time", sa.String(5), nullable=False, server_default="09:00"),
    sa.Column("checkin_weekday", sa.Integer(), nullable=False, server_default="4"),
    sa.Column("checkin_time", sa.String(5), nullable=False, server_default="17:00"),
    sa.Column("kaggle_cadence", sa.String(10), nullable=False, server_default="weekly"),
    sa.Column("kaggle_weekday", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("kaggle_time", sa.String(5), nullable=False, server_default="10:00"),
    sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false()),
]
MEMBER_COLUMNS = [
    sa.Column("reminders", sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column("quiet_start", sa.Integer(), nullable=False, server_default="22"),
    sa.Column("quiet_end", sa.Integer(), nullable=False, server_default="8"),
]


def instant(name: str, *, nullable: bool = False) -> sa.Column[sa.DateTime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        for column in GROUP_COLUMNS:
            batch.add_column(column)
    with op.batch_alter_table("members") as batch:
        for column in MEMBER_COLUMNS:
            batch.add_column(column)
    op.create_table(
        "vacations",
        sa.Column("id", sa.Integer()),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        instant("starts_at"),
        instant("ends_at"),
        sa.PrimaryKeyConstraint("id", name="pk_vacations"),
        fk("vacations", "community_id", "communities"),
        fk("vacations", "member_id", "members"),
    )
    op.create_index("ix_vacations_community_id", "vacations", ["community_id"])
    op.create_index("ix_vacations_member", "vacations", ["member_id", "ends_at"])
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer()),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("finished", sa.Text(), nullable=True),
        sa.Column("next_up", sa.Text(), nullable=True),
        sa.Column("blockers", sa.Text(), nullable=True),
        sa.Column("hours", sa.Float(), nullable=True),
        instant("submitted_at"),
        sa.PrimaryKeyConstraint("id", name="pk_checkins"),
        fk("checkins", "community_id", "communities"),
        fk("checkins", "group_id", "groups"),
        fk("checkins", "member_id", "members"),
        sa.UniqueConstraint(
            "group_id", "member_id", "period", name="uq_checkins_group_id_member_id_period"
        ),
    )
    op.create_index("ix_checkins_community_id", "checkins", ["community_id"])
    op.create_index("ix_checkins_member_id", "checkins", ["member_id"])
    op.create_table(
        "kaggle_attempts",
        sa.Column("id", sa.Integer()),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.String(64), nullable=False),
        sa.Column("url", sa.String(300), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        instant("submitted_at"),
        sa.PrimaryKeyConstraint("id", name="pk_kaggle_attempts"),
        fk("kaggle_attempts", "community_id", "communities"),
        fk("kaggle_attempts", "group_id", "groups", "SET NULL"),
        fk("kaggle_attempts", "member_id", "members"),
    )
    op.create_index(
        "ix_kaggle_attempts_community_time", "kaggle_attempts", ["community_id", "submitted_at"]
    )
    op.create_index("ix_kaggle_attempts_member_id", "kaggle_attempts", ["member_id"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer()),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        instant("due_at"),
        sa.Column("status", sa.String(10), nullable=False),
        instant("claimed_at"),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        instant("sent_at", nullable=True),
        sa.Column("detail", sa.String(200), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        fk("deliveries", "community_id", "communities"),
        fk("deliveries", "group_id", "groups"),
        fk("deliveries", "member_id", "members"),
        sa.UniqueConstraint("key", name="uq_deliveries_key"),
        sa.CheckConstraint("status IN ('claimed', 'sent', 'skipped')", name="ck_deliveries_status"),
    )
    op.create_index("ix_deliveries_community_id", "deliveries", ["community_id"])
    op.create_index("ix_deliveries_member_id", "deliveries", ["member_id"])
    op.create_index("ix_deliveries_group_kind", "deliveries", ["group_id", "kind"])


def downgrade() -> None:
    for table in ("deliveries", "kaggle_attempts", "checkins", "vacations"):
        op.drop_table(table)
    with op.batch_alter_table("members") as batch:
        for column in MEMBER_COLUMNS:
            batch.drop_column(column.name)
    with op.batch_alter_table("groups") as batch:
        for column in GROUP_COLUMNS:
            batch.drop_column(column.name)
