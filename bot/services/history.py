"""What a group (or a member) has already been sent, so choices can avoid repeats."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import chunked
from bot.db.models import Delivery, DeliveryStatus, Group, Member


async def posted_counts(session: AsyncSession, group: Group, kind: str) -> Counter[str | None]:
    """How often each choice (a delivery's `detail`) of `kind` was sent to `group`."""
    return (await posted_counts_of(session, [group], kind))[group.id]


async def posted_counts_of(
    session: AsyncSession, groups: Sequence[Group], kind: str
) -> dict[int, Counter[str | None]]:
    """`posted_counts` for many groups at once, by group id."""
    found: dict[int, Counter[str | None]] = {g.id: Counter() for g in groups}
    for chunk in chunked(list(groups)):
        rows = await session.execute(
            select(Delivery.group_id, Delivery.detail, func.count())
            .where(
                Delivery.community_id.in_({g.community_id for g in chunk}),
                Delivery.group_id.in_([g.id for g in chunk]),
                Delivery.kind == kind,
                Delivery.status == DeliveryStatus.SENT.value,
            )
            .group_by(Delivery.group_id, Delivery.detail)
        )
        for group_id, detail, count in rows:
            if group_id is not None:
                found[group_id][detail] = count
    return found


async def recent_choices(
    session: AsyncSession, group: Group, kind: str, limit: int
) -> list[str | None]:
    """The choices (details) of the last `limit` posts of `kind` sent to `group`, newest
    first."""
    return (await recent_choices_of(session, {group.id: (group, limit)}, kind))[group.id]


async def recent_choices_of(
    session: AsyncSession, wanted: Mapping[int, tuple[Group, int]], kind: str
) -> dict[int, list[str | None]]:
    """`recent_choices` for many groups at once: by group id, each with its own limit."""
    found: dict[int, list[str | None]] = {group_id: [] for group_id in wanted}
    asked = [(group, limit) for group, limit in wanted.values() if limit > 0]
    for chunk in chunked(asked):
        newest = (
            func.row_number()
            .over(
                partition_by=Delivery.group_id,
                order_by=(Delivery.due_at.desc(), Delivery.id.desc()),
            )
            .label("newest")
        )
        ranked = (
            select(Delivery.group_id, Delivery.detail, newest)
            .where(
                Delivery.community_id.in_({g.community_id for g, _ in chunk}),
                Delivery.group_id.in_([g.id for g, _ in chunk]),
                Delivery.kind == kind,
                Delivery.status == DeliveryStatus.SENT.value,
            )
            .subquery()
        )
        rows = await session.execute(
            select(ranked.c.group_id, ranked.c.detail, ranked.c.newest)
            .where(ranked.c.newest <= max(limit for _, limit in chunk))
            .order_by(ranked.c.group_id, ranked.c.newest)
        )
        for group_id, detail, place in rows:
            if place <= wanted[group_id][1]:
                found[group_id].append(detail)
    return found


async def was_sent(session: AsyncSession, group: Group, kind: str, period: str) -> bool:
    """Whether the group's post of `kind` for `period` went out (a check-in prompt, say)."""
    found = await session.scalar(
        select(Delivery.id).where(
            Delivery.community_id == group.community_id,
            Delivery.group_id == group.id,
            Delivery.kind == kind,
            Delivery.period == period,
            Delivery.member_id.is_(None),
            Delivery.status == DeliveryStatus.SENT.value,
        )
    )
    return found is not None


async def last_sent_to(session: AsyncSession, member: Member, kind: str) -> datetime | None:
    """When the member was last sent a DM of `kind` (a review question, say)."""
    found = await session.scalar(
        select(func.max(Delivery.sent_at)).where(
            Delivery.community_id == member.community_id,
            Delivery.member_id == member.id,
            Delivery.kind == kind,
            Delivery.status == DeliveryStatus.SENT.value,
        )
    )
    if found is None:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)
