"""Study time: logged with /log, measured by focus sessions, or told in a weekly check-in.

How hours are counted, decided once (the README's "Study time" says the same):
- A log or a finished focus session counts at the moment it ended.
- A check-in's hours count for its week, the seven days up to the day it closes (placed in
  their middle), when nothing finer (a log or a focus session) was recorded in that week;
  answers less than half a week apart count once (the larger, if they answered in two
  groups).
  So nothing is ever counted twice."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Checkin,
    FocusSession,
    FocusStatus,
    Group,
    Member,
    StepStatus,
    StudyLog,
    StudySource,
)
from bot.errors import UserError
from bot.markup import code
from bot.roadmap.catalog import PlacedStep, Track
from bot.services import learners, progress

MAX_LOG_MINUTES = 12 * 60  # one log; more than that in one go is a typo
FOCUS_DEFAULT = 25
FOCUS_MIN, FOCUS_MAX = 5, 180
CHECKIN_COVERS = timedelta(days=7)
CHECKIN_CLOSES_AFTER = timedelta(days=2)  # a check-in window closes two days after it opens
DURATION_EXAMPLES = "`45m`, `1h30`, `1.5h` or `90`"

_DURATION = re.compile(
    r"(?:(?P<h>[0-9]{1,2}(?:[.,][0-9]{1,2})?)\s*h(?:ours?|rs?)?\s*(?:(?P<hm>[0-9]{1,2})\s*(?:m(?:in(?:utes?|s)?)?)?)?"
    r"|(?P<m>[0-9]{1,3})\s*(?:m(?:in(?:utes?|s)?)?)?"
    r"|(?P<ch>[0-9]{1,2}):(?P<cm>[0-5][0-9]))",
    re.IGNORECASE,
)


def parse_duration(text: str) -> int:
    """Minutes from `45m`, `1h30`, `1h 30m`, `1.5h`, `2h`, `1:30` or plain minutes (`90`).
    ASCII digits only; from 1 minute to 12 hours."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        msg = f"{code(text.strip())} isn't a duration I understand. Try {DURATION_EXAMPLES}."
        raise UserError(msg)
    if match["h"] is not None:
        minutes = round(float(match["h"].replace(",", ".")) * 60) + int(match["hm"] or 0)
    elif match["ch"] is not None:
        minutes = int(match["ch"]) * 60 + int(match["cm"])
    else:
        minutes = int(match["m"])
    if not 1 <= minutes <= MAX_LOG_MINUTES:
        msg = (
            f"A log is between 1 minute and {MAX_LOG_MINUTES // 60} hours; "
            f"log a long day in parts. Try {DURATION_EXAMPLES}."
        )
        raise UserError(msg)
    return minutes


async def log(
    session: AsyncSession,
    member: Member,
    *,
    minutes: int,
    now: datetime,
    group: Group | None,
    track: Track,
    step: PlacedStep | None = None,
    note: str | None = None,
    source: StudySource = StudySource.LOG,
) -> StudyLog:
    """Record study time; a step it names counts as started (unless already done)."""
    if step is not None:
        before = (await progress.statuses(session, member, track.id)).get(step.id)
        if before in {None, StepStatus.NOT_STARTED, StepStatus.SKIPPED}:
            await progress.change_step(
                session,
                member,
                track_id=track.id,
                step_id=step.id,
                target=StepStatus.IN_PROGRESS,
                now=now,
            )
    entry = StudyLog(
        community_id=member.community_id,
        member_id=member.id,
        group_id=group.id if group is not None else None,
        track_id=track.id if step is not None else None,
        step_id=step.id if step is not None else None,
        minutes=minutes,
        source=source.value,
        note=note,
        occurred_at=now,
    )
    session.add(entry)
    await learners.studied(session, member, now)
    await session.flush()
    return entry


@dataclass(frozen=True)
class Studied:
    """An amount of study at a moment: a log, a focus session or a counted check-in."""

    at: datetime
    hours: float


async def studied(
    session: AsyncSession,
    community_id: int,
    member_ids: Iterable[int],
    *,
    since: datetime,
    until: datetime,
) -> dict[int, list[Studied]]:
    """Each member's study in [since, until), by the rules in this module's docstring."""
    ids = list(member_ids)
    found: dict[int, list[Studied]] = defaultdict(list)
    if not ids:
        return found
    logs = await session.execute(
        select(StudyLog.member_id, StudyLog.occurred_at, StudyLog.minutes).where(
            StudyLog.community_id == community_id,
            StudyLog.member_id.in_(ids),
            StudyLog.occurred_at >= since - CHECKIN_COVERS,
            StudyLog.occurred_at < until,
        )
    )
    logged: dict[int, list[datetime]] = defaultdict(list)
    for member_id, at, minutes in logs:
        logged[member_id].append(at)
        if at >= since:
            found[member_id].append(Studied(at, minutes / 60))
    # A check-in tells the hours of its week, the seven days up to the day it closes: they
    # are placed in the middle of that week, so an answer lands there whichever day it came.
    answers = await session.execute(
        select(Checkin.member_id, Checkin.submitted_at, Checkin.hours, Checkin.period)
        .where(
            Checkin.community_id == community_id,
            Checkin.member_id.in_(ids),
            Checkin.hours.is_not(None),
            Checkin.hours > 0,
            Checkin.submitted_at >= since - CHECKIN_COVERS,
            Checkin.submitted_at < until + CHECKIN_COVERS,
        )
        .order_by(Checkin.submitted_at)
    )
    counted: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for member_id, submitted, hours, period in answers:
        at = _middle_of_week(period, submitted)
        covered = (at - CHECKIN_COVERS / 2, at + CHECKIN_COVERS / 2)
        if hours is None or any(covered[0] < moment <= covered[1] for moment in logged[member_id]):
            continue  # finer records cover that week
        mine = counted[member_id]
        if mine and at - mine[-1][0] < CHECKIN_COVERS / 2:
            # Two answers for one week (two groups, say): the larger one counts.
            if hours > mine[-1][1]:
                mine[-1] = (at, float(hours))
            continue
        mine.append((at, float(hours)))
    for member_id, mine in counted.items():
        for at, hours in mine:
            if since <= at < until:
                found[member_id].append(Studied(at, hours))
    return found


