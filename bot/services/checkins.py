"""Weekly check-ins: saved once per member per week, and able to mark steps done."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Checkin, Group, Member, StepStatus
from bot.roadmap.catalog import PlacedStep, Track
from bot.services import progress
from bot.services.progress import Outcome

WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class SavedCheckin:
    checkin: Checkin
    updated: bool
    marked_done: list[PlacedStep]


def steps_mentioned(track: Track, text: str | None) -> list[PlacedStep]:
    """Steps named by id in free text, in the order they appear."""
    found: list[PlacedStep] = []
    for word in WORD.findall((text or "").lower()):
        placed = track.get(word)
        if placed is not None and placed not in found:
            found.append(placed)
    return found


async def save(
    session: AsyncSession,
    *,
    group: Group,
    member: Member,
    track: Track,
    period: str,
    finished: str | None,
    next_up: str | None,
    blockers: str | None,
    hours: float | None,
    now: datetime,
) -> SavedCheckin:
    checkin = await session.scalar(
        select(Checkin).where(
            Checkin.community_id == member.community_id,
            Checkin.group_id == group.id,
            Checkin.member_id == member.id,
            Checkin.period == period,
        )
    )
    updated = checkin is not None
    if checkin is None:
        checkin = Checkin(
            community_id=member.community_id,
            group_id=group.id,
            member_id=member.id,
            period=period,
            submitted_at=now,
        )
        session.add(checkin)
    # A second check-in in the same week adds to the first rather than erasing it.
    checkin.finished = finished if finished is not None else checkin.finished
    checkin.next_up = next_up if next_up is not None else checkin.next_up
    checkin.blockers = blockers if blockers is not None else checkin.blockers
    checkin.hours = hours if hours is not None else checkin.hours
    checkin.submitted_at = now
    marked = []
    for placed in steps_mentioned(track, finished):
        change = await progress.change_step(
            session,
            member,
            track_id=track.id,
            step_id=placed.id,
            target=StepStatus.DONE,
            now=now,
            note="from a weekly check-in",
        )
        if change.outcome is Outcome.CHANGED:
            marked.append(placed)
    await session.flush()
    return SavedCheckin(checkin, updated, marked)


async def for_period(session: AsyncSession, group: Group, period: str) -> list[Checkin]:
    rows = await session.scalars(
        select(Checkin).where(
            Checkin.community_id == group.community_id,
            Checkin.group_id == group.id,
            Checkin.period == period,
        )
    )
    return list(rows)
