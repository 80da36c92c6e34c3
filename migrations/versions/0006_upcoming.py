"""What is scheduled next, for sweeps that cost what is due; and the days each member
studied, for streaks that do not read the event history.

Every group, group member and member in a group gets its row in `upcoming`, due at once
and not read yet, so the first sweep after the upgrade catches up what it would have.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DUE_AT_ONCE = datetime(2000, 1, 1, tzinfo=UTC)  # long past: the first sweep reads each row


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "upcoming",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(48), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("platform", sa.String(10), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_through", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_upcoming"),
        sa.UniqueConstraint("scope", name="uq_upcoming_scope"),
        sa.CheckConstraint("kind IN ('posts', 'reminders', 'nudges')", name="ck_upcoming_kind"),
        _fk("upcoming", "community_id", "communities"),
        _fk("upcoming", "group_id", "groups"),
        _fk("upcoming", "member_id", "members"),
    )
    op.create_index("ix_upcoming_due", "upcoming", ["due_at"])
    op.create_index("ix_upcoming_community_id", "upcoming", ["community_id"])
    op.create_index("ix_upcoming_group_id", "upcoming", ["group_id"])
    op.create_index("ix_upcoming_member_id", "upcoming", ["member_id"])

    op.create_table(
        "study_days",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "day", name="pk_study_days"),
        _fk("study_days", "member_id", "members"),
        _fk("study_days", "community_id", "communities"),
    )
    op.create_index("ix_study_days_community_id", "study_days", ["community_id"])

    _backfill_upcoming()


def _backfill_upcoming() -> None:
    now = DUE_AT_ONCE
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # how SQLite rows hold instants (always UTC)
    upcoming = sa.table(
        "upcoming",
        *(sa.column(name) for name in ("scope", "kind", "platform", "community_id")),
        *(sa.column(name) for name in ("group_id", "member_id", "due_at")),
    )
    groups = sa.table("groups", sa.column("id"), sa.column("community_id"))
    links = sa.table("group_members", sa.column("group_id"), sa.column("member_id"))
    communities = sa.table("communities", sa.column("id"), sa.column("platform"))
    columns = ["scope", "kind", "platform", "community_id", "group_id", "member_id", "due_at"]
    due = sa.literal(now, sa.DateTime(timezone=True))

    def text(value: object) -> sa.ColumnElement[str]:
        return sa.cast(value, sa.String)

    posts = sa.select(
        sa.literal("posts:g") + text(groups.c.id),
        sa.literal("posts"),
        communities.c.platform,
        groups.c.community_id,
        groups.c.id,
        sa.null(),
        due,
    ).join(communities, communities.c.id == groups.c.community_id)
    reminders = (
        sa.select(
            sa.literal("reminders:g")
            + text(groups.c.id)
            + sa.literal(":m")
            + text(links.c.member_id),
            sa.literal("reminders"),
            communities.c.platform,
            groups.c.community_id,
            groups.c.id,
            links.c.member_id,
            due,
        )
        .join(groups, groups.c.id == links.c.group_id)
        .join(communities, communities.c.id == groups.c.community_id)
    )
    nudges = (
        sa.select(
            sa.literal("nudges:m") + text(links.c.member_id),
            sa.literal("nudges"),
            communities.c.platform,
            groups.c.community_id,
            sa.null(),
            links.c.member_id,
            due,
        )
        .join(groups, groups.c.id == links.c.group_id)
        .join(communities, communities.c.id == groups.c.community_id)
        .group_by(links.c.member_id, communities.c.platform, groups.c.community_id)
    )
    for query in (posts, reminders, nudges):
        op.execute(upcoming.insert().from_select(columns, query))


def downgrade() -> None:
    op.drop_table("study_days")
    op.drop_table("upcoming")
