"""Study groups: who is in them, who helps run them, and where they are on the roadmap."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.db.engine import chunked
from bot.db.models import (
    Checkin,
    Group,
    GroupAdmin,
    GroupMember,
    Member,
    ProgressEvent,
    StepProgress,
    StepStatus,
    StudyLog,
    Vacation,
)
from bot.ops.turns import Turns
from bot.roadmap.catalog import Track
from bot.roadmap.schema import Phase
from bot.services import learners
from bot.services.stats import summarize


async def members_of(session: AsyncSession, group: Group) -> list[Member]:
    rows = await session.scalars(
        select(Member)
        .join(GroupMember, GroupMember.member_id == Member.id)
        .where(GroupMember.group_id == group.id, Member.community_id == group.community_id)
        .order_by(Member.display_name)
    )
    return list(rows)


async def admins_of(session: AsyncSession, group: Group) -> list[Member]:
    """Members the group trusts with its admin commands, by name."""
    rows = await session.scalars(
        select(Member)
        .join(GroupAdmin, GroupAdmin.member_id == Member.id)
        .where(
            GroupAdmin.group_id == group.id,
            GroupAdmin.community_id == group.community_id,
            Member.community_id == group.community_id,
        )
        .order_by(Member.display_name)
    )
    return list(rows)


async def add_admin(session: AsyncSession, group: Group, member: Member, now: datetime) -> bool:
    """Let `member` run the group's admin commands; False if they already could."""
    if group.community_id != member.community_id:
        msg = "a group's admins come from its own community"
        raise ValueError(msg)
    exists = await session.scalar(
        select(GroupAdmin.member_id).where(
            GroupAdmin.community_id == group.community_id,
            GroupAdmin.group_id == group.id,
            GroupAdmin.member_id == member.id,
        )
    )
    if exists is not None:
        return False
    session.add(
        GroupAdmin(
            group_id=group.id, member_id=member.id, community_id=group.community_id, added_at=now
        )
    )
    await session.flush()
    return True


async def remove_admin(session: AsyncSession, group: Group, member: Member) -> bool:
    """Take `member` off the group's admin list; False if they were not on it."""
    removed = await session.execute(
        delete(GroupAdmin).where(
            GroupAdmin.community_id == group.community_id,
            GroupAdmin.group_id == group.id,
            GroupAdmin.member_id == member.id,
        )
    )
    return bool(removed.rowcount)  # type: ignore[attr-defined]


async def last_activity(session: AsyncSession, member: Member, now: datetime) -> datetime:
    """The member's last progress change, logged study time (a log or a focus session) or
    check-in, the end of their last vacation, or when they joined: silence is counted
    from the latest."""
    return (await last_activities(session, [member], now))[member.id]


class Joined(Protocol):
    """A member as `last_activities` reads them: a `Member`, or `_Learner` row values."""

    @property
    def id(self) -> int: ...
    @property
    def community_id(self) -> int: ...
    @property
    def joined_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class _Learner:
    """What counting the learners of many groups reads of each: their row's values, much
    cheaper than thousands of `Member` objects."""

    id: int
    community_id: int
    joined_at: datetime


async def last_activities(
    session: AsyncSession, members: Sequence[Joined], now: datetime
) -> dict[int, datetime]:
    """`last_activity` for many members at once (of one community or several): four
    queries for every few hundred members."""
    latest: dict[int, datetime] = {m.id: _aware(m.joined_at) for m in members}
    for chunk in chunked(list(members)):
        communities = list({m.community_id for m in chunk})
        ids = [m.id for m in chunk]
        queries = (
            select(ProgressEvent.member_id, func.max(ProgressEvent.occurred_at))
            .where(ProgressEvent.community_id.in_(communities), ProgressEvent.member_id.in_(ids))
            .group_by(ProgressEvent.member_id),
            select(StudyLog.member_id, func.max(StudyLog.occurred_at))
            .where(
                StudyLog.community_id.in_(communities),
                StudyLog.member_id.in_(ids),
                StudyLog.occurred_at <= now,
            )
            .group_by(StudyLog.member_id),
            select(Checkin.member_id, func.max(Checkin.submitted_at))
            .where(Checkin.community_id.in_(communities), Checkin.member_id.in_(ids))
            .group_by(Checkin.member_id),
            select(Vacation.member_id, func.max(Vacation.ends_at))
            .where(
                Vacation.community_id.in_(communities),
                Vacation.member_id.in_(ids),
                Vacation.ends_at <= now,
            )
            .group_by(Vacation.member_id),
        )
        for query in queries:
            for member_id, moment in (await session.execute(query)).all():
                if moment is not None:
                    latest[member_id] = max(latest[member_id], _aware(moment))
    return latest


def _aware(moment: datetime) -> datetime:
    # func.max() bypasses the column type on SQLite, so the UTC marker may be missing.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


async def learner_phases(
    session: AsyncSession, group: Group, track: Track, now: datetime
) -> Counter[str]:
    """How many of the group's learners are in each phase (the phase of the next step on
    their own path). Learners who went quiet (dormant) count only when nobody is active;
    organisers and members who never studied never count."""
    return (await learner_phases_of(session, {group.id: (group, track)}, now))[group.id]


