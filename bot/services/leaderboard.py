"""Group leaderboards: steps finished or hours studied in a period, Kaggle attempts, or the
longest current streaks.
Members who chose to be hidden never appear."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import (
    GroupMember,
    HelpOffer,
    HelpRequest,
    KaggleAttempt,
    Member,
    StepProgress,
    StepStatus,
)
from bot.services import privacy, streaks, study


class Metric(StrEnum):
    STEPS = "steps"
    HOURS = "hours"
    STREAK = "streak"
    KAGGLE = "kaggle"
    HELPED = "helped"  # the group's help requests they said "I'll help" to


class Period(StrEnum):
    WEEK = "week"  # since Monday, in the group's timezone
    MONTH = "month"  # the last 30 days, so a month never shows less than a week
    ALL = "all"


MONTH_DAYS = 30


@dataclass(frozen=True)
class Standing:
    rank: int
    member_id: int
    name: str
    value: float  # steps, attempts or streak days are whole; hours are not


EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def rank_standings(rows: Iterable[tuple[int, str, float]]) -> list[Standing]:
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
    study days (kept as members act, never the events) of the members the first statement
    found."""
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
    elif metric is Metric.HELPED:
        offers = [HelpOffer.community_id == community_id]
        if group_id is not None:  # help with this group's questions
            asked_here = select(HelpRequest.id).where(
                HelpRequest.community_id == community_id, HelpRequest.group_id == group_id
            )
            offers.append(HelpOffer.request_id.in_(asked_here))
        rows = await _count_per_member(
            session,
            eligible,
            since,
            member_id=HelpOffer.member_id,
            at=HelpOffer.offered_at,
            where=offers,
        )
    else:
        members = {mid: (name, tz) for mid, name, tz in await session.execute(eligible)}
        rows = await _per_member(session, community_id, members, metric, since, now)
    return rank_standings(row for row in rows if row[2] > 0)


async def _per_member(
    session: AsyncSession,
    community_id: int,
    members: dict[int, tuple[str, str]],
    metric: Metric,
    since: datetime | None,
    now: datetime,
) -> list[tuple[int, str, float]]:
    """Streaks or study hours of the members one statement found (see `leaderboard`)."""
    if not members:
        return []
    if metric is Metric.HOURS:
        hours = await study.hours_by_member(
            session, community_id, members, since=since or EPOCH, until=now + timedelta(seconds=1)
        )
        return [(mid, members[mid][0], round(value, 1)) for mid, value in hours.items()]
    zones = {mid: ZoneInfo(tz) for mid, (_, tz) in members.items()}
    found = await streaks.streaks(session, community_id, zones, now)
    return [(mid, members[mid][0], streak.days) for mid, streak in found.items()]


async def _count_per_member(
    session: AsyncSession,
    eligible: Select[int, str, str],
    since: datetime | None,
    *,
    member_id: InstrumentedAttribute[int],
    at: InstrumentedAttribute[datetime | None] | InstrumentedAttribute[datetime],
    where: list[ColumnElement[bool]],
) -> list[tuple[int, str, float]]:
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
