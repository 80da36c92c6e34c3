"""Group leaderboards: who finished most steps in a period, or holds the longest streak.
Members who chose to be hidden never appear."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import (
    GroupMember,
    KaggleAttempt,
    Member,
    ProgressEvent,
    StepProgress,
    StepStatus,
    Vacation,
)
from bot.services import privacy
from bot.services.stats import ACTIVE_KINDS, STREAK_LOOKBACK, streak_length
from bot.timeutil import local_date


class Metric(StrEnum):
    STEPS = "steps"
    STREAK = "streak"
    KAGGLE = "kaggle"


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


@dataclass(frozen=True)
class Standing:
    rank: int
    member_id: int
    name: str
    value: int


def rank_standings(rows: Iterable[tuple[int, str, int]]) -> list[Standing]:
    """Standard competition ranking: equal values share a rank, and the next rank skips
    (1, 2, 2, 4). Ties are listed by name so the order is stable."""
    ordered = sorted(rows, key=lambda row: (-row[2], row[1].lower(), row[0]))
    standings: list[Standing] = []
    for position, (member_id, name, value) in enumerate(ordered, start=1):
        tied = standings and standings[-1].value == value
        rank = standings[-1].rank if tied else position
        standings.append(Standing(rank, member_id, name, value))
    return standings


async def leaderboard(
    session: AsyncSession,
    *,
    community_id: int,
    group_id: int | None,
    metric: Metric,
    since: datetime | None,
    now: datetime,
) -> list[Standing]:
    """Standings of the public members of a group (or the whole community when
    `group_id` is None). Members with nothing to show are left out.

    Members join, leave and change their privacy while this runs, and on PostgreSQL each
    statement sees what was committed when it started. So each figure is read together
    with the members it belongs to: one statement for counts, and for streaks only the
    events of the members the first statement found."""
    eligible = select(Member.id, Member.display_name, Member.timezone).where(
        Member.community_id == community_id, privacy.visible_clause()
    )
    if group_id is not None:
        eligible = eligible.join(GroupMember, GroupMember.member_id == Member.id).where(
            GroupMember.group_id == group_id
        )
    if metric is Metric.STEPS:
        rows = await _count_per_member(
            session,
            eligible,
            since,
            member_id=StepProgress.member_id,
            at=StepProgress.completed_at,
            where=[
                StepProgress.community_id == community_id,
                StepProgress.status == StepStatus.DONE.value,
            ],
        )
    elif metric is Metric.KAGGLE:
        rows = await _count_per_member(
            session,
            eligible,
            since,
            member_id=KaggleAttempt.member_id,
            at=KaggleAttempt.submitted_at,
            where=[KaggleAttempt.community_id == community_id],
        )
    else:
        members = {mid: (name, tz) for mid, name, tz in await session.execute(eligible)}
        streaks = await _streaks(session, community_id, members, now) if members else {}
        rows = [(mid, members[mid][0], value) for mid, value in streaks.items()]
    return rank_standings(row for row in rows if row[2] > 0)


async def _count_per_member(
    session: AsyncSession,
    eligible: Select[int, str, str],
    since: datetime | None,
    *,
    member_id: InstrumentedAttribute[int],
    at: InstrumentedAttribute[datetime | None] | InstrumentedAttribute[datetime],
    where: list[ColumnElement[bool]],
) -> list[tuple[int, str, int]]:
    """(member id, name, count) of each eligible member with something counted, in one
    statement, so a member who joins meanwhile is either wholly in it or not at all."""
    query = (
        eligible.with_only_columns(Member.id, Member.display_name, func.count())
        .join(member_id.class_, member_id == Member.id)
        .where(*where)
        .group_by(Member.id, Member.display_name)
    )
    if since is not None:
        query = query.where(at >= since)
    return [(mid, name, count) for mid, name, count in await session.execute(query)]


STREAK_FIRST_LOOK = timedelta(days=35)  # most streaks are short; longer ones look further


async def _streaks(
    session: AsyncSession,
    community_id: int,
    members: dict[int, tuple[str, str]],
    now: datetime,
) -> dict[int, int]:
    """Each member's current streak. Most streaks end within a few weeks, so the last five
    weeks are read first, and the whole lookback only for streaks that reach back that far."""
    zones = {mid: ZoneInfo(tz) for mid, (_, tz) in members.items()}
    streaks: dict[int, int] = {}
    pending = list(members)
    window = STREAK_FIRST_LOOK
    while pending:
        days, frozen = await _active_and_frozen_days(
            session, community_id, pending, zones, now, window
        )
        longer = []
        for mid in pending:
            length = streak_length(days[mid], local_date(now, zones[mid]), frozen[mid])
            if window < STREAK_LOOKBACK and length + len(frozen[mid]) >= window.days - 2:
                longer.append(mid)  # the streak may go on before the window: look further
            else:
                streaks[mid] = length
        pending, window = longer, STREAK_LOOKBACK
    return streaks


async def _active_and_frozen_days(
    session: AsyncSession,
    community_id: int,
    member_ids: list[int],
    zones: dict[int, ZoneInfo],
    now: datetime,
    window: timedelta,
) -> tuple[dict[int, set[date]], dict[int, set[date]]]:
    since = now - window
    # A literal id list lets the database walk each member's own events (member, time
    # index) instead of the whole community's year.
    rows = await session.execute(
        select(ProgressEvent.member_id, ProgressEvent.occurred_at).where(
            ProgressEvent.member_id.in_(member_ids),
            ProgressEvent.community_id == community_id,
            ProgressEvent.kind.in_(ACTIVE_KINDS),
            ProgressEvent.occurred_at >= since,
        )
    )
    days: dict[int, set[date]] = defaultdict(set)
    for mid, at in rows:
        days[mid].add(local_date(at, zones[mid]))
    away = await session.execute(
        select(Vacation.member_id, Vacation.starts_at, Vacation.ends_at).where(
            Vacation.community_id == community_id,
            Vacation.ends_at >= since,
            Vacation.member_id.in_(member_ids),
        )
    )
    frozen: dict[int, set[date]] = defaultdict(set)
    for mid, starts, ends in away:
        day, last = (
            local_date(max(starts, since), zones[mid]),
            local_date(min(ends, now), zones[mid]),
        )
        while day <= last:
            frozen[mid].add(day)
            day += timedelta(days=1)
    return days, frozen
