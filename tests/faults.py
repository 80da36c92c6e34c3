"""Faults between a platform taking a scheduled post and Cohort marking it sent: a
process killed in that window, shared by the Discord and Slack fault tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.bootstrap import App
from bot.clock import ManualClock
from bot.db.models import Delivery
from bot.messages import Actor, Place, Reply
from bot.ports import Poster, Sending
from tests.conftest import Cohort

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
DAILY_DUE = WED_0700 + timedelta(hours=1)  # the daily resource, 09:00 in Berlin


class Killed(BaseException):
    """The process stopped between the platform taking the post and the "sent" mark."""


class KilledAfterSending:
    def __init__(self, inner: Poster) -> None:
        self.inner = inner

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        await self.inner.post(place, reply, sending)
        raise Killed

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        await self.inner.dm(place, actor, reply, sending)
        raise Killed


async def group_at(app: App, clock: ManualClock, place: Place) -> None:
    """A study group in `place`, set up on Wednesday morning."""
    clock.set(WED_0700)
    cohort = Cohort(app, place=place)
    cohort.admins.add("admin")
    await cohort("/group setup ml-engineer Europe/Berlin", as_="admin")


async def daily_delivery(app: App) -> Delivery:
    async with app.sessions() as session:
        [row] = list(await session.scalars(select(Delivery).where(Delivery.kind == "daily")))
    return row
