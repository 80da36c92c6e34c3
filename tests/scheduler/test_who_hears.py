"""Who hears from the schedule: learners only, nothing after the last nudge until they come
back, at most one reminder or nudge a day whatever the number of groups, and never about a
check-in the group never saw."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.models import Delivery, DmDay
from bot.markup import plain_text
from tests.scheduler.conftest import Desk

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
SAT_REMINDER = datetime(2026, 11, 21, 16, 0, tzinfo=UTC)  # a day after Friday's prompt
SUN_SUMMARY = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)


async def _group(desk: Desk, channel: str = "general", at: datetime = WED_0700) -> None:
    desk.clock.set(at)
    place = desk.cohort.place.__class__(desk.cohort.place.platform, "guild-1", channel)
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin", place=place)


def _dms(desk: Desk, to: str) -> list[tuple[str, datetime]]:
    return [(p.reply.title, p.at) for p in desk.poster.sent if p.to == to]


async def _deliveries(desk: Desk, kind: str) -> list[Delivery]:
    async with desk.cohort.app.sessions() as session:
        rows = await session.scalars(
            select(Delivery).where(Delivery.kind == kind).order_by(Delivery.id)
        )
        return list(rows)


async def test_an_organiser_and_a_lurker_get_no_dm_in_four_weeks(desk: Desk) -> None:
    await _group(desk)
    role = await desk.cohort("/me role organiser", as_="olga")
    await desk.cohort("/next", as_="lou")  # looks around, never studies
    await desk.cohort("/roadmap", as_="lou")
    await desk.cohort("/log 30m", as_="ana")  # a learner, for contrast
    await desk.run_until(WED_0700 + timedelta(days=28))
    assert "You're an organiser here" in role.body
    assert _dms(desk, "olga") == []
    assert _dms(desk, "lou") == []
    assert _dms(desk, "admin") == []
    assert [title for title, _ in _dms(desk, "ana")][:2] == [
        "⏰ Check-in reminder",
        "👋 Missing you in the group",
    ]


async def test_the_last_nudge_is_the_last_dm_until_they_come_back(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/done python-basics", as_="ana")  # Wednesday 18th, then silence
    await desk.run_until(WED_0700 + timedelta(days=41))  # six weeks
    assert _dms(desk, "ana") == [
        # The step she finished comes back once; left unanswered, no more until she studies.
        ("🧠 Review · Python fundamentals", datetime(2026, 11, 19, 17, 0, tzinfo=UTC)),
        ("⏰ Check-in reminder", datetime(2026, 11, 21, 16, 0, tzinfo=UTC)),
        ("👋 Missing you in the group", WED_0700 + timedelta(days=7)),
        ("⏰ Check-in reminder", datetime(2026, 11, 28, 16, 0, tzinfo=UTC)),
        ("👋 Missing you in the group", WED_0700 + timedelta(days=14)),
        # Four more check-ins were prompted and summarised meanwhile: no reminder to ana.
    ]
    assert len(desk.poster.titled("📝")) == 6
    last = [p.reply for p in desk.poster.sent if p.to == "ana"][-1]
    assert "it's been 14 days since you last studied" in last.body
    assert "This is my last nudge" in last.body

    back = WED_0700 + timedelta(days=41, hours=2)  # Tuesday 29 December
    desk.clock.set(back)
    await desk.cohort("/log 40m", as_="ana")
    await desk.run_until(back + timedelta(days=8))
    assert _dms(desk, "ana")[5:] == [
        # Back, so the step left unanswered comes back that evening.
        ("🧠 Review · Python fundamentals", datetime(2026, 12, 29, 17, 0, tzinfo=UTC)),
        ("⏰ Check-in reminder", datetime(2027, 1, 2, 16, 0, tzinfo=UTC)),  # Saturday
        ("👋 Missing you in the group", back + timedelta(days=7)),
    ]


async def test_a_reminder_gives_way_to_a_nudge_due_the_same_day(desk: Desk) -> None:
    saturday = datetime(2026, 11, 14, 18, 0, tzinfo=UTC)  # the Saturday before
    await _group(desk, at=saturday)
    await desk.cohort("/log 1h", as_="ana")  # so her first nudge falls on Saturday 21st
    await desk.run_until(SUN_SUMMARY)
    assert _dms(desk, "ana") == [
        ("👋 Missing you in the group", datetime(2026, 11, 21, 18, 0, tzinfo=UTC)),
    ]


async def test_one_scheduled_dm_a_day_whatever_the_number_of_groups(desk: Desk) -> None:
    channels = ("general", "evenings", "weekends")
    for channel in channels:
        await _group(desk, channel)
        place = desk.cohort.place.__class__(desk.cohort.place.platform, "guild-1", channel)
        await desk.cohort("/log 20m", as_="ana", place=place)  # ana studies in all three
    await desk.run_until(SAT_REMINDER - timedelta(minutes=1))
    desk.poster.failures_left = 1  # the first reminder's send fails: it gives the day back
    await desk.run_until(SAT_REMINDER + timedelta(minutes=5))
    await desk.run_until(SUN_SUMMARY)
    assert [title for title, _ in _dms(desk, "ana")] == ["⏰ Check-in reminder"]
    reminders = await _deliveries(desk, "reminder")
    # The first failed and gave the day back: one of the others (or its own retry) took
    # it, and the rest found the day spent.
    assert sorted((r.status, r.detail) for r in reminders) == [
        ("sent", None),
        ("skipped", "dm budget: 2026-11-21"),
        ("skipped", "dm budget: 2026-11-21"),
    ]
    [sent] = [r for r in reminders if r.status == "sent"]
    async with desk.cohort.app.sessions() as session:
        [day] = list(await session.scalars(select(DmDay)))
    assert (day.day, day.delivery_key) == ("2026-11-21", sent.key)
    assert len(desk.poster.titled("📝")) == 3, "each group still got its own check-in"


async def test_a_failed_dm_is_retried_with_its_day(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/log 20m", as_="ana")
    await desk.run_until(SAT_REMINDER - timedelta(minutes=1))
    desk.poster.failures_left = 1
    await desk.run_until(SAT_REMINDER)
    assert _dms(desk, "ana") == []
    await desk.run_until(SAT_REMINDER + timedelta(minutes=1))  # after the backoff
    assert _dms(desk, "ana") == [("⏰ Check-in reminder", SAT_REMINDER + timedelta(seconds=30))]


async def test_a_group_set_up_on_a_saturday_waits_for_its_first_checkin(desk: Desk) -> None:
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    desk.clock.set(saturday)
    setup = await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    assert (
        "The first check-in opens Friday 27 Nov at 17:00 (Europe/Berlin time, your group's; "
        "`/me timezone` sets your own)." in setup.body
    )
    await desk.cohort("/log 1h", as_="ana")
    await desk.run_until(saturday + timedelta(days=3))  # through Friday's window's end
    assert desk.poster.titled("⏰") == []
    assert desk.poster.titled("📊") == [], "no summary of a check-in nobody was asked for"
    async with desk.cohort.app.sessions() as session:
        statuses = dict(
            (
                await session.execute(
                    select(Delivery.kind, Delivery.status).where(
                        Delivery.kind.in_(["reminder", "summary"])
                    )
                )
            ).all()
        )
    assert statuses == {"reminder": "skipped", "summary": "skipped"}
    await desk.cohort("/log 30m", as_="ana")  # Tuesday
    await desk.run_until(saturday + timedelta(days=9))
    assert [p.at for p in desk.poster.titled("📝")] == [datetime(2026, 11, 27, 16, 0, tzinfo=UTC)]
    assert [(p.to, p.at) for p in desk.poster.titled("⏰")] == [
        ("ana", datetime(2026, 11, 28, 16, 0, tzinfo=UTC))
    ]
    [summary] = desk.poster.titled("📊")
    fields = {plain_text(f.name): plain_text(f.value) for f in summary.reply.fields}
    assert fields["Checked in (0 of 1)"] == "Nobody this week. Next week's a fresh start!"
    assert fields["Didn't check in (1)"] == "ana"


async def test_setup_says_when_the_first_checkin_opens_on_the_callers_own_clock(
    desk: Desk,
) -> None:
    desk.clock.set(WED_0700)
    await desk.cohort("/me timezone Asia/Tokyo", as_="admin")
    setup = await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    assert "The first check-in opens Saturday 21 Nov at 01:00 (Asia/Tokyo time)." in setup.body
    moved = await desk.cohort("/group schedule checkin monday 09:00", as_="admin")
    assert (
        "Check-ins open Monday at 09:00 (Europe/Berlin time); the next one opens Monday "
        "23 Nov, and its summary is due Wednesday 25 Nov 09:00." in moved.body
    )
