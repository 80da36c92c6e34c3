"""Help when stuck and spaced review: help requests, the mentors asked and the offers made,
each member's review schedule and answers, `members.mentor` (`/me mentor on`, off unless
they say so) and `members.review` (`/review off`, on unless they say so), and two more kinds
of row in `upcoming` (a help request's, a member's reviews).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_BEFORE = ("posts", "reminders", "nudges")
KINDS_AFTER = (*KINDS_BEFORE, "help", "reviews")


def _kinds(kinds: tuple[str, ...]) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete="CASCADE"
    )


def _id(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _text(name: str, size: int | None = None, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(size) if size else sa.Text(), nullable=nullable)


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # A plain ALTER TABLE: rebuilding `members` would delete every row that points at it.
    op.add_column(
        "members", sa.Column("mentor", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "members", sa.Column("review", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    # Nothing points at `upcoming`, so rebuilding it (SQLite's only way to change a CHECK
    # constraint) loses nothing.
    _upcoming_kinds(KINDS_AFTER)

    op.create_table(
        "help_requests",
        _id("id"),
        _id("community_id"),
        _id("group_id"),
        _id("member_id"),
        _text("track_id", 64),
        _text("step_id", 64),
        _text("question"),
        _text("source", 10),
        _instant("asked_at"),
        _instant("solved_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_help_requests"),
        sa.CheckConstraint("source IN ('stuck', 'checkin')", name="ck_help_requests_source"),
        _fk("help_requests", "community_id", "communities"),
        _fk("help_requests", "group_id", "groups"),
        _fk("help_requests", "member_id", "members"),
    )
    op.create_index("ix_help_requests_community_id", "help_requests", ["community_id"])
    op.create_index("ix_help_requests_group_time", "help_requests", ["group_id", "asked_at"])
    op.create_index("ix_help_requests_member", "help_requests", ["member_id", "asked_at"])

    op.create_table(
        "help_asks",
        _id("request_id"),
        _id("member_id"),
        _id("community_id"),
        _id("round"),
        _text("day", 10),
        _id("slot"),
        _instant("asked_at"),
        sa.PrimaryKeyConstraint("request_id", "member_id", name="pk_help_asks"),
        sa.UniqueConstraint("member_id", "day", "slot", name="uq_help_asks_member_id_day_slot"),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_requests.id"],
            name="fk_help_asks_request_id_help_requests",
            ondelete="CASCADE",
        ),
        _fk("help_asks", "member_id", "members"),
        _fk("help_asks", "community_id", "communities"),
    )
    op.create_index("ix_help_asks_member_id", "help_asks", ["member_id"])
    op.create_index("ix_help_asks_community_id", "help_asks", ["community_id"])

    op.create_table(
        "help_offers",
        _id("request_id"),
        _id("member_id"),
        _id("community_id"),
        _instant("offered_at"),
        sa.PrimaryKeyConstraint("request_id", "member_id", name="pk_help_offers"),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_requests.id"],
            name="fk_help_offers_request_id_help_requests",
            ondelete="CASCADE",
        ),
        _fk("help_offers", "member_id", "members"),
        _fk("help_offers", "community_id", "communities"),
    )
    op.create_index("ix_help_offers_member_id", "help_offers", ["member_id"])
    op.create_index("ix_help_offers_community_id", "help_offers", ["community_id"])
    op.create_index("ix_help_offers_community_time", "help_offers", ["community_id", "offered_at"])

    op.create_table(
        "review_cards",
        _id("id"),
        _id("community_id"),
        _id("member_id"),
        _text("track_id", 64),
        _text("step_id", 64),
        _id("stage"),
        sa.Column("due_on", sa.Date(), nullable=True),
        _text("question_id", 64, nullable=True),
        _id("answers"),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_review_cards"),
        sa.UniqueConstraint(
            "member_id", "track_id", "step_id", name="uq_review_cards_member_id_track_id_step_id"
        ),
        _fk("review_cards", "community_id", "communities"),
        _fk("review_cards", "member_id", "members"),
    )
    op.create_index("ix_review_cards_community_id", "review_cards", ["community_id"])
    op.create_index("ix_review_cards_member_due", "review_cards", ["member_id", "due_on"])

    op.create_table(
        "review_answers",
        _id("id"),
        _id("community_id"),
        _id("member_id"),
        _text("track_id", 64),
        _text("step_id", 64),
        _text("question_id", 64),
        _text("answer"),
        sa.Column("correct", sa.Boolean(), nullable=False),
        _instant("answered_at"),
        sa.PrimaryKeyConstraint("id", name="pk_review_answers"),
        _fk("review_answers", "community_id", "communities"),
        _fk("review_answers", "member_id", "members"),
    )
    op.create_index("ix_review_answers_member_time", "review_answers", ["member_id", "answered_at"])
    op.create_index(
        "ix_review_answers_community_time", "review_answers", ["community_id", "answered_at"]
    )


def _upcoming_kinds(kinds: tuple[str, ...]) -> None:
    """The kinds `upcoming` takes. SQLite changes a CHECK constraint only by rebuilding the
    table; PostgreSQL alters it in place (a rebuild there would copy the rows under a new id
    sequence starting at 1, and inserts would collide with them)."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("ck_upcoming_kind", "upcoming", type_="check")
        op.create_check_constraint("ck_upcoming_kind", "upcoming", _kinds(kinds))
        return
    with op.batch_alter_table("upcoming", recreate="always") as batch:
        batch.drop_constraint("ck_upcoming_kind", type_="check")
        batch.create_check_constraint("ck_upcoming_kind", _kinds(kinds))


def downgrade() -> None:
    for table in ("review_answers", "review_cards", "help_offers", "help_asks", "help_requests"):
        op.drop_table(table)
    op.execute(sa.text("DELETE FROM upcoming WHERE kind IN ('help', 'reviews')"))
    _upcoming_kinds(KINDS_BEFORE)
    op.drop_column("members", "review")
    op.drop_column("members", "mentor")
