"""What a member's study adds up to: per-phase counts and a pace forecast (streaks are
counted by `bot.services.streaks`). The README's "How Cohort behaves" states the same rules."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, StepProgress, StepStatus
from bot.roadmap.catalog import PlacedStep, Track
from bot.roadmap.schema import Phase
from bot.services import study

PACE_WEEKS = 4
WEEK = timedelta(days=7)
VARIES = 0.25  # weeks whose spread exceeds a quarter of the pace give a range of dates
FINISHED = {StepStatus.DONE, StepStatus.SKIPPED}


@dataclass(frozen=True)
class PhaseProgress:
    """A phase's steps on the member's own path: every step that is not optional, and
    the optional ones they started (a specialisation they picked); `total` counts those."""

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
        """Steps on the member's path: optional ones count once started."""
        return sum(p.total for p in self.phases)

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

    def ahead(self, steps: Iterable[PlacedStep]) -> list[PlacedStep]:
        """The steps still ahead on this member's own path: unfinished, and optional ones
        (a specialisation they did not pick, a certification) only once started."""
        return [
            p
            for p in self.remaining(steps)
            if not p.step.optional or self.status(p.id) is StepStatus.IN_PROGRESS
        ]


def summarize(track: Track, statuses: dict[str, StepStatus]) -> TrackProgress:
    phases = []
    for phase in track.phases:
        ids = [
            step.id
            for step in phase.steps
            if not step.optional
            or statuses.get(step.id, StepStatus.NOT_STARTED) is not StepStatus.NOT_STARTED
        ]
        phases.append(
            PhaseProgress(
                phase=phase,
                done=sum(statuses.get(i) is StepStatus.DONE for i in ids),
                skipped=sum(statuses.get(i) is StepStatus.SKIPPED for i in ids),
                total=len(ids),
            )
        )
    return TrackProgress(track, statuses, tuple(phases))


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


# Pace and forecast -----------------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    """Study hours in each of the (up to four) whole weeks since the member began, oldest
    first. Weeks count from the moment of their first study action."""

    weeks: tuple[float, ...]

    @property
    def per_week(self) -> float:
        return statistics.fmean(self.weeks) if self.weeks else 0.0

    @property
    def spread(self) -> float:
        return statistics.pstdev(self.weeks) if len(self.weeks) > 1 else 0.0

    @property
    def varies(self) -> bool:
        return self.per_week > 0 and self.spread > VARIES * self.per_week

    def band(self) -> tuple[float, float]:
        """The slow and fast paces a range of dates is drawn from: one spread either side,
        never slower than a third of the pace."""
        if not self.varies:
            return self.per_week, self.per_week
        slow = max(self.per_week - self.spread, self.per_week / 3)
        return slow, self.per_week + self.spread


def pace_weeks(began: datetime | None, now: datetime) -> list[tuple[datetime, datetime]]:
    """The whole weeks (start, end) since `began` that pace is measured over: the last
    four at most, oldest first. None yet in a member's first seven days."""
    if began is None or now - began < WEEK:
        return []
    whole = int((now - began) / WEEK)
    first = max(0, whole - PACE_WEEKS)
    return [(began + WEEK * i, began + WEEK * (i + 1)) for i in range(first, whole)]


async def pace(session: AsyncSession, member: Member, now: datetime) -> Pace:
    weeks = pace_weeks(member.began_at, now)
    if not weeks:
        return Pace(())
    found = await study.studied(
        session, member.community_id, [member.id], since=weeks[0][0], until=weeks[-1][1]
    )
    entries = found.get(member.id, [])
    return Pace(tuple(sum(e.hours for e in entries if start <= e.at < end) for start, end in weeks))


@dataclass(frozen=True)
class Finish:
    hours_left: float
    earliest: date
    latest: date  # the same as earliest unless the member's weeks vary


@dataclass(frozen=True)
class Forecast:
    pace: Pace
    phase: Phase | None
    phase_finish: Finish | None
    track_finish: Finish | None


def hours_ahead(steps: Iterable[PlacedStep], logged: dict[str, float]) -> float:
    """Estimated hours of `steps`, less what was already logged on each."""
    return sum(max(p.step.hours - logged.get(p.id, 0.0), 0.0) for p in steps)


def forecast(
    progress: TrackProgress, pace_: Pace, logged: dict[str, float], today: date
) -> Forecast | None:
    """When the current phase and the member's whole path would be done at their pace.
    None without a pace (less than a week of data, or no study in those weeks)."""
    if pace_.per_week <= 0:
        return None
    nxt = next(iter(progress.ahead(progress.track.steps)), None)
    if nxt is None:
        return Forecast(pace_, None, None, None)
    slow, fast = pace_.band()

    def finish(steps: list[PlacedStep]) -> Finish:
        left = hours_ahead(steps, logged)
        return Finish(
            left,
            today + timedelta(days=math.ceil(left / fast * 7)),
            today + timedelta(days=math.ceil(left / slow * 7)),
        )

    phase_steps = progress.ahead(progress.track.phase_steps(nxt.phase.id))
    return Forecast(
        pace_, nxt.phase, finish(phase_steps), finish(progress.ahead(progress.track.steps))
    )
