"""Check-ins, reminders, nudges and vacations: the parts that are about people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.markup import plain_text
from tests.scheduler.conftest import Desk

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)
FRI_PROMPT = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # Friday 17:00 Berlin
SUN_SUMMARY = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)


async def _group(desk: Desk) -> None:
    desk.clock.set(WED_0700)
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")


def _dms(desk: Desk, title: str) -> list[tuple[str | None, datetime]]:
    return [(p.to, p.at) for p in desk.poster.sent if p.reply.title.startswith(title)]


async def test_a_checkin_is_saved_and_marks_the_steps_it_names_done(desk: Desk) -> None:
    await _group(desk)
    reply = await desk.cohort(
        "/checkin finished: python-basics and linear-algebra! next: sql-databases "
        "blockers: none hours: 6.5",
        as_="ana",
    )
    fields = {f.name: plain_text(f.value) for f in reply.fields}
    assert reply.title == "📝 Check-in saved"
    assert "Marked done: **Python fundamentals** (`python-basics`), **Linear algebra**" in (
        reply.body
    )
    assert "The summary goes to the group Sunday at 17:00" in reply.body
    assert fields["Hours"] == "6.5"
    assert await desk.cohort.statuses("ana") == {
        "python-basics": "done",
        "linear-algebra": "done",
    }


async def test_a_second_checkin_in_the_same_week_updates_the_first(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/checkin next: dev-tools", as_="ana")
    reply = await desk.cohort("/checkin hours: 3", as_="ana")
    fields = {f.name: plain_text(f.value) for f in reply.fields}
    assert reply.body.startswith("Updated your check-in.")
    assert fields == {"Next": "dev-tools", "Hours": "3"}


async def test_checkin_mistakes_get_clear_answers(desk: Desk) -> None:
    await _group(desk)
    empty = await desk.cohort("/checkin", as_="ana")
    hours = await desk.cohort("/checkin hours: lots", as_="ana")
    too_many = await desk.cohort("/checkin hours: 200", as_="ana")
    too_long = await desk.cohort("/checkin blockers: " + "x" * 501, as_="ana")
    elsewhere = await desk.cohort(
        "/checkin hours: 2",
        as_="ana",
        place=desk.cohort.place.__class__(desk.cohort.place.platform, "guild-1", "random"),
    )
    assert not empty.is_error
    assert "Tell the group at least one thing" in empty.body
    assert "The hours must be a number, like `6` or `2.5`." in hours.body
    assert "The hours must be between 0 and 168." in too_many.body
    assert "keep it under 500" in too_long.body
    assert "use this in your group's channel" in elsewhere.body


async def test_reminders_go_to_learners_who_have_not_checked_in(desk: Desk) -> None:
    await _group(desk)  # the admin set the group up and never studied: no reminder
    await desk.cohort("/log 30m", as_="ana")
    await desk.cohort("/log 30m", as_="ben")
    await desk.cohort("/next", as_="cy")  # looked, never studied
    desk.clock.set(FRI_PROMPT + timedelta(hours=2))
    await desk.cohort("/checkin hours: 4", as_="ben")
    await desk.run_until(SUN_SUMMARY)
    assert _dms(desk, "⏰") == [("ana", FRI_PROMPT + timedelta(days=1))]
    [reminder] = desk.poster.titled("⏰")
    assert "closes Sunday at 17:00 (Europe/Berlin time, your group's;" in reminder.reply.body


async def test_reminders_wait_for_the_end_of_quiet_hours_in_the_members_timezone(
    desk: Desk,
) -> None:
    await _group(desk)
    for name in ("ana", "ben", "cy"):
        await desk.cohort("/log 25m", as_=name)
    await desk.cohort("/me timezone Asia/Tokyo", as_="ana")  # Saturday 16:00 UTC is 01:00
    await desk.cohort("/me quiet 23-09", as_="ben")  # ben in Berlin: 17:00 is not quiet
    await desk.cohort("/me timezone America/Los_Angeles", as_="cy")
    await desk.cohort("/me quiet 6-10", as_="cy")  # 08:00 in LA: quiet until 10:00
    await desk.run_until(SUN_SUMMARY)
    reminders = dict(_dms(desk, "⏰"))
    assert reminders["ana"] == datetime(2026, 11, 21, 23, 0, tzinfo=UTC)  # 08:00 Tokyo
    assert reminders["ben"] == datetime(2026, 11, 21, 16, 0, tzinfo=UTC)
    assert reminders["cy"] == datetime(2026, 11, 21, 18, 0, tzinfo=UTC)  # 10:00 LA


async def test_opted_out_and_away_members_get_no_reminders(desk: Desk) -> None:
    await _group(desk)
    for name in ("ana", "ben", "cy"):
        await desk.cohort("/log 25m", as_=name)
    off = await desk.cohort("/me reminders off", as_="ana")
    away = await desk.cohort("/me vacation 5", as_="ben")
    await desk.run_until(SUN_SUMMARY)
    assert "Reminders are off" in off.body
    assert "No nudges until 23 Nov 2026" in away.body
    assert [to for to, _ in _dms(desk, "⏰")] == ["cy"]


async def test_the_weekly_summary_tells_the_group_how_the_week_went(desk: Desk) -> None:
    await _group(desk)  # Wednesday
    await desk.cohort("/done dev-tools", as_="ben")
    await desk.cohort("/log 20m", as_="eve")
    await desk.cohort("/me vacation 5", as_="eve")  # away for the check-in
    await desk.cohort("/me role organiser", as_="dee")  # runs the group, studies nothing
    desk.clock.set(WED_0700 + timedelta(days=1))  # Thursday
    await desk.cohort("/log 1h30 linear-algebra", as_="ana")
    await desk.cohort("/done linear-algebra", as_="ben")
    await desk.cohort("/log 45m", as_="cy")
    desk.clock.set(FRI_PROMPT + timedelta(hours=1))
    await desk.cohort("/checkin finished: python-basics blockers: stuck on eigenvectors", as_="ana")
    await desk.cohort("/checkin blockers: none hours: 5", as_="ben")
    await desk.cohort("/kaggle submit https://www.kaggle.com/code/ben/titanic-v1 0.78", as_="ben")
    await desk.run_until(FRI_PROMPT + timedelta(days=1, hours=1))
    await desk.cohort("/log 30m", as_="ana")  # Saturday: her third day in a row
    await desk.run_until(SUN_SUMMARY)
    [summary] = desk.poster.titled("📊")
    fields = {plain_text(f.name): plain_text(f.value) for f in summary.reply.fields}
    assert plain_text(summary.reply.body).startswith(
        "Here's how the group did this week: 3 steps finished and 8.1 h studied."
    )
    assert fields["Who studied (4)"].splitlines() == [
        "ben · ✅ Git, the command line and engineering habits, Linear algebra · 5 h",
        "ana · ✅ Python fundamentals · 2 h · 🔥 3 days",
        "cy · 45 min",  # studied Thursday only: no streak by Sunday
        "eve · 20 min · 🔥 1 day",  # her streak is frozen while she is away
    ]
    assert fields["Checked in (2 of 3)"] == "ana, ben"  # of ana, ben and cy: eve was away
    assert fields["Didn't check in (1)"] == "cy"  # dee is an organiser
    assert fields["Blockers"] == "ana: stuck on eigenvectors (Linear algebra) · can help: ben"
    assert fields["Kaggle attempts"] == "ben: titanic (0.78)"
    assert fields["This week's leaderboard (steps)"].splitlines() == ["1. ben · 2", "2. ana · 1"]


async def test_kaggle_command_submit_and_leaderboard(desk: Desk) -> None:
    await _group(desk)
    shown = await desk.cohort("/kaggle", as_="ana")
    bad = await desk.cohort("/kaggle submit https://example.com/mine 0.7", as_="ana")
    score = await desk.cohort("/kaggle submit https://www.kaggle.com/code/ana/t abc", as_="ana")
    ok = await desk.cohort("/kaggle submit https://www.kaggle.com/code/ana/t 0.8", as_="ana")
    board = await desk.cohort("/leaderboard week kaggle", as_="ana")
    assert "Titanic" in shown.body
    assert "isn't a Kaggle link" in bad.body
    assert "must be a number" in score.body
    assert "took on **Titanic: Machine Learning from Disaster** with a score of **0.8**" in (
        ok.body
    )
    assert board.body.splitlines() == ["🥇 **ana** · 1 attempt"]


async def test_a_quiet_member_is_nudged_at_seven_and_fourteen_days_then_left_alone(
    desk: Desk,
) -> None:
    await _group(desk)
    await desk.cohort("/done python-basics", as_="ana")  # Wednesday 07:00 UTC
    await desk.run_until(WED_0700 + timedelta(days=30))
    nudges = [(to, at) for to, at in _dms(desk, "👋") if to == "ana"]
    assert nudges == [  # 07:00 UTC is 08:00 in Berlin, ana's zone: just out of quiet hours
        ("ana", WED_0700 + timedelta(days=7)),
        ("ana", WED_0700 + timedelta(days=14)),
    ]
    [first, last] = [p.reply for p in desk.poster.titled("👋") if p.to == "ana"]
    assert "it's been 7 days since you last studied" in first.body
    assert "Your next one is **Git, the command line" in first.body
    assert "This is my last nudge" in last.body


async def test_activity_restarts_the_nudge_clock(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/done python-basics", as_="ana")
    desk.clock.set(WED_0700 + timedelta(days=6))
    await desk.cohort("/start dev-tools", as_="ana")
    await desk.run_until(WED_0700 + timedelta(days=12))
    assert [to for to, _ in _dms(desk, "👋")].count("ana") == 0
    await desk.run_until(WED_0700 + timedelta(days=13, hours=1))
    assert [to for to, _ in _dms(desk, "👋")].count("ana") == 1


async def test_no_nudges_on_vacation_or_with_reminders_off(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/me vacation 20", as_="ana")
    await desk.cohort("/me reminders off", as_="ben")
    await desk.run_until(WED_0700 + timedelta(days=19))
    assert [to for to, _ in _dms(desk, "👋") if to in {"ana", "ben"}] == []


async def test_the_streak_is_frozen_while_on_vacation(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/done python-basics", as_="ana")
    desk.clock.set(WED_0700 + timedelta(days=1))
    await desk.cohort("/done dev-tools", as_="ana")
    await desk.cohort("/me vacation 4", as_="ana")
    desk.clock.set(WED_0700 + timedelta(days=5, hours=1))
    assert "🔥 2 days streak" in (await desk.cohort("/progress", as_="ana")).body
    await desk.cohort("/done linear-algebra", as_="ana")
    assert "🔥 3 days streak" in (await desk.cohort("/progress", as_="ana")).body
    board = await desk.cohort("/leaderboard all streak", as_="ana")
    assert "**ana** · 3 days" in board.body


async def test_vacation_arguments(desk: Desk) -> None:
    await _group(desk)
    assert "You weren't on vacation." in (await desk.cohort("/me vacation 0", as_="ana")).body
    await desk.cohort("/me vacation 3", as_="ana")
    assert "Welcome back" in (await desk.cohort("/me vacation 0", as_="ana")).body
    too_long = await desk.cohort("/me vacation 365", as_="ana")
    assert "The days must be between 0 and 90." in too_long.body
    quiet = await desk.cohort("/me quiet late", as_="ana")
    assert "isn't a range of hours" in quiet.body


async def test_forget_removes_checkins_attempts_vacations_and_deliveries(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/checkin hours: 2", as_="ana")
    await desk.cohort("/kaggle submit https://www.kaggle.com/code/ana/t", as_="ana")
    await desk.cohort("/me vacation 1", as_="ana")
    await desk.run_until(WED_0700 + timedelta(days=10))  # reminders and nudges to ana
    done = await desk.cohort("/me forget confirm:yes", as_="ana")
    board = await desk.cohort("/leaderboard all kaggle", as_="ben")
    assert "deleted" in done.body
    assert "No Kaggle attempts" in board.body
    assert await desk.cohort.statuses("ana") == {}
