"""What a sweep costs follows what is due: with nothing due it reads one indexed table and
sends nothing, however many groups and members there are; and several schedulers on one
PostgreSQL database share a fan-out without sending anything twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import App, accountability_engine, build_app
from bot.clock import ManualClock
from bot.db.models import Delivery
from bot.messages import Actor, Place, Reply
from bot.ports import Sending
from bot.scheduler.engine import AccountabilityEngine
from bot.settings import Settings
from tests.conftest import Cohort
from tests.scheduler.conftest import Desk, RecordingPoster

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
SAT_1530 = datetime(2026, 11, 21, 15, 30, tzinfo=UTC)  # the reminders are being sent


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements run on `engine` meanwhile."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]).split(None, 1)[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _groups(desk: Desk, first: int, count: int) -> None:
    for number in range(first, first + count):
        place = Place(desk.cohort.place.platform, "guild-1", f"group-{number}")
        await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin", place=place)
        for member in ("ana", "ben", f"member-{number}"):
            await desk.cohort("/log 30m", as_=member, place=place)


async def _idle_sweep(desk: Desk, at: datetime) -> list[str]:
    await desk.run_until(at)  # everything due so far is sent
    with statements(desk.cohort.app.engine) as seen:
        sent = await desk.engine.run_due()
    assert sent == []
    return seen


async def test_a_sweep_with_nothing_due_costs_the_same_for_3_or_30_groups(desk: Desk) -> None:
    desk.clock.set(WED_0700)
    await _groups(desk, 0, 3)
    few = await _idle_sweep(desk, WED_0700 + timedelta(hours=3))
    await _groups(desk, 3, 27)
    many = await _idle_sweep(desk, WED_0700 + timedelta(hours=6))
    assert few == many
    assert few.count("SELECT") <= 3, few  # due rows, ended focus sessions, DMs to tell
    assert "INSERT" not in few
    assert "UPDATE" not in few


async def _daily_sweep(desk: Desk, at: datetime) -> list[str]:
    """What the sweep at `at` reads, which sends every group's daily resource."""
    await desk.run_until(at - timedelta(minutes=1))
    desk.clock.set(at)
    with statements(desk.cohort.app.engine) as seen:
        sent = await desk.engine.run_due()
    assert sent, "the daily resources were due"
    assert {o.kind.value for o in sent} == {"daily"}
    return [verb for verb in seen if verb == "SELECT"]


async def test_saying_the_daily_resources_reads_the_same_for_3_or_30_groups(desk: Desk) -> None:
    """Every group's resource is said from one read for the whole batch (its learners,
    their phases, the group's posts so far), not from reads of its own."""
    desk.clock.set(WED_0700)
    await _groups(desk, 0, 3)
    await desk.run_until(WED_0700 + timedelta(hours=2))  # the first resources are out
    few = await _daily_sweep(desk, WED_0700 + timedelta(days=1, hours=1))  # 09:00 in Berlin
    assert len(desk.poster.titled("📚")) == 3 + 3
    await _groups(desk, 3, 27)
    many = await _daily_sweep(desk, WED_0700 + timedelta(days=2, hours=1))
    assert len(desk.poster.titled("📚")) == 6 + 30
    assert len(few) == len(many), (few, many)


async def test_the_weekend_reminder_window_costs_nothing_once_reminders_are_out(
    desk: Desk,
) -> None:
    """Every learner's reminder stays useful until Sunday's deadline; a sweep in that
    window no longer claims them again one by one."""
    desk.clock.set(WED_0700)
    await _groups(desk, 0, 10)
    await desk.run_until(SAT_1530 + timedelta(hours=1))
    reminders = [p for p in desk.poster.sent if p.reply.title.startswith("⏰")]
    assert {p.to for p in reminders} == {"ana", "ben", *(f"member-{n}" for n in range(10))}
    seen = await _idle_sweep(desk, SAT_1530 + timedelta(hours=2))
    assert seen.count("SELECT") <= 3
    assert "INSERT" not in seen


@dataclass
class PacedPoster:
    """A platform that takes a little while per post, so schedulers interleave."""

    inner: RecordingPoster
    delay: float = 0.002

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        await asyncio.sleep(self.delay)
        await self.inner.post(place, reply, sending)

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        await asyncio.sleep(self.delay)
        await self.inner.dm(place, actor, reply, sending)


@pytest.mark.postgres
async def test_three_schedulers_on_postgresql_share_a_fan_out_and_send_each_post_once(
    request: pytest.FixtureRequest,
) -> None:
    url = request.getfixturevalue("empty_postgres_url")
    clock = ManualClock(WED_0700 - timedelta(hours=1))
    apps = [await build_app(Settings(database_url=url), clock=clock, migrate_db=True)]
    apps += [await build_app(Settings(database_url=url), clock=clock) for _ in range(2)]
    try:
        cohort = Cohort(apps[0])
        cohort.admins.add("admin")
        for number in range(60):
            place = Place(cohort.place.platform, "guild-1", f"group-{number}")
            await cohort("/group setup ml-engineer Europe/Berlin", as_="admin", place=place)
        recorders = [RecordingPoster(clock) for _ in apps]
        engines = [
            accountability_engine(app, PacedPoster(recorder), instance=f"bot-{i}")
            for i, (app, recorder) in enumerate(zip(apps, recorders, strict=True))
        ]
        for engine in engines:
            engine.batch = 5  # small batches, so all three take turns
        clock.set(WED_0700 + timedelta(hours=1, minutes=1))  # the daily resource, 09:00
        await asyncio.gather(*(engine.run_due() for engine in engines))
        async with apps[0].sessions() as session:
            daily = list(
                await session.scalars(select(Delivery.claimed_by).where(Delivery.kind == "daily"))
            )
    finally:
        for app in apps:
            await app.close()
    channels = [p.place.channel_id for recorder in recorders for p in recorder.sent]
    assert sorted(channels) == sorted(f"group-{n}" for n in range(60)), "each group once"
    shares = [len(recorder.sent) for recorder in recorders]
    assert all(share >= 5 for share in shares), shares  # each took at least a batch
    assert sorted(set(daily)) == ["bot-0", "bot-1", "bot-2"]


@dataclass
class StopsOnFirstPost:
    """A shutdown that arrives while the first post is being sent."""

    inner: RecordingPoster
    engine: AccountabilityEngine | None = None

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        assert self.engine is not None
        self.engine.stop_taking()
        await self.inner.post(place, reply, sending)

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        await self.inner.dm(place, actor, reply, sending)


async def test_a_stopping_scheduler_finishes_its_batch_and_takes_no_more(
    desk: Desk, app: App
) -> None:
    desk.clock.set(WED_0700)
    await _groups(desk, 0, 3)
    stopping = StopsOnFirstPost(desk.poster)
    engine = accountability_engine(app, stopping, instance="stopping")
    stopping.engine, engine.batch = engine, 1
    desk.clock.set(WED_0700 + timedelta(hours=1, minutes=1))
    await engine.run_due()
    assert len(desk.poster.sent) == 1, "the post under way went out; nothing more was taken"
    await desk.engine.run_due()  # the next process to sweep sends the rest
    assert sorted(p.place.channel_id for p in desk.poster.titled("📚")) == [
        "group-0",
        "group-1",
        "group-2",
    ]
