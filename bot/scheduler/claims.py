"""Claiming deliveries. A post is claimed in the database under its unique key before it
is sent, and marked sent after. A second claimant (another instance, or this one again)
gets nothing. A claim whose sender vanished (a crash between claim and send) or whose send
failed is taken over once its lease runs out, so nothing is lost.

A reminder or nudge also spends its member's one scheduled DM of the day (`spend_dm_day`),
claimed the same way: the first delivery to insert the member's `DmDay` row for that day
sends, any other finds the day spent."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.db.engine import SessionFactory
from bot.db.models import Delivery, DeliveryStatus, DmDay
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


async def spend_dm_day(
    sessions: SessionFactory,
    *,
    member_id: int,
    community_id: int,
    day: str,
    key: str,
    now: datetime,
) -> bool:
    """Take the member's scheduled DM of `day` (an ISO date on their calendar) for the
    delivery `key`. True if it is this delivery's (taken now, or by an earlier attempt of
    the same delivery); False if another delivery has it."""
    async with sessions() as session, session.begin():
        held = await session.scalar(
            select(DmDay.delivery_key).where(DmDay.member_id == member_id, DmDay.day == day)
        )
        if held is not None:
            return held == key
        try:
            async with session.begin_nested():
                session.add(
                    DmDay(
                        member_id=member_id,
                        day=day,
                        community_id=community_id,
                        delivery_key=key,
                        claimed_at=now,
                    )
                )
        except IntegrityError:
            return False  # another delivery took the day a moment ago
        return True


async def release_dm_day(sessions: SessionFactory, *, member_id: int, day: str, key: str) -> None:
    """Give back a day `key` took and could not use (its send failed), so its retry, or
    another DM, may have it."""
    async with sessions() as session, session.begin():
        await session.execute(
            delete(DmDay).where(
                DmDay.member_id == member_id, DmDay.day == day, DmDay.delivery_key == key
            )
        )
