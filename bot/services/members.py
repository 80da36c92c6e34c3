"""A member's own data as a whole."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Checkin,
    Delivery,
    GroupAdmin,
    GroupMember,
    KaggleAttempt,
    Member,
    ProgressEvent,
    StepProgress,
    Vacation,
)


async def forget(session: AsyncSession, member: Member) -> None:
    """Delete everything stored about `member` in their community."""
    for table in (
        ProgressEvent,
        StepProgress,
        GroupMember,
        GroupAdmin,
        Checkin,
        KaggleAttempt,
        Vacation,
        Delivery,
    ):
        await session.execute(
            delete(table).where(
                table.community_id == member.community_id, table.member_id == member.id
            )
        )
    await session.delete(member)
    await session.flush()
