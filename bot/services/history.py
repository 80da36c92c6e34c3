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
