"""What a group has already been sent, so choices can avoid repeats."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, DeliveryStatus, Group


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
