"""Each kind of post, at the right wall-clock time in the group's timezone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.scheduler.conftest import Desk

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)  # 08:00 in Berlin


async def _berlin_group(desk: Desk, at: datetime = WED_0700) -> None:
    desk.clock.set(at)
    reply = await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    assert reply.title == "🎉 This channel is now a study group"


async def test_daily_resource_comes_at_nine_berlin_time(desk: Desk) -> None:
    await _berlin_group(desk)
    await desk.run_until(WED_0700 + timedelta(minutes=59))
    assert desk.poster.sent == []
    await desk.run_until(WED_0700 + timedelta(hours=1))
    [post] = desk.poster.sent
    assert post.at == datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    assert post.reply.title == "📚 Today's resource · Foundations"
    assert post.place.channel_id == "general"
    assert [b.label for b in post.reply.buttons] == ["Start this step"]


async def test_the_daily_button_starts_the_step(desk: Desk) -> None:
    await _berlin_group(desk)
    await desk.run_until(WED_0700 + timedelta(hours=1))
    started = await desk.cohort.press(desk.poster.sent[0].reply, "Start this step", as_="ana")
    assert started.title.startswith("🔶 Started: Python fundamentals")


async def test_daily_times_stay_at_nine_across_the_dst_change(desk: Desk) -> None:
    await _berlin_group(desk, datetime(2026, 10, 23, 12, 0, tzinfo=UTC))
    await desk.run_until(datetime(2026, 10, 27, 12, 0, tzinfo=UTC))
    daily = [p.at for p in desk.poster.titled("📚")]
    assert daily == [
        datetime(2026, 10, 24, 7, 0, tzinfo=UTC),  # 09:00 CEST
        datetime(2026, 10, 25, 8, 0, tzinfo=UTC),  # 09:00 CET, clocks went back that night
        datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
        datetime(2026, 10, 27, 8, 0, tzinfo=UTC),
    ]
    summary = desk.poster.titled("📊")[0]
    assert summary.at == datetime(2026, 10, 25, 16, 0, tzinfo=UTC), "Sunday 17:00 CET"


async def test_a_week_of_posts_in_order(desk: Desk) -> None:
    await _berlin_group(desk)
    await desk.cohort("/done python-basics", as_="ana")
    await desk.run_until(WED_0700 + timedelta(days=7))
    titles = [(p.at.strftime("%a %H:%M"), p.reply.title, p.to) for p in desk.poster.sent]
    assert titles == [
        ("Wed 08:00", "📚 Today's resource · Foundations", None),
        ("Thu 08:00", "📚 Today's resource · Foundations", None),
        ("Thu 17:00", "🧠 Review · Python fundamentals", "ana"),  # once: she went quiet
        ("Fri 08:00", "📚 Today's resource · Foundations", None),
        ("Fri 16:00", "📝 Weekly check-in", None),
        ("Sat 08:00", "📚 Today's resource · Foundations", None),
        ("Sat 16:00", "⏰ Check-in reminder", "ana"),  # the admin never studied: no DMs
        ("Sun 08:00", "📚 Today's resource · Foundations", None),
        ("Sun 16:00", "📊 Weekly summary", None),
        ("Mon 08:00", "📚 Today's resource · Foundations", None),
        ("Mon 09:00", "🏁 Kaggle challenge of the week", None),
        ("Tue 08:00", "📚 Today's resource · Foundations", None),
        ("Wed 07:00", "👋 Missing you in the group", "ana"),  # a week since she studied
    ]


async def test_daily_resources_do_not_repeat_until_the_phase_pool_is_used_up(
    desk: Desk,
) -> None:
    await _berlin_group(desk)
    pool = sum(
        len(p.step.resources) for p in desk.cohort.app.catalog.default.phase_steps("foundations")
    )
    await desk.run_until(WED_0700 + timedelta(days=pool, hours=1))
    bodies = [p.reply.body.split("\n")[0] for p in desk.poster.titled("📚")]
    assert len(bodies) == pool + 1
    assert len(set(bodies[:pool])) == pool
    assert bodies[pool] in bodies[:pool]


async def test_resources_follow_the_phase_the_group_is_in(desk: Desk) -> None:
    await _berlin_group(desk)
    for name in ("ana", "ben"):  # two of the three members have moved on
        for placed in desk.cohort.app.catalog.default.phase_steps("foundations"):
            await desk.cohort(f"/done {placed.id}", as_=name)
    await desk.run_until(WED_0700 + timedelta(hours=1))
    assert desk.poster.sent[0].reply.title == "📚 Today's resource · Core machine learning"


async def test_kaggle_prompts_biweekly_and_off(desk: Desk) -> None:
    await _berlin_group(desk)
    await desk.cohort("/group schedule kaggle biweekly monday 18:00", as_="admin")
    await desk.run_until(WED_0700 + timedelta(days=28))
    biweekly = [p.at.date().isoformat() for p in desk.poster.titled("🏁")]
    assert len(biweekly) == 2
    assert datetime.fromisoformat(biweekly[1]) - datetime.fromisoformat(biweekly[0]) == (
        timedelta(days=14)
    )
    await desk.cohort("/group schedule kaggle off", as_="admin")
    await desk.run_until(desk.clock.now() + timedelta(days=28))
    assert len(desk.poster.titled("🏁")) == 2


async def test_kaggle_challenges_rotate_without_repeats(desk: Desk) -> None:
    await _berlin_group(desk)
    await desk.run_until(WED_0700 + timedelta(days=35))
    titles = [p.reply.body.split("]")[0].removeprefix("**[") for p in desk.poster.titled("🏁")]
    assert titles == [
        "Titanic: Machine Learning from Disaster",  # the one challenge for foundations
        "Spaceship Titanic",  # then the next phase's, before any repeat
        "House Prices: Advanced Regression Techniques",
        # Not Credit Card Fraud Detection: it is a production (serving) project too.
        "Titanic: Machine Learning from Disaster",
        "Spaceship Titanic",
    ]


async def test_a_paused_group_gets_nothing_until_resumed(desk: Desk) -> None:
    await _berlin_group(desk)
    await desk.cohort("/group pause", as_="admin")
    await desk.run_until(WED_0700 + timedelta(days=3))
    assert desk.poster.sent == []
    await desk.cohort("/group resume", as_="admin")
    await desk.run_until(desk.clock.now() + timedelta(days=1))
    assert len(desk.poster.titled("📚")) == 1


async def test_a_new_schedule_moves_the_posts(desk: Desk) -> None:
    await _berlin_group(desk)
    reply = await desk.cohort("/group schedule daily 07:15", as_="admin")
    assert "The daily resource comes at 07:15 (Europe/Berlin time)." in reply.body
    await desk.run_until(WED_0700 + timedelta(days=1, hours=1))
    assert [p.at for p in desk.poster.titled("📚")] == [
        datetime(2026, 11, 19, 6, 15, tzinfo=UTC),  # 07:15 Berlin; today's was before setup
    ]
