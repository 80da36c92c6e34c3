"""Claiming deliveries. A post is claimed in the database under its unique key before it
is sent, and marked sent after. A second claimant (another instance, or this one again)
gets nothing. A claim whose sender vanished (a crash between claim and send) or whose send
failed is taken over once its lease runs out, so nothing is lost.

A reminder or nudge also spends its member's one scheduled DM of the day (`spend_dm_day`),
claimed the same way: the first delivery to insert the member's `DmDay` row for that day
sends, any other finds the day spent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.db.engine import SessionFactory, chunked
from bot.db.models import Delivery, DeliveryStatus, DmDay
from bot.db.upsert import insert_ignoring
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


@dataclass(frozen=True)
class Claim:
    """How a claim went: `attempt` above 0 is this caller's to send; otherwise it is
    settled (sent or skipped) or, with `retry_at`, held by a claim that may lapse then."""

    attempt: int = 0
    retry_at: datetime | None = None


async def claim_many(
    sessions: SessionFactory,
    wanted: Sequence[tuple[Occurrence, int]],
    *,
    by: str,
    now: datetime,
) -> dict[str, Claim]:
    """`claim` for many occurrences (each with its community id) in one transaction: new
    ones are inserted at once, lapsed ones taken over, and the rest reported."""
    found: dict[str, Claim] = {}
    for chunk in chunked(wanted):
        found.update(await _claim_chunk(sessions, chunk, by=by, now=now))
    return found


async def _claim_chunk(
    sessions: SessionFactory,
    wanted: Sequence[tuple[Occurrence, int]],
    *,
    by: str,
    now: datetime,
) -> dict[str, Claim]:
    keys = [occurrence.key for occurrence, _ in wanted]
    found: dict[str, Claim] = {}
    async with sessions() as session, session.begin():
        rows = [
            {
                "community_id": community_id,
                "group_id": o.group_id,
                "member_id": o.member_id,
                "key": o.key,
                "kind": o.kind.value,
                "period": o.period,
                "due_at": o.due_at,
                "status": DeliveryStatus.CLAIMED.value,
                "claimed_at": now,
                "claimed_by": by,
                "attempts": 1,
            }
            for o, community_id in wanted
        ]
        # One statement run for every row: SQLAlchemy sends them as few multi-row inserts
        # ("insertmanyvalues"), compiled once.
        inserted = insert_ignoring(session, Delivery).returning(Delivery.key)
        found.update((key, Claim(1)) for key in await session.scalars(inserted, rows))
        rest = [key for key in keys if key not in found]
        if rest:
            taken = await session.execute(
                update(Delivery)
                .where(
                    Delivery.key.in_(rest),
                    Delivery.status == DeliveryStatus.CLAIMED.value,
                    Delivery.claimed_at <= now - LEASE,
                )
                .values(claimed_at=now, claimed_by=by, attempts=Delivery.attempts + 1)
                .returning(Delivery.key, Delivery.attempts)
                .execution_options(synchronize_session=False)
            )
            found.update((key, Claim(attempts)) for key, attempts in taken)
        held = [key for key in rest if key not in found]
        if held:
            states = await session.execute(
                select(Delivery.key, Delivery.status, Delivery.claimed_at).where(
                    Delivery.key.in_(held)
                )
            )
            for key, status, claimed_at in states:
                lapses = claimed_at + LEASE if status == DeliveryStatus.CLAIMED.value else None
                found[key] = Claim(0, lapses)
    return found


async def renew(sessions: SessionFactory, keys: Sequence[str], *, by: str, now: datetime) -> None:
    """Keep `by`'s claims on `keys` that are still being sent from lapsing."""
    if not keys:
        return
    async with sessions() as session, session.begin():
        for chunk in chunked(keys):
            await session.execute(
                update(Delivery)
                .where(
                    Delivery.key.in_(chunk),
                    Delivery.status == DeliveryStatus.CLAIMED.value,
                    Delivery.claimed_by == by,
                )
                .values(claimed_at=now)
                .execution_options(synchronize_session=False)
            )


@dataclass(frozen=True)
class Sent:
    key: str
    detail: str | None  # what was sent, as the delivery records it
    at: datetime


async def finish_many(sessions: SessionFactory, sent: Sequence[Sent], *, by: str) -> None:
    """Mark deliveries sent by `by`, in one transaction and one statement run for all."""
    if not sent:
        return
    deliveries = Delivery.__table__  # the table itself: one statement run for many rows
    assert isinstance(deliveries, Table)
    mark = (
        update(deliveries)
        .where(deliveries.c.key == bindparam("sent_key"), deliveries.c.claimed_by == by)
        .values(
            status=DeliveryStatus.SENT.value,
            sent_at=bindparam("sent_at_"),
            detail=bindparam("sent_detail"),
            last_error=None,
        )
    )
    async with sessions() as session, session.begin():
        for chunk in chunked(sent):
            await session.execute(
                mark,
                [{"sent_key": s.key, "sent_at_": s.at, "sent_detail": s.detail} for s in chunk],
            )


async def finish(
    sessions: SessionFactory,
    key: str,
    *,
    status: DeliveryStatus,
    now: datetime,
    detail: str | None = None,
    by: str | None = None,
) -> None:
    """Settle a delivery; with `by`, only while the claim is still `by`'s."""
    query = update(Delivery).where(Delivery.key == key)
    if by is not None:
        query = query.where(Delivery.claimed_by == by)
    async with sessions() as session, session.begin():
        await session.execute(
            query.values(status=status.value, sent_at=now, detail=detail, last_error=None)
        )


async def failed(
    sessions: SessionFactory, key: str, *, error: str, now: datetime, by: str | None = None
) -> datetime:
    """Keep the claim, note the error, and let the next attempt come after a backoff;
    returns when it may. With `by`, only while the claim is still `by`'s."""
    async with sessions() as session, session.begin():
        row = await session.scalar(select(Delivery).where(Delivery.key == key))
        if row is None or (by is not None and row.claimed_by != by):
            return now + LEASE  # another process took it over; look again after its lease
        backoff = min(timedelta(seconds=30) * 2 ** (row.attempts - 1), MAX_BACKOFF)
        row.last_error = error[:2000]
        row.claimed_at = now - LEASE + backoff
        retry: datetime = now + backoff
        return retry


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
