"""What a group (or a member) has already been sent, so choices can avoid repeats."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, DeliveryStatus, Group, Member


async def posted_counts(session: AsyncSession, group: Group, kind: str) -> Counter[str | None]:
    """How often each choice (a delivery's `detail`) of `kind` was sent to `group`."""
    rows = await session.execute(
        select(Delivery.detail, func.count())
        .where(
            Delivery.community_id == group.community_id,
            Delivery.group_id == group.id,
            Delivery.kind == kind,
            Delivery.status == DeliveryStatus.SENT.value,
        )
        .group_by(Delivery.detail)
    )
    return Counter(dict(rows.all()))


async def recent_choices(
    session: AsyncSession, group: Group, kind: str, limit: int
) -> list[str | None]:
    """The choices (details) of the last `limit` posts of `kind` sent to `group`, newest
    first."""
    if limit <= 0:
        return []
    rows = await session.scalars(
        select(Delivery.detail)
        .where(
            Delivery.community_id == group.community_id,
            Delivery.group_id == group.id,
            Delivery.kind == kind,
            Delivery.status == DeliveryStatus.SENT.value,
        )
        .order_by(Delivery.due_at.desc(), Delivery.id.desc())
        .limit(limit)
    )
    return list(rows)


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
