"""What is scheduled next: the one owner of the `upcoming` table.

Each group has a row for its posts, each group member a row for their check-in reminders in
that group, and each member a row for their nudges. A row's `due_at` is never later than
the next thing really due for it, so a sweep reads only rows whose time has come (one
indexed query) and costs what is due, not what exists. Whatever could bring something
earlier moves the row to now: a group's schedule changing or resuming, a member joining,
their clock, quiet hours, reminders or role changing. Things that only make a post later
or unneeded (a learner acting, checking in, turning reminders off) need no write here:
the sweep finds out when the row comes due, and moves it on. A row with nothing ahead
(a paused group; a member who is no learner, has reminders off, or went quiet after the
last nudge) is parked at `NEVER` until one of those changes, or the member studies.

Taking rows is a lease: `due_at` moves a few minutes ahead while one process works on
them, and on PostgreSQL rows are taken `FOR UPDATE SKIP LOCKED`, so several processes
share a fan-out without taking the same row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Table, and_, bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import SessionFactory
from bot.db.models import Community, Group, GroupMember, Member, Upcoming, UpcomingKind
from bot.db.upsert import insert_ignoring

NEVER = datetime(9999, 1, 1, tzinfo=UTC)  # a parked row: nothing ahead until a change
LOOKBACK = timedelta(days=2)  # how far back a (re)started bot, or a changed row, looks


def posts_scope(group_id: int) -> str:
    return f"posts:g{group_id}"


def reminders_scope(group_id: int, member_id: int) -> str:
    return f"reminders:g{group_id}:m{member_id}"


def nudges_scope(member_id: int) -> str:
    return f"nudges:m{member_id}"


def help_scope(request_id: int) -> str:
    return f"help:r{request_id}"


def request_of(scope: str) -> int | None:
    """The help request a `help_scope` row is for (None for any other row)."""
    head, _, tail = scope.partition(":r")
    return int(tail) if head == "help" and tail.isdigit() else None


def reviews_scope(member_id: int) -> str:
    return f"reviews:m{member_id}"


async def help_changed(
    session: AsyncSession, request_id: int, community_id: int, group: Group, *, now: datetime
) -> None:
    """A help request was made, offered or solved: read it at the next sweep (its post,
    mentors' DMs and news for the asker are claimed, so nothing goes twice)."""
    community = await session.get(Community, community_id)
    platform = community.platform if community else ""
    await session.execute(
        insert_ignoring(session, Upcoming).values(
            scope=help_scope(request_id),
            kind=UpcomingKind.HELP.value,
            platform=platform,
            community_id=community_id,
            group_id=group.id,
            member_id=None,
            due_at=now,
        )
    )
    await _sooner(session, Upcoming.scope == help_scope(request_id), now)


async def reviews_changed(session: AsyncSession, member: Member, *, now: datetime) -> None:
    """The member has review questions coming (a step finished, review turned on): read
    their review row at the next sweep."""
    community = await session.get(Community, member.community_id)
    platform = community.platform if community else ""
    await _add(
        session, [(reviews_scope(member.id), UpcomingKind.REVIEWS, None, member)], platform, now
    )
    await _sooner(session, Upcoming.scope == reviews_scope(member.id), now)


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
    # A new group: nudges and reviews come from the member's first active group.
    await _sooner(
        session, Upcoming.scope.in_([nudges_scope(member.id), reviews_scope(member.id)]), now
    )


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
    """Back on: posts resume at their next time; what fell in the pause is not sent. Its
    members' nudges and reviews (which come from their first active group) are read again
    too."""
    await session.execute(
        update(Upcoming)
        .where(Upcoming.group_id == group.id, Upcoming.community_id == group.community_id)
        .values(due_at=now, checked_through=now)
        .execution_options(synchronize_session=False)
    )
    members = select(GroupMember.member_id).where(GroupMember.group_id == group.id)
    await _sooner(
        session,
        and_(
            Upcoming.kind.in_([UpcomingKind.NUDGES.value, UpcomingKind.REVIEWS.value]),
            Upcoming.community_id == group.community_id,
            Upcoming.member_id.in_(members),
        ),
        now,
    )


async def member_clock_changed(session: AsyncSession, member: Member, *, now: datetime) -> None:
    """The member's timezone, quiet hours, reminders, role or time away changed, so a
    reminder or nudge may now come earlier than planned, or again: read their rows again
    at the next sweep, back to what is still useful (claims keep anything sent from going
    twice)."""
    await _sooner(
        session,
        and_(Upcoming.member_id == member.id, Upcoming.community_id == member.community_id),
        now,
        reread=True,
    )


async def member_active(session: AsyncSession, member: Member, *, now: datetime) -> None:
    """The member studied: rows parked because they were not a learner yet or had gone
    quiet are read again, back to what is still useful. One indexed update."""
    await session.execute(
        update(Upcoming)
        .where(
            Upcoming.member_id == member.id,
            Upcoming.community_id == member.community_id,
            Upcoming.due_at >= NEVER,
        )
        .values(due_at=now, checked_through=_reread_from(now))
        .execution_options(synchronize_session=False)
    )


def _reread_from(now: datetime) -> ColumnElement[datetime]:
    """`checked_through` moved back by at most the look-back, never forward."""
    back = now - LOOKBACK
    return case(
        (Upcoming.checked_through.is_(None), None),
        (Upcoming.checked_through > back, back),
        else_=Upcoming.checked_through,
    )


async def _sooner(
    session: AsyncSession, which: ColumnElement[bool], now: datetime, *, reread: bool = False
) -> None:
    values: dict[str, object] = {"due_at": now}
    if reread:
        values["checked_through"] = _reread_from(now)
    await session.execute(
        update(Upcoming)
        .where(which, Upcoming.due_at > now)
        .values(**values)
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
    `now + lease` (rows another process holds locked are skipped on PostgreSQL). The rows
    returned still hold the due time they had; the lease is `now + lease`."""
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


async def renew(
    sessions: SessionFactory, row_ids: Sequence[int], *, held: datetime, until: datetime
) -> None:
    """Extend the lease on rows still being worked on (those still at `held`)."""
    if not row_ids:
        return
    async with sessions() as session, session.begin():
        await session.execute(
            update(Upcoming)
            .where(Upcoming.id.in_(row_ids), Upcoming.due_at == held)
            .values(due_at=until)
            .execution_options(synchronize_session=False)
        )


@dataclass(frozen=True)
class Moved:
    """Where a sweep leaves a row: read up to `checked_through`, next due at `due_at`."""

    row_id: int
    checked_through: datetime
    due_at: datetime


async def move_on(sessions: SessionFactory, moves: Sequence[Moved], *, held: datetime) -> None:
    """Leave each row where its sweep got to. A row whose lease (`held`) was changed
    meanwhile (its schedule changed, its member acted) keeps the sooner due time."""
    if not moves:
        return
    table = Upcoming.__table__
    assert isinstance(table, Table)
    instant = table.c.due_at.type
    due = bindparam("due", type_=instant)
    statement = (
        update(table)
        .where(table.c.id == bindparam("row"))
        .values(
            checked_through=bindparam("checked", type_=instant),
            due_at=case(
                (table.c.due_at == bindparam("held", type_=instant), due),
                (table.c.due_at < due, table.c.due_at),
                else_=due,
            ),
        )
    )
    async with sessions() as session, session.begin():
        await session.execute(
            statement,
            [
                {"row": m.row_id, "checked": m.checked_through, "due": m.due_at, "held": held}
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


async def dm_due_between(
    session: AsyncSession, member: Member, *, after: datetime, before: datetime
) -> bool:
    """Whether one of the member's reminders or nudges is due in (after, before)."""
    found = await session.scalar(
        select(func.count())
        .select_from(Upcoming)
        .where(
            Upcoming.community_id == member.community_id,
            Upcoming.member_id == member.id,
            Upcoming.kind.in_([UpcomingKind.REMINDERS.value, UpcomingKind.NUDGES.value]),
            Upcoming.due_at > after,
            Upcoming.due_at < before,
        )
    )
    return bool(found)
