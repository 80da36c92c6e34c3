"""Fill the study days from the history: every day of a member's own calendar on which they
moved a step, logged time, finished a focus session or checked in.

Each moment becomes a date in the member's timezone as it is now (the app records later
days in the zone a member has when they act). The history can hold millions of events, so
each table is read in slices along its primary key and the days go in by the thousand,
skipping any already there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The event kinds that are study (bot.db.models.EventKind STARTED, DONE and SKIPPED), as
# they are stored. A reset is not study. Repeated here so that this revision keeps meaning
# what it meant when it was written, whatever the models become.
MOVED_KINDS = ("started", "done", "skipped")
SLICE = 20_000  # source rows read at a time
CHUNK = 5_000  # study days written at a time

study_days = sa.table(
    "study_days",
    sa.column("member_id", sa.Integer),
    sa.column("day", sa.Date),
    sa.column("community_id", sa.Integer),
)


def _source(name: str, moment: str) -> sa.TableClause:
    return sa.table(
        name,
        sa.column("id", sa.Integer),
        sa.column("member_id", sa.Integer),
        sa.column(moment, sa.DateTime(timezone=True)),
        *((sa.column("kind", sa.String),) if name == "progress_events" else ()),
    )


def upgrade() -> None:
    connection = op.get_bind()
    zones = _zones(connection)
    events = _source("progress_events", "occurred_at")
    logs = _source("study_logs", "occurred_at")
    checkins = _source("checkins", "submitted_at")
    for table, moment, where in (
        (events, events.c.occurred_at, events.c.kind.in_(MOVED_KINDS)),
        (logs, logs.c.occurred_at, sa.true()),
        (checkins, checkins.c.submitted_at, sa.true()),
    ):
        days: set[tuple[int, date]] = set()
        for member_id, at in _moments(connection, table, moment, where):
            if member_id in zones:
                days.add((member_id, _local_date(at, zones[member_id][1])))
            if len(days) >= CHUNK:
                _insert(connection, days, zones)
                days = set()
        _insert(connection, days, zones)


def _zones(connection: sa.Connection) -> dict[int, tuple[int, ZoneInfo]]:
    """Each member's community and timezone. An unknown zone name (none should be stored)
    counts as UTC rather than stopping the upgrade."""
    found: dict[int, tuple[int, ZoneInfo]] = {}
    zone_of: dict[str, ZoneInfo] = {}
    rows = connection.execute(sa.text("SELECT id, community_id, timezone FROM members"))
    for member_id, community_id, name in rows:
        if name not in zone_of:
            try:
                zone_of[name] = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                zone_of[name] = ZoneInfo("UTC")
        found[member_id] = (community_id, zone_of[name])
    return found


def _moments(
    connection: sa.Connection,
    table: sa.TableClause,
    moment: sa.ColumnClause[datetime],
    where: sa.ColumnElement[bool],
) -> Iterator[tuple[int, datetime]]:
    """(member id, moment) of each row, a slice at a time along the primary key, so no
    statement reads or holds more than a slice whatever the table's size."""
    after = None
    while True:
        query = (
            sa.select(table.c.id, table.c.member_id, moment)
            .where(where)
            .order_by(table.c.id)
            .limit(SLICE)
        )
        if after is not None:
            query = query.where(table.c.id > after)
        rows = connection.execute(query).all()
        for _, member_id, at in rows:
            yield member_id, at
        if len(rows) < SLICE:
            return
        after = rows[-1][0]


def _local_date(at: datetime, tz: ZoneInfo) -> date:
    if at.tzinfo is None:  # SQLite keeps instants as naive UTC
        at = at.replace(tzinfo=UTC)
    return at.astimezone(tz).date()


def _insert(
    connection: sa.Connection,
    days: set[tuple[int, date]],
    zones: dict[int, tuple[int, ZoneInfo]],
) -> None:
    if not days:
        return
    module = postgresql if connection.dialect.name == "postgresql" else sqlite
    insert = module.insert(study_days).on_conflict_do_nothing(index_elements=["member_id", "day"])
    connection.execute(
        insert,
        [
            {"member_id": member_id, "day": day, "community_id": zones[member_id][0]}
            for member_id, day in sorted(days)
        ],
    )


def downgrade() -> None:
    op.execute(study_days.delete())
