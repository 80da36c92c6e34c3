"""Study days and streaks. A study day is one row per member per day of their own calendar
on which they studied, recorded as they act; a streak is counted from those days, and where
it stood at the end of the latest one is kept beside them (`StreakMark`), so reading a
streak takes one row and the few days since, never the history.

One owner, one rule. A study action is logging time, a focus session that ended, moving a
step (starting, finishing or skipping it; a reset is not study) and a check-in. Each
service that writes one calls `record_study_day` in the same transaction, so the day, the
mark and the fact they rest on are committed together or not at all.

A day is the member's local date at the moment they acted, in the timezone they had then.
Changing timezone later leaves the days already lived as they were (the day someone
studied stays the day they studied, and a move never breaks or mends a streak after the
fact); days from then on follow the new zone.

The streak itself: a study day adds one, and every seventh in a row earns a freeze (two
held at most). A day away (vacation) neither counts nor breaks it. A missed day spends a
freeze if one is held, else the streak and its freezes are gone. Today is never missed:
people get the whole day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, StreakMark, StudyDay, Vacation
from bot.db.upsert import insert_ignoring
from bot.timeutil import local_date

FREEZE_EVERY = 7  # one freeze earned per 7 study days in a row
FREEZES_HELD = 2  # at most


@dataclass(frozen=True)
class Streak:
    days: int  # study days in the current streak
    freezes: int  # freezes held now
    saved: tuple[date, ...]  # missed days a freeze covered, in the current streak


NONE = Streak(0, 0, ())


def walk(
    start: Streak,
    first: date,
    last: date,
    *,
    studied: Collection[date] = (),
    away: Collection[date] = (),
    today: date | None = None,
) -> Streak:
    """The streak `start` carried over the days from `first` to `last`, with the study days
    and days away among them (`today`, if among them, is never missed). With no streak
    going, nothing but a study day changes anything, so the walk jumps to the next one."""
    length, freezes, saved = start.days, start.freezes, list(start.saved)
    ahead = sorted(day for day in studied if first <= day <= last)
    upcoming = iter(ahead)
    next_study = next(upcoming, None)
    day = first
    while day <= last:
        if length == 0:
            if next_study is None:
                break
            day = next_study
        if day == next_study:
            next_study = next(upcoming, None)
            length += 1
            if length % FREEZE_EVERY == 0:
                freezes = min(FREEZES_HELD, freezes + 1)
        elif day in away or day == today:
            pass
        elif freezes:
            freezes -= 1
            saved.append(day)
        else:
            length, freezes, saved = 0, 0, []
        day += timedelta(days=1)
    return Streak(length, freezes, tuple(saved))


async def record_study_day(session: AsyncSession, member: Member, at: datetime) -> None:
    """Mark the member's local day of instant `at` as a study day and carry their streak
    mark to it. A day already marked stays as it is, also when two actions of that day
    race (the insert ignores a row another transaction just wrote)."""
    tz = ZoneInfo(member.timezone)
    day = local_date(at, tz)
    values = {"member_id": member.id, "day": day, "community_id": member.community_id}
    added = await session.execute(insert_ignoring(session, StudyDay).values(values))
    if not added.rowcount:  # type: ignore[attr-defined]
        return
    mark = await _locked_mark(session, member.id)
    if mark is not None and mark.through < day and not await _days_between(mark, day, session):
        # Nothing but days away lies between the mark and the new day: carry it over.
        since = mark.through + timedelta(days=1)
        away = await _away(session, member.community_id, {member.id: (tz, since)}, at)
        _set(mark, day, walk(_streak(mark), since, day, studied=(day,), away=away[member.id]))
        return
    # No mark yet, a day before the mark (after a move west), or days the mark missed (a
    # transaction of the same member's that committed meanwhile): count it all again.
    if mark is None:
        through, counted = await _recount(session, member, tz, day, at)
        fresh = _mark_values(member, through, counted)
        taken = await session.execute(insert_ignoring(session, StreakMark).values(fresh))
        if taken.rowcount:  # type: ignore[attr-defined]
            return
        mark = await _locked_mark(session, member.id)  # another transaction made it first
        assert mark is not None
    # Under the lock, what the other transaction committed is read too.
    through, counted = await _recount(session, member, tz, max(day, mark.through), at)
    _set(mark, through, counted)


async def _days_between(mark: StreakMark, day: date, session: AsyncSession) -> bool:
    """Whether the member has study days after their mark and before `day`."""
    found = await session.scalar(
        select(StudyDay.day)
        .where(
            StudyDay.member_id == mark.member_id,
            StudyDay.day > mark.through,
            StudyDay.day < day,
        )
        .limit(1)
    )
    return found is not None


async def _recount(
    session: AsyncSession, member: Member, tz: ZoneInfo, through: date, at: datetime
) -> tuple[date, Streak]:
    """The member's streak counted from every study day they have, up to `through` (or a
    later day already stored), with the days they were away."""
    days = set(await session.scalars(select(StudyDay.day).where(StudyDay.member_id == member.id)))
    last = max([through, *days])
    first = min(days, default=last)
    away = await _away(session, member.community_id, {member.id: (tz, first)}, at)
    return last, walk(NONE, first, last, studied=days, away=away[member.id])


async def streaks(
    session: AsyncSession, community_id: int, zones: dict[int, ZoneInfo], now: datetime
) -> dict[int, Streak]:
    """Each member's streak now (members given with their current timezones): their mark,
    carried over the days since their latest study day."""
    found = dict.fromkeys(zones, NONE)
    if not zones:
        return found
    rows = await session.scalars(
        select(StreakMark).where(
            StreakMark.community_id == community_id, StreakMark.member_id.in_(list(zones))
        )
    )
    behind: dict[int, tuple[StreakMark, date]] = {}
    for mark in rows:
        today = local_date(now, zones[mark.member_id])
        if mark.days and mark.through < today:
            behind[mark.member_id] = (mark, today)
        else:
            found[mark.member_id] = _streak(mark)
    if behind:
        since = {m: (zones[m], mark.through + timedelta(days=1)) for m, (mark, _) in behind.items()}
        away = await _away(session, community_id, since, now)
        for member_id, (mark, today) in behind.items():
            first = mark.through + timedelta(days=1)
            found[member_id] = walk(_streak(mark), first, today, away=away[member_id], today=today)
    return found


async def current_streak(session: AsyncSession, member: Member, now: datetime) -> Streak:
    tz = ZoneInfo(member.timezone)
    return (await streaks(session, member.community_id, {member.id: tz}, now))[member.id]


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
    bounds = {m: (local_date(since, tz), local_date(now, tz)) for m, tz in zones.items()}
    for member_id, day in rows:
        low, high = bounds[member_id]
        if low <= day <= high:
            days[member_id].add(day)
    return days


async def _locked_mark(session: AsyncSession, member_id: int) -> StreakMark | None:
    """The member's mark, held until the transaction ends (PostgreSQL; SQLite writes one
    at a time anyway), so two study days of one member never carry it over side by side."""
    found = await session.scalars(
        select(StreakMark).where(StreakMark.member_id == member_id).with_for_update()
    )
    return found.first()


async def _away(
    session: AsyncSession,
    community_id: int,
    since: dict[int, tuple[ZoneInfo, date]],
    now: datetime,
) -> dict[int, set[date]]:
    """Local days each member spent on vacation from their own first day (with their
    zone) up to `now`."""
    earliest = min(day for _, day in since.values())
    rows = await session.execute(
        select(Vacation.member_id, Vacation.starts_at, Vacation.ends_at).where(
            Vacation.community_id == community_id,
            Vacation.member_id.in_(list(since)),
            # A day before the earliest first day covers every zone.
            Vacation.ends_at
            >= datetime.combine(earliest, datetime.min.time(), UTC) - timedelta(days=1),
            Vacation.starts_at <= now,
        )
    )
    away: dict[int, set[date]] = defaultdict(set)
    for member_id, starts, ends in rows:
        tz, first = since[member_id]
        day, last = max(first, local_date(starts, tz)), local_date(min(ends, now), tz)
        while day <= last:
            away[member_id].add(day)
            day += timedelta(days=1)
    return away


def _streak(mark: StreakMark) -> Streak:
    saved = tuple(date.fromisoformat(day) for day in mark.saved.split(",") if day)
    return Streak(mark.days, mark.freezes, saved)


def _saved_text(streak: Streak) -> str:
    return ",".join(day.isoformat() for day in streak.saved)


def _mark_values(member: Member, through: date, streak: Streak) -> dict[str, object]:
    return {
        "member_id": member.id,
        "community_id": member.community_id,
        "through": through,
        "days": streak.days,
        "freezes": streak.freezes,
        "saved": _saved_text(streak),
    }


def _set(mark: StreakMark, through: date, streak: Streak) -> None:
    mark.through, mark.days, mark.freezes = through, streak.days, streak.freezes
    mark.saved = _saved_text(streak)
