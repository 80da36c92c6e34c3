"""Streak marks: where each member's streak stood at the end of their latest study day, so
that a streak is read from one row (and the few days since) instead of a year of study
days.

The marks are filled from the study days already stored, walking each member's days from
their first with the streak rules as they were when this revision was written: a study
day adds one, every seventh in a row earns a freeze (two held at most), a day away
neither counts nor breaks, and a missed day spends a freeze or ends the streak.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FREEZE_EVERY = 7
FREEZES_HELD = 2
CHUNK = 5_000  # marks written at a time

marks = sa.table(
    "streak_marks",
    sa.column("member_id", sa.Integer),
    sa.column("community_id", sa.Integer),
    sa.column("through", sa.Date),
    sa.column("days", sa.Integer),
    sa.column("freezes", sa.Integer),
    sa.column("saved", sa.Text),
)


def upgrade() -> None:
    op.create_table(
        "streak_marks",
        sa.Column(
            "member_id",
            sa.Integer(),
            sa.ForeignKey("members.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "community_id",
            sa.Integer(),
            sa.ForeignKey("communities.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("through", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("freezes", sa.Integer(), nullable=False),
        sa.Column("saved", sa.Text(), nullable=False),
    )
    op.create_index("ix_streak_marks_community_id", "streak_marks", ["community_id"])
    _fill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_streak_marks_community_id", table_name="streak_marks")
    op.drop_table("streak_marks")


def _fill(connection: sa.Connection) -> None:
    """A mark for every member with a study day, from their days and vacations."""
    days: dict[int, list[date]] = defaultdict(list)
    community: dict[int, int] = {}
    rows = connection.execute(
        sa.text("SELECT member_id, day, community_id FROM study_days ORDER BY member_id, day")
    )
    for member_id, day, community_id in rows:
        days[member_id].append(day if isinstance(day, date) else date.fromisoformat(day))
        community[member_id] = community_id
    if not days:
        return
    zones = _zones(connection)
    away: dict[int, set[date]] = defaultdict(set)
    for member_id, starts, ends in connection.execute(
        sa.text("SELECT member_id, starts_at, ends_at FROM vacations")
    ):
        if member_id in days:
            tz = zones.get(member_id, ZoneInfo("UTC"))
            day, last = _local(starts, tz), _local(ends, tz)
            while day <= last:
                away[member_id].add(day)
                day += timedelta(days=1)
    chunk = []
    for member_id, studied in days.items():
        through = studied[-1]
        length, freezes, saved = _walk(set(studied), away[member_id], studied[0], through)
        chunk.append(
            {
                "member_id": member_id,
                "community_id": community[member_id],
                "through": through,
                "days": length,
                "freezes": freezes,
                "saved": ",".join(d.isoformat() for d in saved),
            }
        )
        if len(chunk) >= CHUNK:
            connection.execute(marks.insert(), chunk)
            chunk = []
    if chunk:
        connection.execute(marks.insert(), chunk)


def _walk(
    studied: set[date], away: set[date], first: date, through: date
) -> tuple[int, int, list[date]]:
    length, freezes, saved = 0, 0, []
    day = first
    while day <= through:
        if day in studied:
            length += 1
            if length % FREEZE_EVERY == 0:
                freezes = min(FREEZES_HELD, freezes + 1)
        elif day in away:
            pass
        elif freezes:
            freezes -= 1
            saved.append(day)
        else:
            length, freezes, saved = 0, 0, []
        day += timedelta(days=1)
    return length, freezes, saved


def _zones(connection: sa.Connection) -> dict[int, ZoneInfo]:
    found: dict[int, ZoneInfo] = {}
    zone_of: dict[str, ZoneInfo] = {}
    for member_id, name in connection.execute(sa.text("SELECT id, timezone FROM members")):
        if name not in zone_of:
            try:
                zone_of[name] = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                zone_of[name] = ZoneInfo("UTC")
        found[member_id] = zone_of[name]
    return found


def _local(moment: datetime | str, tz: ZoneInfo) -> date:
    if isinstance(moment, str):  # SQLite hands back text
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).date()