async def learner_phases_of(
    session: AsyncSession, wanted: Mapping[int, tuple[Group, Track]], now: datetime
) -> dict[int, Counter[str]]:
    """`learner_phases` for many groups at once (by id, each with its track): six
    queries for every few hundred groups and their members, however many groups."""
    found: dict[int, Counter[str]] = {group_id: Counter() for group_id in wanted}
    studying: dict[int, list[_Learner]] = {group_id: [] for group_id in wanted}
    turns = Turns()  # thousands of learners: the loops below give way now and then
    for chunk in chunked(list(wanted)):
        # Each member through their primary key, their community checked here: joining
        # groups and members on their community instead let PostgreSQL, without fresh
        # statistics, pair every member with every group of a large community (13 s for
        # 500 groups of one Discord server).
        rows = await session.execute(
            select(GroupMember.group_id, Member.id, Member.community_id, Member.joined_at)
            .join(Member, Member.id == GroupMember.member_id)
            .where(GroupMember.group_id.in_(chunk), learners.learner_clause())
        )
        for group_id, member_id, community_id, joined_at in rows:
            if community_id == wanted[group_id][0].community_id:
                studying[group_id].append(_Learner(member_id, community_id, joined_at))
            await turns.take()
    everyone = list({m.id: m for among in studying.values() for m in among}.values())
    last = await last_activities(session, everyone, now)
    counted: dict[int, list[_Learner]] = {}
    for group_id, among in studying.items():
        active = [m for m in among if not learners.is_dormant(last[m.id], now)]
        counted[group_id] = active or among
        await turns.take()
    track_ids = {group_id: track.id for group_id, (_, track) in wanted.items()}
    statuses = await _statuses(
        session,
        {(m.id, m.community_id, track_ids[g]) for g, among in counted.items() for m in among},
    )
    # Many learners stand at the same place (not begun, say): each place is read once.
    phase_at: dict[tuple[str, frozenset[tuple[str, StepStatus]]], str | None] = {}
    for group_id, among in counted.items():
        track = wanted[group_id][1]
        await turns.take()
        for member in among:
            mine = statuses.get((member.id, track.id), {})
            place = (track.id, frozenset(mine.items()))
            if place not in phase_at:
                ahead = summarize(track, mine).ahead(track.steps)
                phase_at[place] = ahead[0].phase.id if ahead else None
            phase = phase_at[place]
            if phase is not None:
                found[group_id][phase] += 1
    return found


async def current_phase(session: AsyncSession, group: Group, track: Track, now: datetime) -> Phase:
    """The phase most of the group's learners are in (the earliest on a tie); the first
    phase while the group has no learners yet."""
    return most_in(track, await learner_phases(session, group, track, now))


def most_in(track: Track, counts: Counter[str]) -> Phase:
    """The phase with the most learners in `counts` (from `learner_phases`), the earliest
    on a tie; the track's first phase when nobody is counted."""
    if not counts:
        return track.phases[0]
    order = {phase.id: index for index, phase in enumerate(track.phases)}
    best = min(counts, key=lambda pid: (-counts[pid], order[pid]))
    return next(p for p in track.phases if p.id == best)


async def _statuses(
    session: AsyncSession, wanted: set[tuple[int, int, str]]
) -> dict[tuple[int, str], dict[str, StepStatus]]:
    """Step statuses of each (member id, their community's id, track id) asked for, by
    member and track: a query for every few hundred members."""
    found: dict[tuple[int, str], dict[str, StepStatus]] = {}
    asked = {(member_id, track_id) for member_id, _, track_id in wanted}
    for chunk in chunked(sorted(wanted)):
        rows = await session.execute(
            select(
                StepProgress.member_id,
                StepProgress.track_id,
                StepProgress.step_id,
                StepProgress.status,
            ).where(
                StepProgress.community_id.in_({community for _, community, _ in chunk}),
                StepProgress.member_id.in_({member_id for member_id, _, _ in chunk}),
                StepProgress.track_id.in_({track_id for _, _, track_id in chunk}),
            )
        )
        for member_id, track_id, step_id, status in rows:
            if (member_id, track_id) in asked:
                found.setdefault((member_id, track_id), {})[step_id] = StepStatus(status)
    return found


async def finished_by(
    session: AsyncSession,
    group: Group,
    members: Sequence[Member],
    track_id: str,
    step_ids: set[str],
) -> dict[str, set[int]]:
    """Which of `members` finished each of `step_ids` (done, not skipped), in one query."""
    if not members or not step_ids:
        return {}
    rows = await session.execute(
        select(StepProgress.step_id, StepProgress.member_id).where(
            StepProgress.community_id == group.community_id,
            StepProgress.member_id.in_([m.id for m in members]),
            StepProgress.track_id == track_id,
            StepProgress.step_id.in_(step_ids),
            StepProgress.status == StepStatus.DONE.value,
        )
    )
    found: dict[str, set[int]] = {}
    for step_id, member_id in rows:
        found.setdefault(step_id, set()).add(member_id)
    return found


async def away_during(
    session: AsyncSession, group: Group, members: Sequence[Member], start: datetime, end: datetime
) -> set[int]:
    """Ids of `members` who were on vacation at some moment between `start` and `end`."""
    if not members:
        return set()
    rows = await session.scalars(
        select(Vacation.member_id).where(
            Vacation.community_id == group.community_id,
            Vacation.member_id.in_([m.id for m in members]),
            Vacation.starts_at < end,
            Vacation.ends_at > start,
        )
    )
    return set(rows)


async def set_images(session: AsyncSession, group: Group, on: bool) -> None:
    """Turn the group's pictures on or off (`/group images`): off, no reply or post in the
    group carries one, whoever asks."""
    await session.execute(
        update(Group)
        .where(Group.community_id == group.community_id, Group.id == group.id)
        .values(images=on)
    )
    set_committed_value(group, "images", on)
