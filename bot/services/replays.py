"""Replayed requests. A platform signs each request it sends with a timestamp, and we accept
a signed request while that timestamp is fresh; within that window a captured request could
be sent again. So each signature is remembered, in the database (every bot process sharing
it sees the same memory), and the same signature again within the window is a replay."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import SeenRequest

WINDOW = timedelta(minutes=5)  # how long a signed request is accepted (Slack's own rule)
KEEP = 2 * WINDOW  # past this a sighting can no longer match a request we would accept


async def first_sighting(session: AsyncSession, signature: str, *, now: datetime) -> bool:
    """Record `signature`: True the first time, False when it was seen within WINDOW (a
    replay). Safe against other processes recording the same signature at the same time."""
    try:
        async with session.begin_nested():
            await session.execute(insert(SeenRequest).values(signature=signature, seen_at=now))
    except IntegrityError:
        # Seen before. A sighting older than the window (not yet forgotten) does not count;
        # taking it over is one conditional update, so only one process can win it.
        taken = await session.scalar(
            update(SeenRequest)
            .where(SeenRequest.signature == signature, SeenRequest.seen_at < now - WINDOW)
            .values(seen_at=now)
            .returning(SeenRequest.signature)
            .execution_options(synchronize_session=False)
        )
        return taken is not None
    return True


async def forget_old(session: AsyncSession, *, now: datetime) -> None:
    """Forget sightings older than KEEP (one indexed delete)."""
    await session.execute(
        delete(SeenRequest)
        .where(SeenRequest.seen_at < now - KEEP)
        .execution_options(synchronize_session=False)
    )
