"""Group commands (admins only, every argument checked) and the APScheduler jobs they
rebuild."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.bootstrap import App, accountability_engine
from bot.db.models import Delivery
from bot.messages import Actor, Place, Reply
from bot.ports import Sending
from bot.scheduler.jobs import ScheduleRunner
from tests.scheduler.conftest import Desk, RecordingPoster

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)


async def test_members_cannot_run_group_commands(desk: Desk) -> None:
    for line in ("/group setup", "/group schedule daily 08:00", "/group pause"):
        reply = await desk.cohort(line, as_="ana")
        assert reply.is_error
        assert "Only community admins can use" in reply.body


async def test_group_commands_outside_a_group_say_how_to_start(desk: Desk) -> None:
    reply = await desk.cohort("/group schedule daily 08:00", as_="admin")
    assert "This channel isn't a study group yet. An admin can run `/group setup` here." in (
        reply.body
    )


async def test_every_bad_schedule_argument_gets_the_right_form(desk: Desk) -> None:
    await desk.cohort("/group setup", as_="admin")
    cases = {
        "/group schedule daily 25:00": "Use 24-hour time, like `09:00` or `18:30`.",
        "/group schedule daily 9am": "Use 24-hour time",
        "/group schedule checkin funday 17:00": "Use `monday` to `sunday`",
        "/group schedule checkin friday": "needs a time",
        "/group schedule kaggle monthly": "Use one of `weekly`, `biweekly`, `off`",
        "/group setup ml-engineer Mars/Olympus": "is not a timezone I know",
        "/group setup web-dev": "No track called `web-dev`",
    }
    for line, expected in cases.items():
        reply = await desk.cohort(line, as_="admin")
        assert reply.is_error, line
        assert expected in reply.body, line


async def test_show_describes_the_schedule(desk: Desk) -> None:
    await desk.cohort("/group setup ml-engineer America/New_York", as_="admin")
    await desk.cohort("/group schedule checkin sun 19:30", as_="admin")
    reply = await desk.cohort("/group show", as_="ana")
    fields = {f.name: f.value for f in reply.fields}
    assert reply.title == "Study group · 2 members"
    assert fields["Timezone"] == "America/New_York"
    assert fields["Weekly check-in"] == "Sunday 19:30, summary two days later"
    assert fields["Daily resource"] == "every day at 09:00"


async def test_the_scheduler_wakes_when_the_calendar_says_and_a_change_moves_it(
    desk: Desk,
) -> None:
    desk.clock.set(WED_0700)
    await desk.cohort("/group setup ml-engineer Asia/Kolkata", as_="admin")
    runner = ScheduleRunner(desk.engine)
    desk.cohort.app.dispatcher.events.subscribe(runner.on_event)
    runner.scheduler.start(paused=True)  # jobs are set but this test runs them itself
    try:
        await runner.sweep()
        assert [job.id for job in runner.scheduler.get_jobs()] == [], "nothing due this minute"
        thursday_nine_in_kolkata = datetime(2026, 11, 19, 3, 30, tzinfo=UTC)
        assert await desk.engine.next_due() == thursday_nine_in_kolkata

        await desk.cohort("/group schedule daily 12:31", as_="admin")  # a minute from now
        assert runner.scheduler.get_job("wake") is not None, "the change wakes the scheduler"
        await runner.sweep()
        assert await desk.engine.next_due() == WED_0700 + timedelta(minutes=1)
        assert runner.scheduler.get_job("wake") is not None, "and it wakes again for the post"
        desk.clock.set(WED_0700 + timedelta(minutes=1))
        await runner.sweep()
        assert [p.reply.title[:1] for p in desk.poster.sent] == ["📚"]

        await desk.cohort("/group pause", as_="admin")
        desk.clock.set(WED_0700 + timedelta(days=1, minutes=1))
        await runner.sweep()
        assert len(desk.poster.sent) == 1, "a paused group posts nothing"
        await desk.cohort("/group resume", as_="admin")
        desk.clock.set(WED_0700 + timedelta(days=2, minutes=1))
        await runner.sweep()
        assert len(desk.poster.sent) == 2, "and posts again at its next time once resumed"
    finally:
        runner.scheduler.shutdown(wait=False)


async def test_the_sweep_job_delivers_what_is_due(desk: Desk) -> None:
    desk.clock.set(WED_0700)
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    desk.clock.set(WED_0700.replace(hour=8))
    runner = ScheduleRunner(desk.engine)
    await runner.sweep()
    assert [p.reply.title for p in desk.poster.sent] == ["📚 Today's resource · Foundations"]


async def test_a_group_admin_list_lets_trusted_members_run_admin_commands(desk: Desk) -> None:
    await desk.cohort("/group setup", as_="admin")
    await desk.cohort("/next", as_="ana")
    refused = await desk.cohort("/group pause", as_="ana")
    added = await desk.cohort("/group admin add ana", as_="admin")
    again = await desk.cohort("/group admin add ana", as_="admin")
    listed = await desk.cohort("/group admins", as_="ben")
    allowed = await desk.cohort("/group pause", as_="ana")
    removed = await desk.cohort("/group admin remove ana", as_="admin")
    refused_again = await desk.cohort("/group resume", as_="ana")
    missing = await desk.cohort("/group admin remove ana", as_="admin")
    assert "Only community admins can use `/group pause`." in refused.body
    assert "ana can now run this group's admin commands" in added.body
    assert "already helps run this group" in again.body
    assert listed.body == "Group admins: ana."
    assert "Paused" in allowed.body
    assert "no longer on this group's admin list" in removed.body
    assert refused_again.is_error
    assert "isn't on this group's admin list" in missing.body


async def test_a_group_admin_in_one_channel_is_not_one_in_another(desk: Desk) -> None:
    await desk.cohort("/group setup", as_="admin")
    await desk.cohort("/next", as_="ana")
    await desk.cohort("/group admin add ana", as_="admin")
    other = desk.cohort.place.__class__(desk.cohort.place.platform, "guild-1", "other")
    await desk.cohort("/group setup", as_="admin", place=other)
    reply = await desk.cohort("/group pause", as_="ana", place=other)
    assert "Only community admins" in reply.body


async def test_stopping_lets_a_post_being_sent_finish(desk: Desk, app: App) -> None:
    desk.clock.set(WED_0700)
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    desk.clock.set(WED_0700.replace(hour=8))
    sending, release = asyncio.Event(), asyncio.Event()
    slow = SlowPoster(desk.poster, sending, release)
    engine = accountability_engine(app, slow, instance="slow")
    runner = ScheduleRunner(engine)
    await runner.start()  # its first sweep starts at once
    await asyncio.wait_for(sending.wait(), 10)
    stopping = asyncio.create_task(runner.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done(), "stop waits for the post in flight"
    release.set()
    await asyncio.wait_for(stopping, 10)
    assert not runner.running
    async with app.sessions() as session:
        statuses = list(await session.scalars(select(Delivery.status)))
    assert statuses == ["sent"], "marked sent, not left for another instance to send again"


@dataclass
class SlowPoster:
    inner: RecordingPoster
    sending: asyncio.Event
    release: asyncio.Event

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        self.sending.set()
        await self.release.wait()
        await self.inner.post(place, reply, sending)

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        await self.inner.dm(place, actor, reply, sending)


async def test_the_databases_statistics_are_refreshed_every_hour(desk: Desk) -> None:
    runner = ScheduleRunner(desk.engine)
    await runner.start()
    try:
        job = runner.scheduler.get_job("statistics")
        assert job is not None
        assert job.trigger.interval == timedelta(hours=1)
        await runner.refresh_statistics()  # on whichever database the suite runs on
    finally:
        await runner.stop()
