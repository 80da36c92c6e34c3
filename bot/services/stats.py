"""What a member's progress adds up to: per-phase counts, streaks and a pace forecast."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import EventKind, Member, ProgressEvent, StepProgress, StepStatus
from bot.roadmap.catalog import PlacedStep, Track
from bot.roadmap.schema import Phase
from bot.services import away
from bot.timeutil import local_date

ACTIVE_KINDS = (EventKind.STARTED.value, EventKind.DONE.value, EventKind.SKIPPED.value)
PACE_WINDOW = timedelta(days=28)
STREAK_LOOKBACK = timedelta(days=400)
FINISHED = {StepStatus.DONE, StepStatus.SKIPPED}


@dataclass(frozen=True)
class PhaseProgress:
    phase: Phase
    done: int
    skipped: int
    total: int

    @property
    def finished(self) -> bool:
        return self.done + self.skipped == self.total


@dataclass(frozen=True)
class TrackProgress:
    track: Track
    statuses: dict[str, StepStatus]
    phases: tuple[PhaseProgress, ...]

    def status(self, step_id: str) -> StepStatus:
        return self.statuses.get(step_id, StepStatus.NOT_STARTED)

    @property
    def done(self) -> int:
        return sum(p.done for p in self.phases)

    @property
    def skipped(self) -> int:
        return sum(p.skipped for p in self.phases)

    @property
    def total(self) -> int:
        return len(self.track.steps)

    @property
    def percent(self) -> int:
        counted = self.total - self.skipped
        return round(100 * self.done / counted) if counted else 100

    def in_progress(self) -> list[PlacedStep]:
        return [p for p in self.track.steps if self.status(p.id) is StepStatus.IN_PROGRESS]

    def next_step(self) -> PlacedStep | None:
        """The first step in roadmap order that is neither done nor skipped."""
        return next((p for p in self.track.steps if self.status(p.id) not in FINISHED), None)

    def remaining(self, steps: Iterable[PlacedStep]) -> list[PlacedStep]:
        return [p for p in steps if self.status(p.id) not in FINISHED]


def summarize(track: Track, statuses: dict[str, StepStatus]) -> TrackProgress:
    phases = []
    for phase in track.phases:
        ids = [step.id for step in phase.steps]
        phases.append(
            PhaseProgress(
                phase=phase,
                done=sum(statuses.get(i) is StepStatus.DONE for i in ids),
                skipped=sum(statuses.get(i) is StepStatus.SKIPPED for i in ids),
                total=len(ids),
            )
        )
    return TrackProgress(track, statuses, tuple(phases))


def streak_length(
    active_days: set[date], today: date, frozen: Collection[date] = frozenset()
) -> int:
    """Consecutive active days up to today. A streak is still alive if yesterday was
    active and today is not yet: people get the whole day to keep it. Frozen days (on
    vacation) neither count nor break it."""
    day = today
    if day not in active_days:
        day -= timedelta(days=1)
    length = 0
    while True:
        while day in frozen and day not in active_days:
            day -= timedelta(days=1)
        if day not in active_days:
            return length
        length += 1
        day -= timedelta(days=1)


async def active_days(
    session: AsyncSession, member: Member, tz: ZoneInfo, *, since: datetime
) -> set[date]:
    rows = await session.scalars(
        select(ProgressEvent.occurred_at).where(
            ProgressEvent.community_id == member.community_id,
            ProgressEvent.member_id == member.id,
            ProgressEvent.kind.in_(ACTIVE_KINDS),
            ProgressEvent.occurred_at >= since,
        )
    )
    return {local_date(at, tz) for at in rows}


async def current_streak(session: AsyncSession, member: Member, tz: ZoneInfo, now: datetime) -> int:
    since = now - STREAK_LOOKBACK
    days = await active_days(session, member, tz, since=since)
    frozen = await away.away_days(session, member, tz, since=since, now=now)
    return streak_length(days, local_date(now, tz), frozen)


async def done_since(
    session: AsyncSession, member: Member, track_id: str, since: datetime
) -> list[str]:
    rows = await session.scalars(
        select(StepProgress.step_id).where(
            StepProgress.community_id == member.community_id,
            StepProgress.member_id == member.id,
            StepProgress.track_id == track_id,
            StepProgress.status == StepStatus.DONE.value,
            StepProgress.completed_at >= since,
        )
    )
    return list(rows)


@dataclass(frozen=True)
class Forecast:
    hours_per_week: float
    phase: Phase | None
    phase_finish: date | None
    track_finish: date | None


def forecast(progress: TrackProgress, recent_done: Iterable[str], today: date) -> Forecast | None:
    """When the current phase and the whole track would be finished at the pace of the
    last four weeks, measured in estimated study hours. None with no recent progress."""
    hours = sum(
        placed.step.hours for i in recent_done if (placed := progress.track.get(i)) is not None
    )
    if hours <= 0:
        return None
    per_day = hours / PACE_WINDOW.days
    nxt = progress.next_step()
    if nxt is None:
        return Forecast(per_day * 7, None, None, None)
    phase_left = progress.remaining(progress.track.phase_steps(nxt.phase.id))
    track_left = progress.remaining(progress.track.steps)

    def finish(steps: list[PlacedStep]) -> date:
        return today + timedelta(days=math.ceil(sum(p.step.hours for p in steps) / per_day))

    return Forecast(per_day * 7, nxt.phase, finish(phase_left), finish(track_left))
