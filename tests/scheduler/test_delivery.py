"""Delivery you can trust: nothing twice, nothing lost, late only while still useful."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.bootstrap import accountability_engine, build_app
from bot.clock import ManualClock
from bot.db.models import Delivery, Group
from bot.scheduler import claims
from bot.scheduler.calendar import Schedule, group_occurrences
from bot.settings import Settings
from tests.conftest import Cohort
from tests.scheduler.conftest import Desk, RecordingPoster

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)


async def _group(desk: Desk) -> None:
    desk.clock.set(WED_0700)
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")


async def _deliveries(desk: Desk) -> list[Delivery]:
    async with desk.cohort.app.sessions() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


async def test_running_the_same_moment_twice_sends_once(desk: Desk) -> None:
    await _group(desk)
    desk.clock.set(WED_0700 + timedelta(hours=1))
    first = await desk.engine.run_due()
    second = await desk.engine.run_due()
    assert len(first) == 1
    assert second == []
    assert len(desk.poster.sent) == 1


async def test_a_post_missed_while_down_is_sent_late_the_same_day(desk: Desk) -> None:
    await _group(desk)
    desk.clock.set(WED_0700 + timedelta(hours=6))  # the bot was down at 09:00
    await desk.engine.run_due()
    [post] = desk.poster.sent
    assert post.at == WED_0700 + timedelta(hours=6)
    assert post.reply.title.startswith("📚")


async def test_a_post_missed_for_good_is_skipped(desk: Desk) -> None:
    await _group(desk)
    desk.clock.set(WED_0700 + timedelta(days=1, hours=17))  # down until Thursday midnight
    await desk.engine.run_due()
    assert desk.poster.sent == [], "Wednesday's and Thursday's resources are no longer useful"
    desk.clock.set(WED_0700 + timedelta(days=2, hours=2))
    await desk.engine.run_due()
    assert [p.reply.title[:1] for p in desk.poster.sent] == ["📚"]


async def test_a_crash_between_claim_and_send_is_recovered_once(desk: Desk) -> None:
    await _group(desk)
    now = WED_0700 + timedelta(hours=1)
    desk.clock.set(now)
    async with desk.engine.sessions() as session:
        group = await session.scalar(select(Group))
    assert group is not None
    [daily] = group_occurrences(group.id, Schedule.of(group), WED_0700, now)
    assert await claims.claim(desk.engine.sessions, daily, community_id=1, by="crashed", now=now)
    assert await desk.engine.run_due() == [], "the claim is still leased"
    desk.clock.set(now + claims.LEASE + timedelta(seconds=1))
    await desk.engine.run_due()
    [row] = await _deliveries(desk)
    assert len(desk.poster.sent) == 1
    assert (row.status, row.attempts, row.claimed_by) == ("sent", 2, "test")


async def test_a_failing_platform_is_retried_with_backoff_and_never_loses_the_post(
    desk: Desk,
) -> None:
    await _group(desk)
    desk.poster.failures_left = 2
    now = WED_0700 + timedelta(hours=1)
    desk.clock.set(now)
    await desk.engine.run_due()
    [row] = await _deliveries(desk)
    assert (row.status, row.last_error) == ("claimed", "ConnectionError('platform returned 503')")
    await desk.engine.run_due()
    assert desk.poster.sent == [], "no retry before the backoff"
    desk.clock.set(now + timedelta(seconds=31))
    await desk.engine.run_due()  # second failure
    desk.clock.set(now + timedelta(seconds=31 + 61))
    await desk.engine.run_due()
    [row] = await _deliveries(desk)
    assert len(desk.poster.sent) == 1
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_two_schedulers_sharing_one_database_send_each_post_once(
    db: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("sqlite_url" if db == "sqlite" else "empty_postgres_url")
    clock = ManualClock(WED_0700)
    apps = [
        await build_app(Settings(database_url=url), clock=clock, migrate_db=True) for _ in range(2)
    ]
    try:
        cohort = Cohort(apps[0])
        cohort.admins.add("admin")
        await cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
        await cohort("/done python-basics", as_="ana")
        posters = [RecordingPoster(clock), RecordingPoster(clock)]
        engines = [
            accountability_engine(app, poster, instance=f"bot-{i}")
            for i, (app, poster) in enumerate(zip(apps, posters, strict=True))
        ]
        end = WED_0700 + timedelta(days=7)
        while (due := await engines[0].next_due()) is not None and due <= end:
            clock.set(max(due, clock.now()))
            await asyncio.gather(*(engine.run_due() for engine in engines))
    finally:
        for app in apps:
            await app.close()
    sent = [p.reply.title for poster in posters for p in poster.sent]
    assert len(sent) == 13  # the week of test_a_week_of_posts_in_order, once each
    # five kinds of post, ana's review question on Thursday and her nudge on the seventh day
    assert len(set(sent)) == 7
