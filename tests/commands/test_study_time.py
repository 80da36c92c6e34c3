"""Study time as a first-class fact: /log and /focus, streaks that follow study days (with
freezes), and forecasts from study hours, checked against values worked out by hand."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import FocusSession, StudyLog
from bot.markup import plain_text
from bot.services import study
from tests.conftest import START, Cohort

# The shipped track's estimated hours, without its optional steps (five specialisations
# and certifications): Foundations 215, Core ML 195, Deep learning 135, Production 155,
# AI engineering 125, Portfolio and career 140 (certifications' 40 left out) = 965 h.
PATH_HOURS = 965
FOUNDATIONS_HOURS = 215


def _forecast(reply_fields: tuple[object, ...]) -> str:
    return plain_text({f.name: f.value for f in reply_fields}["Forecast"])  # type: ignore[attr-defined]


async def _logged(cohort: Cohort) -> list[tuple[int, str | None, str]]:
    async with cohort.app.sessions() as session:
        rows = await session.execute(
            select(StudyLog.minutes, StudyLog.step_id, StudyLog.source).order_by(StudyLog.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("45m", 45),
        ("1h30", 90),
        ("1.5h", 90),
        ("90", 90),
        ("2h", 120),
        ("1:15", 75),
    ],
)
async def test_log_reads_the_durations_people_type(
    cohort: Cohort, typed: str, minutes: int
) -> None:
    reply = await cohort(f"/log {typed}")
    assert not reply.is_error, reply.body
    assert await _logged(cohort) == [(minutes, None, "log")]


def test_a_duration_may_have_spaces_where_the_platform_keeps_them_together() -> None:
    assert study.parse_duration("1h 30m") == 90
    assert study.parse_duration("2 hours") == 120
    assert study.parse_duration("45 min") == 45


async def test_log_on_a_step_starts_it_and_keeps_the_note(cohort: Cohort) -> None:
    reply = await cohort("/log 1h30 linear-algebra reading ch. 3")
    assert "Logged **1 h 30 min** on **Linear algebra**" in reply.body
    assert "> reading ch. 3" in plain_text(reply.body)
    assert await cohort.statuses("ana") == {"linear-algebra": "in_progress"}
    assert await _logged(cohort) == [(90, "linear-algebra", "log")]


async def test_log_without_a_step_takes_the_words_as_a_note(cohort: Cohort) -> None:
    reply = await cohort("/log 45m reading chapter 3")
    assert "> reading chapter 3" in reply.body
    assert await cohort.statuses("ana") == {}
    typo = await cohort("/log 45m linear-algebr")
    assert typo.is_error
    assert "Did you mean `linear-algebra`?" in typo.body
    assert len(await _logged(cohort)) == 1, "a refused log writes nothing"


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("lots", "isn't a duration I understand. Try `45m`, `1h30`"),
        ("0m", "between 1 minute and 12 hours"),
        ("13h", "between 1 minute and 12 hours"),
        ("٣٠m", "isn't a duration I understand"),
    ],
)
async def test_a_wrong_duration_gets_a_clear_answer(
    cohort: Cohort, typed: str, answer: str
) -> None:
    reply = await cohort(f"/log {typed}")
    assert reply.is_error
    assert answer in reply.body
    assert await _logged(cohort) == []


async def test_focus_runs_stops_and_logs_what_was_done(cohort: Cohort, clock: ManualClock) -> None:
    started = await cohort("/focus 50 linear-algebra")
    assert started.title == "🍅 Focus: 50 minutes on **Linear algebra** (`linear-algebra`)"
    clock.advance(timedelta(minutes=10))
    again = await cohort("/focus")
    assert "You're already focusing: 40 min to go" in again.body
    clock.advance(timedelta(minutes=8))
    stopped = await cohort("/focus stop")
    assert "Logged **18 min** of focus" in stopped.body
    assert await _logged(cohort) == [(18, "linear-algebra", "focus")]
    assert "No focus session is running" in (await cohort("/focus stop")).body


async def test_a_focus_whose_time_is_up_is_logged_when_the_next_one_starts(
    cohort: Cohort, clock: ManualClock
) -> None:
    await cohort("/focus")
    clock.advance(timedelta(hours=3))
    reply = await cohort("/focus 30")
    assert reply.title == "🍅 Focus: 30 minutes"
    assert await _logged(cohort) == [(25, None, "focus")], "the full 25, not three hours"


@pytest.mark.parametrize("typed", ["/focus 500", "/focus 2", "/focus soon", "/focus ５"])
async def test_a_wrong_focus_length_gets_a_clear_answer(cohort: Cohort, typed: str) -> None:
    reply = await cohort(typed)
    assert reply.is_error
    assert "minutes" in reply.body


async def test_a_steady_learner_keeps_a_28_day_streak_with_log_alone(
    cohort: Cohort, clock: ManualClock
) -> None:
    await cohort("/me timezone America/Los_Angeles")
    evening = START.replace(hour=3)  # 19:00 the evening before in Los Angeles
    for day in range(28):
        clock.set(evening + timedelta(days=day))
        await cohort("/log 1h")
    clock.advance(timedelta(hours=12))  # the next morning there: today still open
    body = (await cohort("/progress")).body
    assert "🔥 28 days streak · 🧊 2 freezes held" in body


async def test_a_freeze_is_earned_every_seven_days_and_spent_on_a_missed_day(
    cohort: Cohort, clock: ManualClock
) -> None:
    for day in range(7):
        clock.set(START + timedelta(days=day))
        await cohort("/log 30m")
    clock.set(START + timedelta(days=7))
    assert "🔥 7 days streak · 🧊 1 freeze held" in (await cohort("/progress")).body
    clock.set(START + timedelta(days=8))  # day 7 was missed
    body = (await cohort("/progress")).body
    assert "🔥 7 days streak (1 missed day covered by a freeze)" in body
    await cohort("/log 30m")
    assert "🔥 8 days streak" in (await cohort("/progress")).body
    clock.set(START + timedelta(days=11))  # days 9 and 10 missed, no freeze left
    assert "🔥 0 days streak" in (await cohort("/progress")).body


async def test_a_checkin_and_a_step_move_are_study_days_but_a_reset_is_not(
    cohort: Cohort, clock: ManualClock
) -> None:
    await cohort.make_group()
    await cohort("/checkin hours: 3")
    clock.advance(timedelta(days=1))
    await cohort("/start dev-tools")
    clock.advance(timedelta(days=1))
    await cohort("/reset dev-tools")
    clock.advance(timedelta(days=1))
    assert "🔥 0 days streak" in (await cohort("/progress")).body


async def _weekly_logs(cohort: Cohort, clock: ManualClock, weeks: list[int], **kw: str) -> None:
    """Log `weeks[i]` hours in week i since START (in five-hour pieces), then stand one
    hour past the fourth week, on 16 Dec 2026."""
    for index, total in enumerate(weeks):
        left, day = total, 0
        while left > 0:
            clock.set(START + timedelta(days=7 * index + day))
            piece = min(5, left)
            await cohort(f"/log {piece}h {kw.get('step', '')}".strip())
            left -= piece
            day += 1
    clock.set(START + timedelta(days=28, hours=1))


async def test_forecast_for_a_fast_member(cohort: Cohort, clock: ManualClock) -> None:
    await cohort("/done python-basics")
    await _weekly_logs(cohort, clock, [5, 30, 30, 30])
    clock.set(START + timedelta(days=1))
    await cohort("/log 10h dev-tools")
    await cohort("/log 10h dev-tools")
    await cohort("/log 5h dev-tools")  # dev-tools' 25 estimated hours, all logged
    clock.set(START + timedelta(days=28, hours=1))
    forecast = _forecast((await cohort("/progress")).fields)
    # Four weeks of 5+25, 30, 30, 30 h: 30 h a week. Left: 965 - 60 (python-basics,
    # done) - 25 (dev-tools, fully logged) = 880 h; Foundations 215 - 85 = 130 h.
    # 130 / 30 * 7 = 30.3 -> 31 days after 16 Dec; 880 / 30 * 7 = 205.3 -> 206 days.
    assert "Your pace: about 30 h a week (your last four weeks: 30, 30, 30, 30 h)" in forecast
    assert "About 880 h of your path remain" in forecast
    assert "Foundations around 16 Jan 2027, the whole path around 10 Jul 2027" in forecast
    assert "6 optional steps you haven't started" in forecast


async def test_forecast_for_a_steady_member(cohort: Cohort, clock: ManualClock) -> None:
    await _weekly_logs(cohort, clock, [6, 9, 7, 8])
    forecast = _forecast((await cohort("/progress")).fields)
    # 7.5 h a week (spread 1.1 h, under a quarter of it: one date). 215 / 7.5 * 7 = 200.7
    # -> 201 days after 16 Dec 2026; 965 / 7.5 * 7 = 900.7 -> 901 days.
    assert "about 8 h a week (your last four weeks: 6, 9, 7, 8 h)" in forecast
    assert f"About {PATH_HOURS} h of your path remain" in forecast
    assert "Foundations around 5 Jul 2027, the whole path around 4 Jun 2029" in forecast


async def test_forecast_is_a_range_when_weeks_vary(cohort: Cohort, clock: ManualClock) -> None:
    await _weekly_logs(cohort, clock, [2, 10, 4, 12])
    forecast = _forecast((await cohort("/progress")).fields)
    # Mean 7 h, spread sqrt(17) = 4.12 h: paces 2.88 and 11.12 h a week.
    # Foundations: 215 / 11.12 * 7 = 135.3 -> 136 days; 215 / 2.88 * 7 = 523.1 -> 524.
    # The path: 965 / 11.12 * 7 = 607.3 -> 608 days; 965 / 2.88 * 7 = 2348.02 -> 2349.
    assert "Foundations between 1 May 2027 and 23 May 2028" in forecast
    assert "the whole path between 15 Aug 2028 and 22 May 2033" in forecast


async def test_forecast_for_a_new_member_says_there_is_not_enough_data(
    cohort: Cohort, clock: ManualClock
) -> None:
    never = _forecast((await cohort("/progress")).fields)
    assert never.startswith("Not enough data yet. Log your study (/log 45m, or /focus)")
    await cohort("/done python-basics")
    clock.advance(timedelta(days=3))
    first_days = _forecast((await cohort("/progress")).fields)
    assert "Not enough data yet: forecasts need a whole week of your study." in first_days
    assert "ready on 25 Nov 2026" in first_days
    assert "pace of the last four weeks" not in first_days


async def test_checkin_hours_count_when_nothing_finer_was_logged(
    cohort: Cohort, clock: ManualClock
) -> None:
    await cohort.make_group()
    for week, hours in enumerate([20, 25, 22, 23]):
        clock.set(START + timedelta(days=7 * week + 2))  # Fridays
        await cohort(f"/checkin hours: {hours}")
    # Each answer covers the seven days before it: her first week began five days before
    # START, and her fourth whole week ends with her fourth answer (Friday 11 Dec).
    clock.set(START + timedelta(days=23, hours=1))
    forecast = _forecast((await cohort("/progress")).fields)
    # 22.5 h a week; from 11 Dec 2026: 215 / 22.5 * 7 = 66.9 -> 67 days; 965 h: 301 days.
    assert "about 22 h a week (your last four weeks: 20, 25, 22, 23 h)" in forecast
    assert "Foundations around 16 Feb 2027, the whole path around 8 Oct 2027" in forecast


async def test_checkin_hours_land_in_the_week_they_cover_whatever_the_day(
    cohort: Cohort, clock: ManualClock
) -> None:
    """20 hours told every week, sometimes a little earlier, sometimes later, is a steady
    20 hours a week, and answers in two groups the same week count once."""
    await cohort.make_group()
    other = cohort.place.__class__(cohort.place.platform, cohort.place.workspace_id, "second")
    await cohort.make_group(name="#second", place=other)
    for week, shift in enumerate([0, -3, 2, -2, 3]):
        clock.set(START + timedelta(days=7 * week, hours=shift))
        await cohort("/checkin hours: 20")
        await cohort("/checkin hours: 18", place=other)
    forecast = _forecast((await cohort("/progress")).fields)
    assert "about 20 h a week (your last four weeks: 20, 20, 20, 20 h)" in forecast


async def test_checkin_hours_are_not_counted_on_top_of_logged_time(
    cohort: Cohort, clock: ManualClock
) -> None:
    await cohort.make_group()
    await cohort("/log 2h")  # Wednesday
    clock.advance(timedelta(days=2))
    await cohort("/checkin hours: 10")  # Friday: the week's hours were already logged
    assert "This week: 0 steps · 2 h studied" in (await cohort("/progress")).body


async def test_a_new_member_takes_the_groups_timezone_until_they_choose(
    cohort: Cohort,
) -> None:
    cohort.admins.add("admin")
    await cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    reply = await cohort("/focus", as_="ben")
    assert "(Europe/Berlin time, your group's; `/me timezone` sets your own)" in reply.body
    await cohort("/focus stop", as_="ben")
    await cohort("/me timezone Asia/Tokyo", as_="ben")
    mine = await cohort("/focus", as_="ben")
    assert "(Asia/Tokyo time)" in mine.body


async def test_a_kaggle_score_must_fit_the_challenges_metric(cohort: Cohort) -> None:
    await cohort.make_group()
    url = "https://www.kaggle.com/competitions/titanic"
    typo = await cohort(f"/kaggle submit {url} 77 challenge:titanic")
    assert typo.is_error
    assert "scored by accuracy, from 0 to 1; 77 can't be a score there" in typo.body
    fine = await cohort(f"/kaggle submit {url} 0.77 challenge:titanic")
    assert "with a score of **0.77**" in fine.body
    other = await cohort(f"/kaggle submit {url} 0.8 challenge:spaceship-titanic")
    assert other.is_error
    assert "not Spaceship Titanic" in other.body
    unknown = await cohort(f"/kaggle submit {url} 0.8 challenge:titanik")
    assert "Did you mean `titanic`?" in unknown.body


async def test_a_long_streak_keeps_its_freezes_past_the_first_weeks_read(
    cohort: Cohort, clock: ManualClock
) -> None:
    """Streaks are read five weeks at a time; a missed day late in a 50-day streak is
    covered by a freeze earned long before those five weeks, on every board."""
    await cohort.make_group()
    for day in range(50):
        if day != 17:  # inside the first week of the five read first
            clock.set(START + timedelta(days=day))
            await cohort("/log 30m")
    clock.set(START + timedelta(days=49, hours=1))
    body = (await cohort("/progress")).body
    assert "🔥 49 days streak · 🧊 2 freezes held (1 missed day covered by a freeze)" in body
    board = await cohort("/leaderboard week streak")
    assert board.body.splitlines() == ["🥇 **ana** · 49 days"]


async def test_two_focus_starts_at_once_leave_one_session_running(cohort: Cohort) -> None:
    first, second = await asyncio.gather(cohort("/focus 30"), cohort("/focus 30"))
    answers = sorted([first.body, second.body])
    assert sum("Go!" in body for body in answers) == 1
    assert sum("already focusing" in body for body in answers) == 1
    async with cohort.app.sessions() as session:
        running = await session.scalars(
            select(FocusSession.id).where(FocusSession.status == "running")
        )
        assert len(running.all()) == 1


async def test_someone_elses_forecast_speaks_of_them(cohort: Cohort, clock: ManualClock) -> None:
    await cohort("/next", as_="ben")
    assert _forecast((await cohort("/progress ben")).fields) == (
        "Not enough data yet. They haven't logged any study yet."
    )
    await cohort("/log 2h", as_="ben")
    clock.advance(timedelta(days=3))
    theirs = _forecast((await cohort("/progress ben")).fields)
    assert "a whole week of their study. Theirs will be ready on 25 Nov 2026." in theirs
