"""What is scheduled next: the one owner of the `upcoming` table.

Each group has a row for its posts, each group member a row for their check-in reminders in
that group, and each member a row for their nudges. A row's `due_at` is never later than
the next thing really due for it, so a sweep reads only rows whose time has come (one
indexed query) and costs what is due, not what exists. Whatever could bring something
earlier moves the row to now: a group's schedule changing, a member joining, a member's
clock or quiet hours changing. Things that only make a post later or unneeded (a member
acting, checking in, turning reminders off) need no write here: the sweep finds out when
the row comes due, and moves it on.

Taking rows is a lease: `due_at` moves a few minutes ahead while one process works on
them, and on PostgreSQL rows are taken `FOR UPDATE SKIP LOCKED`, so several processes
share a fan-out without taking the same row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import SessionFactory
from bot.db.models import Community, Group, Member, Upcoming, UpcomingKind
from bot.db.upsert import insert_ignoring

NEVER = datetime(9999, 1, 1, tzinfo=UTC)  # a paused group's rows, until it resumes


def posts_scope(group_id: int) -> str:
    return f"posts:g{group_id}"


def reminders_scope(group_id: int, member_id: int) -> str:
    return f"reminders:g{group_id}:m{member_id}"


def nudges_scope(member_id: int) -> str:
    return f"nudges:m{member_id}"


async def add_group(session: AsyncSession, group: Group, *, now: datetime) -> None:
    """A new group's posts, read from the calendar at the next sweep."""
    community = await session.get(Community, group.community_id)
    platform = community.platform if community else ""
    await _add(session, [(posts_scope(group.id), UpcomingKind.POSTS, group, None)], platform, now)


async def add_member(session: AsyncSession, group: Group, member: Member, *, now: datetime) -> None:
    """A member who joined `group`: their reminders there, and their nudges (one row,
    whatever their groups)."""
    community = await session.get(Community, group.community_id)
    platform = community.platform if community else ""
    rows = [
        (reminders_scope(group.id, member.id), UpcomingKind.REMINDERS, group, member),
        (nudges_scope(member.id), UpcomingKind.NUDGES, None, member),
    ]
    await _add(session, rows, platform, now)


async def _add(
    session: AsyncSession,
    rows: Iterable[tuple[str, UpcomingKind, Group | None, Member | None]],
    platform: str,
    now: datetime,
) -> None:
    values = [
        {
            "scope": scope,
            "kind": kind.value,
            "platform": platform,
            "community_id": (group or member).community_id,  # type: ignore[union-attr]
            "group_id": group.id if group else None,
            "member_id": member.id if member else None,
            "due_at": now,
        }
        for scope, kind, group, member in rows
    ]
    await session.execute(insert_ignoring(session, Upcoming).values(values))


async def group_changed(session: AsyncSession, group: Group, *, now: datetime) -> None:
    """The group's schedule changed: read its calendar again at the next sweep (from where
    it was read up to, so nothing already due is posted twice or missed)."""
    await session.execute(
        update(Upcoming)
        .where(Upcoming.group_id == group.id, Upcoming.community_id == group.community_id)
        .values(due_at=now)
        .execution_options(synchronize_session=False)
    )


async def group_paused(session: AsyncSession, group: Group, *, now: datetime) -> None:
    """Nothing of the group's is due until it resumes."""
    await session.execute(
        update(Upcoming)
        .where(Upcoming.group_id == group.id, Upcoming.community_id == group.community_id)
        .values(due_at=NEVER, checked_through=now)
        .execution_options(synchronize_session=False)
    )


async def group_resumed(session: AsyncSession, group: Group, *, now: datetime) -> None:
    """Back on: posts resume at their next time; what fell in the pause is not sent."""
    await session.execute(
        update(Upcoming)
        .where(Upcoming.group_id == group.id, Upcoming.community_id == group.community_id)
        .values(due_at=now, checked_through=now)
        .execution_options(synchronize_session=False)
    )


async def member_clock_changed(session: AsyncSession, member: Member, *, now: datetime) -> None:
    """The member's timezone or quiet hours changed, so a reminder or nudge may now come
    earlier than planned: read their rows again at the next sweep."""
    await session.execute(
        update(Upcoming)
        .where(
            Upcoming.member_id == member.id,
            Upcoming.community_id == member.community_id,
            Upcoming.due_at > now,
        )
        .values(due_at=now)
        .execution_options(synchronize_session=False)
    )


async def take_due(
    sessions: SessionFactory,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    platforms: Sequence[str] | None = None,
) -> list[Upcoming]:
    """Up to `limit` rows due by `now`, earliest first, leased to the caller until
    `now + lease` (rows another process holds locked are skipped on PostgreSQL)."""
    query = select(Upcoming).where(Upcoming.due_at <= now)
    if platforms is not None:
        query = query.where(Upcoming.platform.in_(platforms))
    query = query.order_by(Upcoming.due_at).limit(limit).with_for_update(skip_locked=True)
    async with sessions() as session, session.begin():
        rows = list(await session.scalars(query))
        if rows:
            await session.execute(
                update(Upcoming)
                .where(Upcoming.id.in_([row.id for row in rows]))
                .values(due_at=now + lease)
                .execution_options(synchronize_session=False)
            )
    return rows


@dataclass(frozen=True)
class Moved:
    """Where a sweep leaves a row: read up to `checked_through`, next due at `due_at`."""

    row_id: int
    checked_through: datetime
    due_at: datetime


async def move_on(sessions: SessionFactory, moves: Sequence[Moved]) -> None:
    if not moves:
        return
    async with sessions() as session, session.begin():
        await session.execute(
            update(Upcoming),
            [
                {"id": m.row_id, "checked_through": m.checked_through, "due_at": m.due_at}
                for m in moves
            ],
        )


async def next_due(
    sessions: SessionFactory, platforms: Sequence[str] | None = None
) -> datetime | None:
    """When the earliest row comes due (one indexed read)."""
    query = select(func.min(Upcoming.due_at))
    if platforms is not None:
        query = query.where(Upcoming.platform.in_(platforms))
    async with sessions() as session:
        found = await session.scalar(query)
    if found is None:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)
