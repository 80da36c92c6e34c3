"""Claiming deliveries. A post is claimed in the database under its unique key before it
is sent, and marked sent after. A second claimant (another instance, or this one again)
gets nothing. A claim whose sender vanished (a crash between claim and send) or whose send
failed is taken over once its lease runs out, so nothing is lost."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.db.engine import SessionFactory
from bot.db.models import Delivery, DeliveryStatus
from bot.scheduler.calendar import Occurrence

LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(minutes=30)


async def claim(
    sessions: SessionFactory, occurrence: Occurrence, *, community_id: int, by: str, now: datetime
) -> int:
    """Which attempt at sending `occurrence` this caller now owns (1 for the first);
    0 if it is not this caller's to send."""
    async with sessions() as session, session.begin():
        existing = await session.scalar(select(Delivery).where(Delivery.key == occurrence.key))
        if existing is None:
            row = Delivery(
                community_id=community_id,
                group_id=occurrence.group_id,
                member_id=occurrence.member_id,
                key=occurrence.key,
                kind=occurrence.kind.value,
                period=occurrence.period,
                due_at=occurrence.due_at,
                status=DeliveryStatus.CLAIMED.value,
                claimed_at=now,
                claimed_by=by,
                attempts=1,
            )
            try:
                async with session.begin_nested():
                    session.add(row)
            except IntegrityError:
                return 0  # claimed a moment ago by someone else
            return 1
        taken = await session.scalar(
            update(Delivery)
            .where(
                Delivery.key == occurrence.key,
                Delivery.status == DeliveryStatus.CLAIMED.value,
                Delivery.claimed_at <= now - LEASE,
            )
            .values(claimed_at=now, claimed_by=by, attempts=Delivery.attempts + 1)
            .returning(Delivery.attempts)
            .execution_options(synchronize_session=False)
        )
        return taken or 0


async def finish(
    sessions: SessionFactory,
    key: str,
    *,
    status: DeliveryStatus,
    now: datetime,
    detail: str | None = None,
) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(Delivery)
            .where(Delivery.key == key)
            .values(status=status.value, sent_at=now, detail=detail, last_error=None)
        )


async def failed(sessions: SessionFactory, key: str, *, error: str, now: datetime) -> None:
    """Keep the claim, note the error, and let the next attempt come after a backoff."""
    async with sessions() as session, session.begin():
        row = await session.scalar(select(Delivery).where(Delivery.key == key))
        if row is None:  # pragma: no cover - the claim is ours
            return
        backoff = min(timedelta(seconds=30) * 2 ** (row.attempts - 1), MAX_BACKOFF)
        row.last_error = error[:2000]
        row.claimed_at = now - LEASE + backoff
