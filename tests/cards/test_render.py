"""Each card drawn from known values: the size it should be, something drawn on it, what
is at the places a person would look, the alt text, and the whole picture against the
examples the README shows (docs/cards), within a small tolerance."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot import cards
from bot.cards import DARK, LIGHT, Entry, theme_for
from bot.cards import leaderboard as board_layout
from bot.cards import progress as progress_layout
from bot.cards import week as week_layout
from bot.cards.theme import contrast
from bot.markup import plain_text
from bot.messages import Platform
from tests.cards.examples import DOCS, EXAMPLES, LEADERBOARD, PROGRESS, TODAY, WEEK
from tests.cards.support import colours_used, difference, near, opened, pixel


@pytest.mark.parametrize("filename", sorted(EXAMPLES))
def test_each_card_looks_like_its_example(filename: str) -> None:
    card, theme = EXAMPLES[filename]
    drawn = opened(cards.render(card, theme).png)
    example = opened((DOCS / filename).read_bytes())
    mean, share = difference(drawn, example)
    assert mean < 2.0, f"{filename} drifted from its example (mean difference {mean:.2f})"
    assert share < 0.01, f"{filename}: {share:.1%} of its pixels changed visibly"


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_the_progress_card_shows_the_bars_and_the_study_calendar(theme: cards.Theme) -> None:
    image = opened(cards.render(PROGRESS, theme).png)
    assert image.size == (progress_layout.WIDTH, progress_layout.HEIGHT)
    assert colours_used(image) > 50, "text and shapes, not a blank card"
    assert near(pixel(image, 2, 2), theme.background)
    # The overall bar under the header is 43% full: filled before that point, empty after.
    bar_left, bar_width = progress_layout.PAD, progress_layout.WIDTH - 2 * progress_layout.PAD
    assert near(pixel(image, bar_left + bar_width * 0.40, 111), theme.accent)
    assert near(pixel(image, bar_left + bar_width * 0.46, 111), theme.track)
    # Foundations is done (a full bar), Specialisation not begun (an empty one).
    foundations = 132 + 44 - 6
    specialisation = 132 + 44 + 5 * 30 - 6
    assert near(pixel(image, progress_layout.PAD + 186 + 165, foundations), theme.accent)
    assert near(pixel(image, progress_layout.PAD + 186 + 5, specialisation), theme.track)
    # The calendar: today (Monday, last column, top row) studied, and a day not studied.
    cell = progress_layout.CELL + progress_layout.GAP
    grid_left, grid_top = 488 + 34, 132 + 28

    def cell_colour(day: object) -> tuple[int, int, int]:
        offset = (day - PROGRESS.first_day).days  # type: ignore[operator]
        column, row = divmod(offset, 7)
        return pixel(image, grid_left + column * cell + 9, grid_top + row * cell + 9)

    assert TODAY in PROGRESS.study_days
    assert near(cell_colour(TODAY), theme.accent)
    missed = next(
        TODAY - timedelta(days=n)
        for n in range(84)
        if TODAY - timedelta(days=n) not in PROGRESS.study_days
    )
    assert near(cell_colour(missed), theme.track)
    # Nothing is drawn for the days after today in the last column.
    assert near(pixel(image, grid_left + 11 * cell + 9, grid_top + 3 * cell + 9), theme.background)


def test_the_progress_alt_text_says_what_the_card_shows() -> None:
    alt = plain_text(cards.render(PROGRESS, LIGHT).alt_text)
    assert alt.startswith("Progress card for Ana Müller on Machine Learning Engineer:")
    assert "16 of 37 steps done (43%)" in alt
    assert "Foundations 7 of 7" in alt
    assert "Streak 12 days with 1 freeze held" in alt
    assert "5.5 h studied this week" in alt
    assert f"{PROGRESS.days_studied} study days in the last 12 weeks" in alt
    assert alt.endswith("next step: Linear algebra.")


def test_the_leaderboard_card_ranks_ten_and_marks_the_caller() -> None:
    image = opened(cards.render(LEADERBOARD, DARK).png)
    assert image.size == (board_layout.WIDTH, LEADERBOARD.height)
    assert LEADERBOARD.height == board_layout.TOP + 10 * board_layout.ROW + 24
    row_middle = board_layout.TOP + board_layout.ROW / 2
    # The leader's bar is full; the caller's row (second) is highlighted, the first is not.
    assert near(pixel(image, board_layout.PAD + 356 + 255, row_middle), DARK.accent)
    assert near(
        pixel(image, board_layout.WIDTH - 20, row_middle + board_layout.ROW), DARK.highlight
    )
    assert near(pixel(image, board_layout.WIDTH - 20, row_middle), DARK.background)
    # Gold for the first, silver for the two tied second.
    assert near(pixel(image, board_layout.PAD + 16 - 10, row_middle), DARK.gold)
    assert near(
        pixel(image, board_layout.PAD + 16 - 10, row_middle + board_layout.ROW), DARK.silver
    )
    alt = plain_text(cards.render(LEADERBOARD, DARK).alt_text)
    assert alt.startswith("Leaderboard card, Steps finished this week (since Mon 16 Nov)")
    assert "1. Ana Müller, 9 steps; 2. Ben Carter, 7 steps; 2. Chidi Okafor, 7 steps" in alt
    assert "10. Yusuf Demir, 1 step." in alt


def test_a_caller_outside_the_top_ten_gets_their_own_row_below() -> None:
    me = Entry(rank=14, member_id=99, name="Quinn", value=0.5, shown="30 min", is_caller=True)
    card = replace(LEADERBOARD, caller=me)
    image = opened(cards.render(card, LIGHT).png)
    assert image.size[1] == LEADERBOARD.height + board_layout.ROW + 24
    last_middle = board_layout.TOP + 10 * board_layout.ROW + 24 + board_layout.ROW / 2
    assert near(pixel(image, board_layout.WIDTH - 20, last_middle), LIGHT.highlight)
    assert plain_text(cards.alt_text(card)).endswith("You are 14th with 30 min.")


def test_an_empty_board_says_so() -> None:
    card = replace(LEADERBOARD, entries=(), empty="No study logged this week yet.")
    drawn = cards.render(card, LIGHT)
    assert opened(drawn.png).size == (board_layout.WIDTH, board_layout.TOP + board_layout.ROW + 24)
    assert plain_text(drawn.alt_text).endswith(": No study logged this week yet.")


def test_the_week_at_a_glance_charts_hours_and_steps_per_day() -> None:
    image = opened(cards.render(WEEK, LIGHT).png)
    assert image.size == (week_layout.WIDTH, week_layout.HEIGHT)
    slot = (week_layout.CHART_RIGHT - week_layout.CHART_LEFT) / 7
    bottom = week_layout.CHART_BOTTOM

    def bars(day: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        centre = week_layout.CHART_LEFT + slot * (day + 0.5)
        return pixel(image, centre - 12, bottom - 4), pixel(image, centre + 12, bottom - 4)

    friday_hours, friday_steps = bars(4)  # 6 h and 2 steps
    assert near(friday_hours, LIGHT.accent)
    assert near(friday_steps, LIGHT.second)
    tuesday_hours, tuesday_steps = bars(1)  # nothing at all
    assert near(tuesday_hours, LIGHT.background)
    assert near(tuesday_steps, LIGHT.background)
    # The tallest bar (Friday's hours) reaches near the top of the chart; Monday's 2.5 h
    # reaches well under half as high.
    centre = week_layout.CHART_LEFT + slot * 4.5
    assert near(pixel(image, centre - 12, week_layout.CHART_TOP + 24), LIGHT.accent)
    monday = week_layout.CHART_LEFT + slot * 0.5
    assert near(pixel(image, monday - 12, week_layout.CHART_TOP + 60), LIGHT.background)
    alt = plain_text(cards.render(WEEK, LIGHT).alt_text)
    assert alt.startswith("Week at a glance in #ml-study, 16–22 Nov: 17.5 h studied and 7 steps")
    assert "Fri 6 h and 2 steps" in alt
    assert alt.endswith("5 of 7 checked in.")


def test_the_same_card_gives_the_same_bytes() -> None:
    assert cards.render(PROGRESS, LIGHT).png == cards.render(PROGRESS, LIGHT).png


def test_discord_gets_the_dark_variant_and_slack_and_the_console_the_light() -> None:
    assert theme_for(Platform.DISCORD) is DARK
    assert theme_for(Platform.SLACK) is LIGHT
    assert theme_for(Platform.CONSOLE) is LIGHT


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_text_reads_well_on_both_variants(theme: cards.Theme) -> None:
    for surface in (theme.background, theme.panel):
        assert contrast(theme.text, surface) >= 7
        assert contrast(theme.muted, surface) >= 4.5
    assert contrast(theme.text, theme.highlight) >= 7
    for colour in board_layout.AVATAR_COLOURS:
        assert contrast(board_layout.WHITE, colour) >= 4.5
    for medal in (theme.gold, theme.silver, theme.bronze):
        assert contrast(board_layout.ON_MEDAL, medal) >= 4.5
