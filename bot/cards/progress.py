"""The progress card: a member's name and track, each phase as a bar, steps done of the
total, the streak with its freezes, hours this week, twelve weeks of study days as a
calendar heatmap, and the next step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.cards.alt import LIMIT, finished, listed, short
from bot.cards.canvas import Canvas
from bot.cards.fonts import Weight
from bot.cards.theme import Theme
from bot.presentation import hours, plural

WIDTH, HEIGHT = 800, 500
PAD = 32
WEEKS = 12
CELL, GAP = 18, 4
DAY_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


@dataclass(frozen=True)
class PhaseBar:
    title: str
    done: int
    total: int  # steps on the member's path in this phase, skipped ones left out


@dataclass(frozen=True)
class ProgressCard:
    name: str
    track: str
    done: int
    total: int
    percent: int
    phases: tuple[PhaseBar, ...]
    streak_days: int
    freezes: int
    hours_this_week: float
    today: date  # the member's own date
    study_days: frozenset[date]  # their study days in the calendar's twelve weeks
    next_step: str | None  # its title; None once the path is done

    @property
    def first_day(self) -> date:
        """The Monday the calendar starts on: twelve weeks, the last one this week."""
        return self.today - timedelta(days=self.today.weekday() + 7 * (WEEKS - 1))

    @property
    def days_studied(self) -> int:
        return sum(self.first_day <= day <= self.today for day in self.study_days)


def draw(card: ProgressCard, theme: Theme) -> Canvas:
    canvas = Canvas(WIDTH, HEIGHT, theme)
    _header(canvas, card)
    _phases(canvas, card, top=132)
    _calendar(canvas, card, left=488, top=132)
    _stats(canvas, card, top=376)
    return canvas


def _header(canvas: Canvas, card: ProgressCard) -> None:
    theme = canvas.theme
    canvas.text(PAD, 62, card.name, 32, weight=Weight.BOLD, max_width=500)
    canvas.text(PAD, 92, card.track, 18, colour=theme.muted, max_width=500)
    right = WIDTH - PAD
    canvas.text(right, 66, f"{card.percent}%", 40, weight=Weight.BOLD, align="right")
    steps = f"{card.done} of {plural(card.total, 'step')} done"
    canvas.text(right, 92, steps, 16, colour=theme.muted, align="right")
    canvas.bar(PAD, 108, WIDTH - 2 * PAD, 6, card.percent / 100)


def _phases(canvas: Canvas, card: ProgressCard, top: float) -> None:
    theme = canvas.theme
    canvas.text(PAD, top + 14, "Phases", 14, colour=theme.muted, weight=Weight.SEMIBOLD)
    shown = card.phases[:8]
    row = 27 if len(shown) > 7 else 30
    for index, phase in enumerate(shown):
        baseline = top + 44 + index * row
        canvas.text(PAD, baseline, phase.title, 15, max_width=176)
        fraction = phase.done / phase.total if phase.total else 0.0
        canvas.bar(PAD + 186, baseline - 11, 170, 10, fraction)
        count = f"{phase.done}/{phase.total}"
        canvas.text(PAD + 416, baseline, count, 14, colour=theme.muted, align="right")


def _calendar(canvas: Canvas, card: ProgressCard, left: float, top: float) -> None:
    theme = canvas.theme
    studied = f"Study days · {card.days_studied} in the last {WEEKS} weeks"
    canvas.text(left, top + 14, studied, 14, colour=theme.muted, weight=Weight.SEMIBOLD)
    grid_left, grid_top = left + 34, top + 28
    for row, label in enumerate(DAY_LABELS):
        if label:
            y = grid_top + row * (CELL + GAP) + CELL - 4
            canvas.text(left, y, label, 11, colour=theme.muted)
    first = card.first_day
    for column in range(WEEKS):
        for row in range(7):
            day = first + timedelta(days=7 * column + row)
            if day > card.today:
                continue
            x = grid_left + column * (CELL + GAP)
            y = grid_top + row * (CELL + GAP)
            colour = theme.accent if day in card.study_days else theme.track
            canvas.box(x, y, CELL, CELL, colour, radius=4)
            if day == card.today:
                canvas.outline(x - 2, y - 2, CELL + 4, CELL + 4, theme.text, radius=5)
    legend_y = grid_top + 7 * (CELL + GAP) + 14
    canvas.box(grid_left, legend_y - 10, 10, 10, theme.track, radius=2)
    canvas.text(grid_left + 16, legend_y, "no study", 11, colour=theme.muted)
    canvas.box(grid_left + 84, legend_y - 10, 10, 10, theme.accent, radius=2)
    canvas.text(grid_left + 100, legend_y, "studied", 11, colour=theme.muted)
    canvas.outline(grid_left + 162, legend_y - 11, 12, 12, theme.text, radius=3)
    canvas.text(grid_left + 180, legend_y, "today", 11, colour=theme.muted)


def _stats(canvas: Canvas, card: ProgressCard, top: float) -> None:
    theme = canvas.theme
    width = (WIDTH - 2 * PAD - 2 * 16) / 3
    freezes = f"{plural(card.freezes, 'freeze')} held" if card.freezes else "no freezes held"
    boxes = (
        ("Streak", plural(card.streak_days, "day"), freezes),
        ("This week", hours(card.hours_this_week), "studied"),
        ("Next step", card.next_step or "All done!", ""),
    )
    for index, (label, value, note) in enumerate(boxes):
        x = PAD + index * (width + 16)
        canvas.box(x, top, width, 92, theme.panel, radius=10)
        canvas.text(x + 16, top + 26, label, 14, colour=theme.muted, weight=Weight.SEMIBOLD)
        size = 26 if index < 2 else 18
        canvas.text(x + 16, top + 60, value, size, weight=Weight.BOLD, max_width=width - 32)
        if note:
            canvas.text(x + 16, top + 80, note, 13, colour=theme.muted, max_width=width - 32)


def alt_text(card: ProgressCard) -> str:
    """What the card shows, in words."""
    streak = f"streak {plural(card.streak_days, 'day')}"
    if card.freezes:
        streak += f" with {plural(card.freezes, 'freeze')} held"
    nxt = f"next step: {short(card.next_step)}" if card.next_step else "every step done"
    head = (
        f"Progress card for {short(card.name)} on {short(card.track)}: {card.done} of "
        f"{plural(card.total, 'step')} done ({card.percent}%). Phases: "
    )
    tail = (
        f". {streak.capitalize()}; {hours(card.hours_this_week)} studied this week, "
        f"{plural(card.days_studied, 'study day')} in the last {WEEKS} weeks; {nxt}."
    )
    phases = listed(
        [f"{short(p.title)} {p.done} of {p.total}" for p in card.phases],
        LIMIT - len(head) - len(tail),
        "phase",
    )
    return finished(head + phases + tail)
