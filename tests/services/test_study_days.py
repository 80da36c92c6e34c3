"""Study days are recorded as members act: every kind of study marks the member's own
local day once, a reset or a move that changed nothing marks none, and the streak
leaderboard ranks members from these days alone, without the event history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from bot.clock import ManualClock
from bot.db.models import Checkin, Member, ProgressEvent, StudyDay, StudyLog
from tests.conftest import START, Cohort

# START is Wednesday 18 Nov 2026, 10:00 UTC. 15:15 UTC is 00:15 on Thursday 19 Nov in
# Tokyo (UTC+9), while it is still the 18th in UTC.
TOKYO_JUST_AFTER_MIDNIGHT = START.replace(hour=15, minute=15)
WEDNESDAY, THURSDAY, FRIDAY = date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)


async def _days(cohort: Cohort, name: str) -> list[date]:
    async with cohort.app.sessions() as session:
        rows = await session.scalars(
            select(StudyDay.day)
            .join(Member, Member.id == StudyDay.member_id)
            .where(Member.platform_user_id == f"u-{name}")
            .order_by(StudyDay.day)
        )
        return list(rows)


@pytest.mark.parametrize(
    "command",
    [
        "/log 30m",
        "/log 20m linear-algebra",
        "/start python-basics",
        "/done python-basics",
        "/skip certifications",
        "/checkin hours: 2",
        "/checkin finished: python-basics",
    ],
)
async def test_each_kind_of_study_marks_the_members_own_day(
    cohort: Cohort, clock: ManualClock, command: str
) -> None:
    await cohort.make_group(timezone="Asia/Tokyo")  # members keep the group's clock
    clock.set(TOKYO_JUST_AFTER_MIDNIGHT)
    reply = await cohort(command, as_="ana")
    assert not reply.is_error, reply.body
    assert await _days(cohort, "ana") == [THURSDAY]


async def test_a_focus_session_counts_on_the_day_it_ended(
    cohort: Cohort, clock: ManualClock
) -> None:
    await cohort.make_group(timezone="Asia/Tokyo")
    clock.set(TOKYO_JUST_AFTER_MIDNIGHT - timedelta(minutes=25))  # 23:50 on Wednesday there
    await cohort("/focus 25", as_="ana")
    assert await _days(cohort, "ana") == [], "starting a session is not study yet"
    clock.advance(timedelta(minutes=40))
    stopped = await cohort("/focus stop", as_="ana")  # its 25 minutes ran until 00:15
    assert not stopped.is_error, stopped.body
    assert await _days(cohort, "ana") == [THURSDAY]


async def test_late_evening_west_of_utc_is_still_that_evenings_day(
    cohort: Cohort, clock: ManualClock
) -> None:
    await cohort.make_group(timezone="America/New_York")  # UTC-5 in November
    clock.set(START.replace(day=19, hour=4, minute=30))  # 23:30 on Wednesday there
    await cohort("/log 45m", as_="ben")
    assert await _days(cohort, "ben") == [WEDNESDAY]


async def test_a_reset_or_a_move_that_changes_nothing_marks_no_day(
    cohort: Cohort, clock: ManualClock
) -> None:
    await cohort.make_group()
    await cohort("/done python-basics")
    clock.advance(timedelta(days=1))
    await cohort("/reset python-basics")
    await cohort("/reset dev-tools")  # never started: nothing to reset
    clock.advance(timedelta(days=1))
    await cohort("/start dev-tools")
    await cohort("/start dev-tools")  # already started
    await cohort("/checkin hours: 3")
    clock.advance(timedelta(days=1))
    await cohort("/checkin blockers: none")  # the same week's check-in, edited
    assert await _days(cohort, "ana") == [WEDNESDAY, FRIDAY]


async def test_many_actions_on_one_day_make_one_day(cohort: Cohort, clock: ManualClock) -> None:
    await cohort.make_group()
    await cohort("/log 30m")
    await cohort("/done python-basics")
    clock.advance(timedelta(hours=5))
    await cohort("/log 1h dev-tools")
    await cohort("/checkin finished: dev-tools hours: 2")
    assert await _days(cohort, "ana") == [WEDNESDAY]


async def test_days_already_lived_stay_when_the_timezone_changes(
    cohort: Cohort, clock: ManualClock
) -> None:
    await cohort.make_group()
    clock.set(START.replace(hour=23, minute=30))  # Wednesday in UTC, Thursday in Tokyo
    await cohort("/log 30m")
    await cohort("/me timezone Asia/Tokyo")
    clock.set(START.replace(day=19, hour=20))  # 05:00 on Friday in Tokyo
    await cohort("/log 30m")
    assert await _days(cohort, "ana") == [WEDNESDAY, FRIDAY]


async def test_the_streak_board_ranks_members_from_their_study_days(
    cohort: Cohort, clock: ManualClock
) -> None:
    await cohort.make_group()
    await cohort("/done python-basics", as_="ana")
    await cohort("/log 20m", as_="cara")
    clock.advance(timedelta(days=1))
    await cohort("/log 30m", as_="ana")
    await cohort("/start dev-tools", as_="ben")
    await cohort("/reset dev-tools", as_="cara")  # not study: cara misses Thursday
    clock.advance(timedelta(days=1))
    await cohort("/checkin hours: 2", as_="ana")
    await cohort("/log 1h", as_="ben")
    await cohort("/start dev-tools", as_="cara")
    expected = ["🥇 **ana** · 3 days", "🥈 **ben** · 2 days", "🥉 **cara** · 1 day"]
    assert (await cohort("/leaderboard all streak")).body.splitlines() == expected

    # The board reads the study days alone: without the history it ranks the same.
    async with cohort.app.sessions() as session, session.begin():
        for table in (ProgressEvent, StudyLog, Checkin):
            await session.execute(delete(table))
    assert (await cohort("/leaderboard all streak")).body.splitlines() == expected
