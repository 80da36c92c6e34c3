"""/progress and /leaderboard, with time moving under a controlled clock."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.markup import plain_text
from tests.conftest import Cohort


async def test_progress_counts_phases_week_and_streak(cohort: Cohort, clock: ManualClock) -> None:
    await cohort("/done python-basics")  # Wednesday
    clock.advance(timedelta(days=1))
    await cohort("/done dev-tools")  # Thursday
    clock.advance(timedelta(days=1))
    await cohort("/start python-data-stack")  # Friday
    reply = await cohort("/progress")
    fields = {f.name: f.value for f in reply.fields}

    assert reply.title == "📈 Your progress · Machine Learning Engineer"
    assert "**2 of 40 steps done (5%)**" in reply.body  # the path: no optional step started
    assert "This week: 2 steps · 0 h studied\n🔥 3 days streak" in reply.body
    assert reply.progress[0].label == "Foundations"
    assert (reply.progress[0].done, reply.progress[0].total) == (2, 7)
    assert fields["In progress"] == "`python-data-stack`"
    assert "NumPy, Pandas and plotting" in fields["Next step"]


async def test_this_week_starts_on_monday(cohort: Cohort, clock: ManualClock) -> None:
    await cohort("/done python-basics")  # Wednesday 18 Nov
    clock.advance(timedelta(days=5))  # Monday 23 Nov
    await cohort("/done dev-tools")
    reply = await cohort("/progress")
    assert "This week: 1 step" in reply.body


async def test_a_missed_day_breaks_the_streak_but_today_is_still_open(
    cohort: Cohort, clock: ManualClock
) -> None:
    await cohort("/done python-basics")
    clock.advance(timedelta(days=1))
    assert "🔥 1 day streak" in (await cohort("/progress")).body, "yesterday keeps it alive"
    clock.advance(timedelta(days=1))
    assert "🔥 0 days streak" in (await cohort("/progress")).body


async def test_streak_days_follow_the_members_timezone(cohort: Cohort, clock: ManualClock) -> None:
    await cohort("/me timezone Asia/Tokyo")
    clock.set(clock.now().replace(hour=14))  # 23:00 in Tokyo, Wednesday
    await cohort("/done python-basics")
    clock.advance(timedelta(hours=2))  # 01:00 Thursday in Tokyo, still Wednesday in UTC
    await cohort("/done dev-tools")
    tokyo = await cohort("/progress")
    utc_member = await cohort("/progress", as_="ben")

    assert "🔥 2 days streak" in tokyo.body
    assert "This week: 0 steps" in utc_member.body


async def test_progress_of_another_member(cohort: Cohort) -> None:
    await cohort("/done python-basics", as_="Ben")
    reply = await cohort("/progress ben", as_="ana")
    assert reply.title.startswith("📈 Ben's progress")
    assert "1 of 40" in reply.body


async def test_progress_of_a_hidden_member_is_private(cohort: Cohort) -> None:
    await cohort("/me privacy hidden", as_="ben")
    reply = await cohort("/progress ben", as_="ana")
    own = await cohort("/progress", as_="ben")

    assert reply.is_error
    assert "ben keeps their progress private" in reply.body
    assert not own.is_error


async def test_progress_of_an_unknown_member(cohort: Cohort) -> None:
    reply = await cohort("/progress zed")
    assert reply.is_error
    assert "don't know a member called `zed`" in reply.body


async def test_leaderboard_ranks_ties_fairly(cohort: Cohort) -> None:
    await cohort.make_group()
    for name, steps in {"ana": 2, "ben": 2, "cy": 1, "dee": 3}.items():
        for placed in cohort.app.catalog.default.steps[:steps]:
            await cohort(f"/done {placed.id}", as_=name)
    reply = await cohort("/leaderboard")

    assert plain_text(reply.title) == "🏆 Steps finished this week (since Mon 16 Nov) · #ml-study"
    assert reply.body.splitlines() == [
        "🥇 **dee** · 3 steps",
        "🥈 **ana** · 2 steps",
        "🥈 **ben** · 2 steps",
        "4. **cy** · 1 step",
    ]


async def test_leaderboard_hides_members_who_opted_out(cohort: Cohort) -> None:
    await cohort.make_group()
    await cohort("/done python-basics", as_="ana")
    await cohort("/done python-basics", as_="ben")
    await cohort("/me privacy hidden", as_="ben")
    reply = await cohort("/leaderboard", as_="ben")

    assert "ben" not in reply.body.split("_")[0]
    assert "**ana**" in reply.body
    assert "You're hidden from leaderboards" in reply.body


async def test_leaderboard_periods(cohort: Cohort, clock: ManualClock) -> None:
    await cohort.make_group()
    await cohort("/done python-basics", as_="ana")  # 18 Nov
    clock.advance(timedelta(days=7))  # 25 Nov: next week, same month
    await cohort("/done python-basics", as_="ben")
    clock.advance(timedelta(days=7))  # 2 Dec: next month
    await cohort("/done dev-tools", as_="ben")

    clock.advance(timedelta(days=4))  # Sunday 6 Dec: the week began in November
    week = await cohort("/leaderboard week")
    month = await cohort("/leaderboard month")
    everything = await cohort("/leaderboard all")
    assert week.body.splitlines() == ["🥇 **ben** · 1 step"]
    # A month is the last 30 days, so on 6 December it still holds the whole week.
    assert plain_text(month.title).startswith(
        "🏆 Steps finished in the last 30 days (06 Nov – 06 Dec)"
    )
    assert month.body.splitlines() == ["🥇 **ben** · 2 steps", "🥈 **ana** · 1 step"]
    assert everything.body.splitlines() == ["🥇 **ben** · 2 steps", "🥈 **ana** · 1 step"]
    clock.advance(timedelta(days=13))  # 19 Dec: ana's step of 18 Nov is over 30 days old
    assert (await cohort("/leaderboard month")).body.splitlines() == ["🥇 **ben** · 2 steps"]


async def test_leaderboard_by_streak(cohort: Cohort, clock: ManualClock) -> None:
    await cohort.make_group()
    await cohort("/done python-basics", as_="ana")
    clock.advance(timedelta(days=1))
    await cohort("/done dev-tools", as_="ana")
    await cohort("/start dev-tools", as_="ben")
    reply = await cohort("/leaderboard week streak")

    assert plain_text(reply.title) == "🔥 Current streaks · #ml-study"
    assert reply.body.splitlines() == ["🥇 **ana** · 2 days", "🥈 **ben** · 1 day"]


async def test_leaderboard_counts_only_the_groups_members(cohort: Cohort) -> None:
    await cohort.make_group()
    elsewhere = cohort.place.__class__(cohort.place.platform, cohort.place.workspace_id, "random")
    await cohort("/done python-basics", as_="zed", place=elsewhere)
    await cohort("/done python-basics", as_="ana")
    reply = await cohort("/leaderboard")
    assert reply.body.splitlines() == ["🥇 **ana** · 1 step"]


async def test_an_empty_leaderboard_invites_people_to_start(cohort: Cohort) -> None:
    reply = await cohort("/leaderboard month")
    assert "No one has finished a step in the last 30 days (19 Oct – 18 Nov) yet." in reply.body


async def test_leaderboard_with_bad_arguments_names_the_choices(cohort: Cohort) -> None:
    period = await cohort("/leaderboard yearly")
    metric = await cohort("/leaderboard week speed")
    assert period.is_error
    assert "Use one of `week`, `month`, `all`" in period.body
    assert metric.is_error
    assert "Use one of `steps`, `hours`, `streak`" in metric.body


async def test_a_streak_longer_than_five_weeks_is_counted_in_full(
    cohort: Cohort, clock: ManualClock
) -> None:
    await cohort.make_group()
    for _ in range(50):  # fifty days in a row, ana starts a step and puts it back
        await cohort("/start python-basics", as_="ana")
        await cohort("/reset python-basics", as_="ana")
        clock.advance(timedelta(days=1))
    await cohort("/start python-basics", as_="ben")
    reply = await cohort("/leaderboard all streak")
    assert reply.body.splitlines() == ["🥇 **ana** · 50 days", "🥈 **ben** · 1 day"]
