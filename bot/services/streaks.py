"""Study days, what streaks are counted from: one row per member per day of their own
calendar on which they studied, recorded as they act, so a streak never reads the events.

One owner, one rule. A study action is logging time, a focus session that ended, moving a
step (starting, finishing or skipping it; a reset is not study) and a check-in. Each
service that writes one calls `record_study_day` in the same transaction, so the day and
the fact it rests on are committed together or not at all.

A day is the member's local date at the moment they acted, in the timezone they had then.
Changing timezone later leaves the days already lived as they were (the day someone
studied stays the day they studied, and a move never breaks or mends a streak after the
fact); days from then on follow the new zone."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, StudyDay
from bot.db.upsert import insert_ignoring
from bot.timeutil import local_date


async def record_study_day(session: AsyncSession, member: Member, at: datetime) -> None:
    """Mark the member's local day of instant `at` as a study day. A day already marked
    stays as it is, also when two actions of that day race (the insert ignores a row
    another transaction just wrote)."""
    values = {
        "member_id": member.id,
        "day": local_date(at, ZoneInfo(member.timezone)),
        "community_id": member.community_id,
    }
    await session.execute(insert_ignoring(session, StudyDay).values(values))


async def study_days(
    session: AsyncSession,
    community_id: int,
    zones: dict[int, ZoneInfo],
    since: datetime,
    now: datetime,
) -> dict[int, set[date]]:
    """Each member's study days from the local day of `since` to the local day of `now`
    (members given with their current timezones)."""
    days: dict[int, set[date]] = defaultdict(set)
    ids = list(zones)
    if not ids:
        return days
    # A day either side of the UTC dates covers every zone; each member's own bounds are
    # applied below.
    rows = await session.execute(
        select(StudyDay.member_id, StudyDay.day).where(
            StudyDay.community_id == community_id,
            StudyDay.member_id.in_(ids),
            StudyDay.day >= since.astimezone(UTC).date() - timedelta(days=1),
            StudyDay.day <= now.astimezone(UTC).date() + timedelta(days=1),
        )
    )
    for member_id, day in rows:
        tz = zones[member_id]
        if local_date(since, tz) <= day <= local_date(now, tz):
            days[member_id].add(day)
    return days
