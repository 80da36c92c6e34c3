"""Cards from a known database state, through the commands: `/progress` and
`/leaderboard` answer with a picture of what their text says, the weekly summary carries
the week at a glance, hidden members are on no card, and pictures can be turned off by a
group's admin (for everyone) or by a member (for their own replies)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.cards import DARK
from bot.cards import leaderboard as board_layout
from bot.cards import progress as progress_layout
from bot.markup import plain_text
from bot.messages import Image, Reply
from tests.cards.support import colours_used, near, opened, pixel
from tests.conftest import START, Cohort
from tests.scheduler.conftest import Desk

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)
FRI_PROMPT = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # Friday 17:00 Berlin
SUN_SUMMARY = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)


async def image_of(reply: Reply) -> Image:
    assert not reply.is_error, reply.body
    picture = await reply.picture()
    assert picture is not None, "a picture goes with the reply"
    return picture


async def test_progress_comes_with_a_card_of_the_same_numbers(group: Cohort) -> None:
    clock = group.app.clock
    days_ago = (9, 8, 2, 1)
    for back in days_ago:
        clock.set(START - timedelta(days=back))  # type: ignore[attr-defined]
        await group("/log 30m python-basics", as_="ana")
    clock.set(START)  # type: ignore[attr-defined]
    await group("/done python-basics", as_="ana")
    reply = await group("/progress", as_="ana")

    picture = await image_of(reply)
    image = opened(picture.png)
    assert image.size == (progress_layout.WIDTH, progress_layout.HEIGHT)
    assert near(pixel(image, 2, 2), DARK.background), "Discord gets the dark card"
    assert colours_used(image) > 50
    alt = plain_text(picture.alt_text)
    assert alt.startswith("Progress card for ana on Machine Learning Engineer: 1 of ")
    assert "Foundations 1 of" in alt
    assert "Streak 3 days" in alt  # the two days before today, and today
    assert "5 study days in the last 12 weeks" in alt
    assert "1 h studied this week" in alt  # Monday's and Tuesday's half hours
    # The calendar marks exactly those days: today is Wednesday, in the last column.
    cell = progress_layout.CELL + progress_layout.GAP
    grid_left, grid_top = 488 + 34, 132 + 28
    today = START.date()
    first = today - timedelta(days=today.weekday() + 7 * 11)

    def colour(back: int) -> tuple[int, int, int]:
        column, row = divmod((today - timedelta(days=back) - first).days, 7)
        return pixel(image, grid_left + column * cell + 9, grid_top + row * cell + 9)

    for back in (0, *days_ago):
        assert near(colour(back), DARK.accent), f"{back} days ago was a study day"
    for back in (3, 4, 5, 6, 7, 10, 30):
        assert near(colour(back), DARK.track), f"{back} days ago was not"


async def test_someone_elses_card_is_drawn_only_when_they_are_visible(group: Cohort) -> None:
    await group("/done python-basics", as_="ben")
    theirs = await group("/progress ben", as_="ana")
    assert plain_text((await image_of(theirs)).alt_text).startswith("Progress card for ben")
    await group("/me privacy hidden", as_="ben")
    hidden = await group("/progress ben", as_="ana")
    assert hidden.is_error
    assert not hidden.has_picture


async def test_the_leaderboard_card_ranks_visible_members_and_marks_the_caller(
    group: Cohort,
) -> None:
    for name, steps in (("ana", 3), ("ben", 2), ("cy", 1), ("dee", 2)):
        for step in ("python-basics", "dev-tools", "linear-algebra")[:steps]:
            await group(f"/done {step}", as_=name)
    await group("/me privacy hidden", as_="dee")
    reply = await group("/leaderboard", as_="ben")

    picture = await image_of(reply)
    alt = plain_text(picture.alt_text)
    assert "1. ana, 3 steps; 2. ben, 2 steps; 3. cy, 1 step." in alt
    assert "dee" not in alt, "a hidden member is on no card"
    image = opened(picture.png)
    assert image.size == (board_layout.WIDTH, board_layout.TOP + 3 * board_layout.ROW + 24)
    middle = board_layout.TOP + board_layout.ROW * 1.5  # ben's row, the second
    assert near(pixel(image, board_layout.WIDTH - 20, middle), DARK.highlight)
    assert near(pixel(image, board_layout.WIDTH - 20, middle - board_layout.ROW), DARK.background)


async def test_a_caller_below_the_top_ten_sees_their_own_row(group: Cohort) -> None:
    names = [f"m{n:02d}" for n in range(12)]
    for n, name in enumerate(names):
        for step in ("python-basics", "dev-tools", "linear-algebra")[: 3 if n < 10 else 1]:
            await group(f"/done {step}", as_=name)
    reply = await group("/leaderboard", as_="m11")
    alt = plain_text((await image_of(reply)).alt_text)
    assert "m11" not in alt.split("You are")[0]
    assert alt.endswith("You are 11th with 1 step.")
    image = opened((await image_of(reply)).png)
    assert image.size[1] == board_layout.TOP + 11 * board_layout.ROW + 24 + 24


async def test_a_member_can_turn_pictures_off_for_their_own_replies(group: Cohort) -> None:
    off = await group("/me images off", as_="ana")
    assert "No more pictures" in off.body
    assert (await group("/progress", as_="ana")).has_picture is False
    assert (await group("/leaderboard", as_="ana")).has_picture is False
    assert (await group("/progress", as_="ben")).has_picture, "others keep theirs"
    on = await group("/me images on", as_="ana")
    assert "Pictures are on" in on.body
    assert (await group("/progress", as_="ana")).has_picture


async def test_a_group_admin_turns_pictures_off_for_everyone_in_the_group(group: Cohort) -> None:
    refused = await group("/group images off", as_="ana")
    assert refused.is_error, "only the group's admins"
    assert (await group("/progress", as_="ana")).has_picture
    off = await group("/group images off", as_="boss")
    assert "Pictures are off in this group, for everyone" in off.body
    for name in ("ana", "ben", "boss"):
        assert (await group("/progress", as_=name)).has_picture is False
        assert (await group("/leaderboard", as_=name)).has_picture is False
    mine = await group("/me images on", as_="ana")
    assert "This group has them off for everyone" in mine.body
    await group("/group images on", as_="boss")
    assert (await group("/progress", as_="ana")).has_picture


async def _week(desk: Desk) -> None:
    desk.clock.set(WED_0700)
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    await desk.cohort("/done dev-tools", as_="ben")  # Wednesday
    desk.clock.set(WED_0700 + timedelta(days=1))  # Thursday
    await desk.cohort("/log 1h30 linear-algebra", as_="ana")
    await desk.cohort("/done linear-algebra", as_="ben")
    await desk.cohort("/log 45m", as_="cy")
    await desk.cohort("/me privacy hidden", as_="cy")
    desk.clock.set(FRI_PROMPT + timedelta(hours=1))
    await desk.cohort("/checkin finished: python-basics", as_="ana")
    await desk.cohort("/checkin hours: 5", as_="ben")


async def test_the_weekly_summary_carries_the_week_at_a_glance(desk: Desk) -> None:
    await _week(desk)
    await desk.run_until(SUN_SUMMARY)
    [summary] = desk.poster.titled("📊")
    body = plain_text(summary.reply.body)
    assert body.startswith("Here's how the group did this week: 3 steps finished and 7.2 h")
    picture = await image_of(summary.reply)
    alt = plain_text(picture.alt_text)
    # The same totals as the text (cy is hidden, and counted without being named).
    assert "16–22 Nov: 7.2 h studied and 3 steps finished" in alt
    # Thursday: ana's 1 h 30, cy's 45 minutes and ben's 5 h (a check-in's hours count in
    # the middle of its week); and ben's step.
    assert "Thu 7.2 h and 1 step" in alt
    assert alt.endswith("2 of 3 checked in.")
    assert "cy" not in alt
    image = opened(picture.png)
    assert image.size == (800, 400)
    assert near(pixel(image, 2, 2), DARK.background)


async def test_a_group_without_pictures_gets_the_summary_as_text(desk: Desk) -> None:
    await _week(desk)
    await desk.cohort("/group images off", as_="admin")
    await desk.run_until(SUN_SUMMARY)
    [summary] = desk.poster.titled("📊")
    assert not summary.reply.has_picture
    assert "3 steps finished" in plain_text(summary.reply.body)
