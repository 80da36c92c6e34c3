"""Moving a member through the steps of a track. Each change updates the step's state
and appends an event, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import EventKind, Member, ProgressEvent, StepProgress, StepStatus
from bot.services import learners, review

EVENT_FOR = {
    StepStatus.IN_PROGRESS: EventKind.STARTED,
    StepStatus.DONE: EventKind.DONE,
    StepStatus.SKIPPED: EventKind.SKIPPED,
    StepStatus.NOT_STARTED: EventKind.RESET,
}


class Outcome(Enum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # already in the asked-for state: nothing written
    BLOCKED = "blocked"  # a finished step must be reset before it is started or skipped


def outcome_of(before: StepStatus, target: StepStatus) -> Outcome:
    if before is target:
        return Outcome.UNCHANGED
    if before is StepStatus.DONE and target in {StepStatus.IN_PROGRESS, StepStatus.SKIPPED}:
        return Outcome.BLOCKED
    return Outcome.CHANGED


@dataclass(frozen=True)
class StepChange:
    step_id: str
    before: StepStatus
    after: StepStatus
    outcome: Outcome


async def statuses(session: AsyncSession, member: Member, track_id: str) -> dict[str, StepStatus]:
    rows = await session.execute(
        select(StepProgress.step_id, StepProgress.status).where(
            StepProgress.community_id == member.community_id,
            StepProgress.member_id == member.id,
            StepProgress.track_id == track_id,
        )
    )
    return {step_id: StepStatus(status) for step_id, status in rows}


async def change_step(
    session: AsyncSession,
    member: Member,
    *,
    track_id: str,
    step_id: str,
    target: StepStatus,
    now: datetime,
    note: str | None = None,
) -> StepChange:
    row = await session.scalar(
        select(StepProgress).where(
            StepProgress.community_id == member.community_id,
            StepProgress.member_id == member.id,
            StepProgress.track_id == track_id,
            StepProgress.step_id == step_id,
        )
    )
    before = StepStatus(row.status) if row is not None else StepStatus.NOT_STARTED
    outcome = outcome_of(before, target)
    if outcome is not Outcome.CHANGED:
        return StepChange(step_id, before, before, outcome)
    if row is None:
        row = StepProgress(
            community_id=member.community_id,
            member_id=member.id,
            track_id=track_id,
            step_id=step_id,
            status=target.value,
            updated_at=now,
        )
        session.add(row)
    row.status = target.value
    row.updated_at = now
    if target is StepStatus.IN_PROGRESS:
        row.started_at = now
        row.completed_at = None
    elif target is StepStatus.DONE:
        row.started_at = row.started_at or now
        row.completed_at = now
        row.note = note
    elif target is StepStatus.SKIPPED:
        row.completed_at = now
    else:
        row.started_at = row.completed_at = row.note = None
    session.add(
        ProgressEvent(
            community_id=member.community_id,
            member_id=member.id,
            track_id=track_id,
            step_id=step_id,
            kind=EVENT_FOR[target].value,
            note=note,
            occurred_at=now,
        )
    )
    if target is not StepStatus.NOT_STARTED:  # moving a step is studying; resetting one is not
        await learners.studied(session, member, now)
    if target is StepStatus.DONE:  # what was learned comes back for review
        await review.step_done(session, member, track_id=track_id, step_id=step_id, now=now)
    await session.flush()
    return StepChange(step_id, before, target, Outcome.CHANGED)
