"""When a group posts and who hears: the one owner of a group's schedule and of the
member settings the scheduler reads (clock, quiet hours, reminders, role, time away).
Each change moves what is scheduled next (`upcoming`) in the same transaction and emits
an event, so a waiting scheduler wakes in time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Group, Member, Role
from bot.events import MemberClockChanged, ScheduleChanged, emit
from bot.services import upcoming


async def changed(session: AsyncSession, group: Group, *, now: datetime) -> None:
    """Call after changing any of the group's times, weekdays, cadence, timezone or
    track (a new group is scheduled by `tenancy.create_group`)."""
    await upcoming.group_changed(session, group, now=now)
    emit(session, ScheduleChanged(group.id))


async def pause(session: AsyncSession, group: Group, *, now: datetime) -> None:
    group.paused = True
    await upcoming.group_paused(session, group, now=now)
    emit(session, ScheduleChanged(group.id))


async def resume(session: AsyncSession, group: Group, *, now: datetime) -> None:
    if not group.paused:
        return
    group.paused = False
    await upcoming.group_resumed(session, group, now=now)
    emit(session, ScheduleChanged(group.id))


async def set_reminders(session: AsyncSession, member: Member, on: bool, *, now: datetime) -> None:
    member.reminders = on
    await _member_changed(session, member, now)


async def set_role(session: AsyncSession, member: Member, role: Role, *, now: datetime) -> None:
    member.role = role.value
    await _member_changed(session, member, now)


async def away_changed(session: AsyncSession, member: Member, *, now: datetime) -> None:
    """The member went away or came back: their nudges move."""
    await _member_changed(session, member, now)


async def _member_changed(session: AsyncSession, member: Member, now: datetime) -> None:
    await upcoming.member_clock_changed(session, member, now=now)
    emit(session, MemberClockChanged(member.id))


async def set_clock(
    session: AsyncSession,
    member: Member,
    *,
    now: datetime,
    timezone: str | None = None,
    quiet: tuple[int, int] | None = None,
) -> None:
    """A member's own timezone (now chosen) or quiet hours."""
    if timezone is not None:
        member.timezone = timezone
        member.timezone_chosen = True
    if quiet is not None:
        member.quiet_start, member.quiet_end = quiet
    await _member_changed(session, member, now)


async def adopt_group_clock(
    session: AsyncSession, member: Member, group: Group, *, now: datetime
) -> None:
    """A member who never chose a timezone keeps their group's clock."""
    if member.timezone_chosen or member.timezone == group.timezone:
        return
    member.timezone = group.timezone
    await _member_changed(session, member, now)
