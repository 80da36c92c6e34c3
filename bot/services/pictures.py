"""Pictures in replies and posts: whether one is wanted, the data each card shows, and the
card drawn (in a worker thread) as an image with alt text.

Whether a picture goes with a reply, decided once: a group that turned pictures off
(`/group images off`) gets none in anything posted or answered in it, whoever asks; a
member who turned them off (`/me images off`) gets none in their own replies. Everything
a picture shows is also in the reply's text, so nothing is lost without it.

The variant follows the platform: dark on Discord (its default theme), light on Slack and
in the console. A card that cannot be drawn is left out (and logged), never the reply.

Hidden members never appear on a card: `/progress` draws someone else's card only for a
member `privacy` lets be named (it refuses the others before anything is drawn), the
leaderboard service lists visible members only, and the week at a glance counts everyone
without naming anyone."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import inspect as inspected
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstanceState

from bot import cards
from bot.cards import LeaderboardCard, PhaseBar, ProgressCard, WeekCard, WeekDay
from bot.db.models import Community, Group, Member, StepProgress, StepStatus
from bot.messages import Image, Platform
from bot.services import streaks, study
from bot.services.stats import TrackProgress
from bot.timeutil import local_date, start_of_week

log = logging.getLogger(__name__)

CALENDAR_WEEKS = cards.progress.WEEKS


# --- whether a picture goes with a reply ---------------------------------------------------


async def wanted(session: AsyncSession, member: Member | None, group: Group | None) -> bool:
    """Whether a reply to `member` (None: a post to the group) in `group` (None: outside
    any group) carries a picture."""
    if group is not None and not await _flag(session, group):
        return False
    return member is None or await _flag(session, member)


async def _flag(session: AsyncSession, row: Member | Group) -> bool:
    """The row's `images` setting, read from the database when the row was just written
    (its server default is not loaded back: see `bot.db.models.Member`)."""
    state = cast("InstanceState[Member | Group]", inspected(row))
    if "images" in state.unloaded:
        table = type(row)
        found = await session.scalar(select(table.images).where(table.id == row.id))
        return True if found is None else bool(found)
    return bool(row.images)


async def platform_of(session: AsyncSession, community_id: int) -> Platform:
    found = await session.scalar(select(Community.platform).where(Community.id == community_id))
    try:
        return Platform(found or Platform.CONSOLE.value)
    except ValueError:
        return Platform.CONSOLE


async def drawn(card: cards.Card, platform: Platform) -> Image | None:
    """`card` drawn in a worker thread in the platform's variant; None if it fails."""
    try:
        return await cards.picture(card, cards.theme_for(platform))
    except Exception:
        log.exception("could not draw a %s", type(card).__name__)
        return None


@dataclass(frozen=True)
class CardSketch:
    """A command's card, to be drawn once its answer has gone out (`bot.messages.Sketch`):
    everything it shows is read inside the command's transaction; drawing it waits for
    neither the member nor the database."""

    card: cards.Card
    platform: Platform

    async def draw(self) -> Image | None:
        return await drawn(self.card, self.platform)


# --- the progress card ---------------------------------------------------------------------


async def progress_card(
    session: AsyncSession,
    member: Member,
    *,
    summary: TrackProgress,
    streak: streaks.Streak,
    hours_this_week: float,
    now: datetime,
) -> ProgressCard:
    """`member`'s progress card from what `/progress` already counted, and their study
    days of the last twelve weeks (on their own calendar)."""
    tz = ZoneInfo(member.timezone)
    today = local_date(now, tz)
    since = start_of_week(now, tz) - timedelta(weeks=CALENDAR_WEEKS - 1, days=1)
    days = await streaks.study_days(session, member.community_id, {member.id: tz}, since, now)
    nxt = summary.next_step()
    return ProgressCard(
        name=member.display_name or "You",
        track=summary.track.title,
        done=summary.done,
        total=summary.total,
        percent=summary.percent,
        phases=tuple(PhaseBar(p.phase.title, p.done, p.total - p.skipped) for p in summary.phases),
        streak_days=streak.days,
        freezes=streak.freezes,
        hours_this_week=hours_this_week,
        today=today,
        study_days=frozenset(days.get(member.id, set())),
        next_step=nxt.step.title if nxt is not None else None,
    )


# --- the week at a glance ------------------------------------------------------------------


async def week_card(
    session: AsyncSession,
    group: Group,
    *,
    learners: Sequence[Member],
    track_id: str,
    start: datetime,
    end: datetime,
    checked_in: int,
    expected: int,
) -> WeekCard:
    """The group's week `start` to `end`: study hours and steps finished by its learners
    on each of the seven local days (the group's timezone) that end on the day of `end`.
    What fell on the evening before the first of them counts with it, so the chart adds
    up to the summary's totals. Nobody is named, so hidden members count too."""
    tz = ZoneInfo(group.timezone)
    last = local_date(end, tz)
    days = [last - timedelta(days=offset) for offset in range(6, -1, -1)]
    ids = [m.id for m in learners]
    spent: dict[date, float] = dict.fromkeys(days, 0.0)
    found = await study.studied(session, group.community_id, ids, since=start, until=end)
    for entries in found.values():
        for entry in entries:
            spent[_on_chart(local_date(entry.at, tz), days)] += entry.hours
    steps: dict[date, int] = dict.fromkeys(days, 0)
    for at in await _finished_at(session, group, ids, track_id, start, end):
        steps[_on_chart(local_date(at, tz), days)] += 1
    return WeekCard(
        group=group.name,
        days=tuple(WeekDay(day, round(spent[day], 2), steps[day]) for day in days),
        checked_in=checked_in,
        expected=expected,
    )


def _on_chart(day: date, days: list[date]) -> date:
    return min(max(day, days[0]), days[-1])


async def _finished_at(
    session: AsyncSession,
    group: Group,
    member_ids: Iterable[int],
    track_id: str,
    start: datetime,
    end: datetime,
) -> list[datetime]:
    """When each step the members finished in (start, end] was finished."""
    ids = list(member_ids)
    if not ids:
        return []
    rows = await session.scalars(
        select(StepProgress.completed_at).where(
            StepProgress.community_id == group.community_id,
            StepProgress.member_id.in_(ids),
            StepProgress.track_id == track_id,
            StepProgress.status == StepStatus.DONE.value,
            StepProgress.completed_at > start,
            StepProgress.completed_at <= end,
        )
    )
    return [at for at in rows if at is not None]


# --- the leaderboard card ------------------------------------------------------------------


def leaderboard_card(
    *,
    title: str,
    period: str,
    where: str,
    entries: Sequence[cards.Entry],
    caller: cards.Entry | None,
    empty: str,
) -> LeaderboardCard:
    """The board as drawn: the top ten, and the caller's row when it is not among them."""
    top = tuple(entries[:10])
    shown = caller is not None and all(e.member_id != caller.member_id for e in top)
    below = caller if shown else None
    return LeaderboardCard(title, period, where, top, below, empty)