def _middle_of_week(period: str, submitted: datetime) -> datetime:
    """The middle of the week a check-in answers: its window opens on `period` (a date) and
    closes two days later, so the week is the seven days up to that closing day's noon."""
    try:
        closing = date.fromisoformat(period) + CHECKIN_CLOSES_AFTER
    except ValueError:  # not a date: count it for the seven days before it was sent
        return submitted - CHECKIN_COVERS / 2
    return datetime.combine(closing, time(12), tzinfo=UTC) - CHECKIN_COVERS / 2


async def hours_by_member(
    session: AsyncSession,
    community_id: int,
    member_ids: Iterable[int],
    *,
    since: datetime,
    until: datetime,
) -> dict[int, float]:
    entries = await studied(session, community_id, member_ids, since=since, until=until)
    return {member_id: sum(e.hours for e in found) for member_id, found in entries.items()}


async def hours_on_steps(session: AsyncSession, member: Member, track_id: str) -> dict[str, float]:
    """Hours logged against each step of a track."""
    rows = await session.execute(
        select(StudyLog.step_id, func.sum(StudyLog.minutes))
        .where(
            StudyLog.community_id == member.community_id,
            StudyLog.member_id == member.id,
            StudyLog.track_id == track_id,
            StudyLog.step_id.is_not(None),
        )
        .group_by(StudyLog.step_id)
    )
    return {step_id: float(total) / 60 for step_id, total in rows if step_id is not None}


# Focus sessions -------------------------------------------------------------------------


async def running_focus(session: AsyncSession, member: Member) -> FocusSession | None:
    return await session.scalar(
        select(FocusSession).where(
            FocusSession.community_id == member.community_id,
            FocusSession.member_id == member.id,
            FocusSession.status == FocusStatus.RUNNING.value,
        )
    )


async def start_focus(
    session: AsyncSession,
    member: Member,
    *,
    minutes: int,
    now: datetime,
    group: Group | None,
    channel_id: str,
    track: Track,
    step: PlacedStep | None,
) -> FocusSession | None:
    """Start a focus session; None when one is already running (the database allows one
    running session per member, so two starts at once cannot both win)."""
    focus = FocusSession(
        community_id=member.community_id,
        member_id=member.id,
        group_id=group.id if group is not None else None,
        channel_id=channel_id,
        track_id=track.id,
        step_id=step.id if step is not None else None,
        minutes=minutes,
        status=FocusStatus.RUNNING.value,
        started_at=now,
        ends_at=now + timedelta(minutes=minutes),
    )
    try:
        async with session.begin_nested():
            session.add(focus)
    except IntegrityError:
        return None
    return focus


async def end_focus(
    session: AsyncSession, member: Member, focus: FocusSession, *, now: datetime, track: Track
) -> StudyLog | None:
    """End a running session (at its planned end, or now if that is earlier: stopped) and
    log the minutes it ran. Ending it twice logs nothing twice: only the caller that moves
    it out of `running` writes the log. None when it was already ended or ran under a
    minute."""
    ended = min(now, focus.ends_at)
    status = FocusStatus.FINISHED if ended >= focus.ends_at else FocusStatus.STOPPED
    moved = await session.execute(
        update(FocusSession)
        .where(FocusSession.id == focus.id, FocusSession.status == FocusStatus.RUNNING.value)
        .values(status=status.value, ended_at=ended)
        .execution_options(synchronize_session=False)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        return None
    focus.status, focus.ended_at = status.value, ended
    minutes = int((ended - focus.started_at).total_seconds() // 60)
    if minutes < 1:
        return None
    group = await session.get(Group, focus.group_id) if focus.group_id is not None else None
    step = track.get(focus.step_id) if focus.step_id else None
    return await log(
        session,
        member,
        minutes=minutes,
        now=ended,
        group=group,
        track=track,
        step=step,
        source=StudySource.FOCUS,
    )


async def focus_over(session: AsyncSession, now: datetime) -> list[FocusSession]:
    """Running sessions whose time is up, for the scheduler to end (index: status, ends)."""
    rows = await session.scalars(
        select(FocusSession).where(
            FocusSession.status == FocusStatus.RUNNING.value, FocusSession.ends_at <= now
        )
    )
    return list(rows)
