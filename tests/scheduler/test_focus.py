"""Focus sessions end on time, even across a restart: the time is logged once and the
member is told once, where they started it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.bootstrap import accountability_engine
from bot.db.models import StudyLog
from bot.markup import plain_text
from tests.scheduler.conftest import Desk

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)


async def _logs(desk: Desk) -> list[tuple[int, str, str | None, datetime]]:
    async with desk.cohort.app.sessions() as session:
        rows = await session.execute(
            select(StudyLog.minutes, StudyLog.source, StudyLog.step_id, StudyLog.occurred_at)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def _group(desk: Desk) -> None:
    desk.clock.set(WED_0700 - timedelta(hours=1))
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    await desk.run_until(WED_0700)


async def test_a_focus_session_ends_on_time_after_a_restart(desk: Desk) -> None:
    await _group(desk)
    started = await desk.cohort("/focus 25 linear-algebra", as_="ana")
    assert started.title.startswith("🍅 Focus: 25 minutes")
    restarted = accountability_engine(desk.cohort.app, desk.poster, instance="restarted")
    desk.clock.set(WED_0700 + timedelta(minutes=24))
    await restarted.run_due()
    assert desk.poster.titled("🍅") == []
    desk.clock.set(WED_0700 + timedelta(minutes=31))  # the bot was busy for six minutes
    await restarted.run_due()
    await restarted.run_due()
    await desk.engine.run_due()  # the old engine, back too, sends nothing twice
    [done] = desk.poster.titled("🍅")
    assert (done.to, done.at, done.place.channel_id) == (
        "ana",
        WED_0700 + timedelta(minutes=31),
        "general",
    )
    assert plain_text(done.reply.body) == "25 minutes logged on Linear algebra. Take a short break!"
    assert [(b.label, b.action_id) for b in done.reply.buttons] == [("Another 25", "cohort:focus")]
    assert await _logs(desk) == [
        (25, "focus", "linear-algebra", WED_0700 + timedelta(minutes=25))
    ], "logged once, at the session's end"
    again = await desk.cohort.press(done.reply, "Another 25", as_="ana")
    assert again.title == "🍅 Focus: 25 minutes"


async def test_a_stopped_session_gets_no_message_and_a_late_one_only_its_log(
    desk: Desk,
) -> None:
    await _group(desk)
    await desk.cohort("/focus 50", as_="ana")
    await desk.cohort("/focus", as_="ben")
    desk.clock.set(WED_0700 + timedelta(minutes=10))
    await desk.cohort("/focus stop", as_="ana")
    desk.clock.set(WED_0700 + timedelta(hours=2))  # down since before ben's session ended
    await desk.engine.run_due()
    assert desk.poster.titled("🍅") == [], "told an hour after it ended, or never"
    assert sorted(m for m, *_ in await _logs(desk)) == [10, 25]


async def test_focus_messages_do_not_spend_the_day_s_dm(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/log 20m", as_="ana")
    saturday = datetime(2026, 11, 21, 15, 30, tzinfo=UTC)
    await desk.run_until(saturday)
    await desk.cohort("/focus 30", as_="ana")
    await desk.run_until(saturday + timedelta(minutes=30))  # the session ends at 16:00
    await desk.run_until(saturday + timedelta(hours=1))
    assert [(p.reply.title, p.at) for p in desk.poster.sent if p.to == "ana"] == [
        ("🍅 Focus session done", saturday + timedelta(minutes=30)),
        ("⏰ Check-in reminder", saturday + timedelta(minutes=30)),
    ]


async def test_time_moving_on_stops_at_the_end_of_a_focus_session(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/focus 25", as_="ana")
    await desk.run_until(WED_0700 + timedelta(hours=3))
    assert [(p.to, p.at) for p in desk.poster.titled("🍅")] == [
        ("ana", WED_0700 + timedelta(minutes=25))
    ]
