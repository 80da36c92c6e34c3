"""Vacations: while away, a member gets no reminders or nudges and their streak is frozen."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Vacation
from bot.timeutil import local_date


async def current(session: AsyncSession, member: Member, now: datetime) -> Vacation | None:
    return await session.scalar(
        select(Vacation).where(
            Vacation.community_id == member.community_id,
            Vacation.member_id == member.id,
            Vacation.starts_at <= now,
            Vacation.ends_at > now,
        )
    )


async def go_away(session: AsyncSession, member: Member, now: datetime, days: int) -> Vacation:
    """Start (or replace) the member's vacation: `days` from now."""
    ongoing = await current(session, member, now)
    if ongoing is not None:
        ongoing.ends_at = now + timedelta(days=days)
        return ongoing
    vacation = Vacation(
        community_id=member.community_id,
        member_id=member.id,
        starts_at=now,
        ends_at=now + timedelta(days=days),
    )
    session.add(vacation)
    await session.flush()
    return vacation


async def come_back(session: AsyncSession, member: Member, now: datetime) -> bool:
    ongoing = await current(session, member, now)
    if ongoing is None:
        return False
    ongoing.ends_at = now
    return True


async def away_days(
    session: AsyncSession, member: Member, tz: ZoneInfo, *, since: datetime, now: datetime
) -> set[date]:
    """Local days the member spent on vacation between `since` and `now`."""
    rows = await session.execute(
        select(Vacation.starts_at, Vacation.ends_at).where(
            Vacation.community_id == member.community_id,
            Vacation.member_id == member.id,
            Vacation.ends_at >= since,
            Vacation.starts_at <= now,
        )
    )
    days: set[date] = set()
    for starts, ends in rows:
        day, last = local_date(starts, tz), local_date(min(ends, now), tz)
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days
