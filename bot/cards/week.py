"""The week at a glance, for the weekly summary: the group's study hours and steps finished
on each of the seven days as one small chart (a pair of bars a day, each series against its
own largest day, its value above it), and how many checked in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.cards.alt import finished, short
from bot.cards.canvas import Canvas
from bot.cards.fonts import Weight
from bot.cards.theme import Theme
from bot.presentation import hours, plural

WIDTH, HEIGHT = 800, 400
PAD = 32
CHART_LEFT, CHART_RIGHT = PAD, 560
CHART_TOP, CHART_BOTTOM = 150, 330


@dataclass(frozen=True)
class WeekDay:
    day: date
    hours: float
    steps: int


@dataclass(frozen=True)
class WeekCard:
    group: str  # the group's name, or "" when it has none
    days: tuple[WeekDay, ...]  # seven, oldest first
    checked_in: int
    expected: int  # learners who were asked (not away), and anyone else who answered

    @property
    def hours(self) -> float:
        return sum(d.hours for d in self.days)

    @property
    def steps(self) -> int:
        return sum(d.steps for d in self.days)

    @property
    def dates(self) -> str:
        first, last = self.days[0].day, self.days[-1].day
        if first.month == last.month:
            return f"{first.day}–{last.day} {last:%b}"
        return f"{first.day} {first:%b} – {last.day} {last:%b}"


def draw(card: WeekCard, theme: Theme) -> Canvas:
    canvas = Canvas(WIDTH, HEIGHT, theme)
    canvas.text(PAD, 52, "Week at a glance", 28, weight=Weight.BOLD)
    subtitle = " · ".join(p for p in (card.group, card.dates) if p)
    canvas.text(PAD, 82, subtitle, 16, colour=theme.muted, max_width=WIDTH - 2 * PAD)
    _legend(canvas, card, top=112)
    _chart(canvas, card)
    _checked_in(canvas, card, left=592, top=112)
    return canvas


def _legend(canvas: Canvas, card: WeekCard, top: float) -> None:
    theme = canvas.theme
    canvas.box(PAD, top - 11, 12, 12, theme.accent, radius=3)
    first = f"hours studied ({hours(card.hours)})"
    width = canvas.text(PAD + 18, top, first, 14, colour=theme.muted)
    left = PAD + 18 + width + 20
    canvas.box(left, top - 11, 12, 12, theme.second, radius=3)
    canvas.text(left + 18, top, f"steps finished ({card.steps})", 14, colour=theme.muted)


def _chart(canvas: Canvas, card: WeekCard) -> None:
    theme = canvas.theme
    canvas.box(CHART_LEFT, CHART_BOTTOM, CHART_RIGHT - CHART_LEFT, 1, theme.track)
    most_hours = max((d.hours for d in card.days), default=0.0) or 1.0
    most_steps = max((d.steps for d in card.days), default=0) or 1
    slot = (CHART_RIGHT - CHART_LEFT) / max(len(card.days), 1)
    bar = min(22.0, slot / 3)
    room = CHART_BOTTOM - CHART_TOP - 20
    for index, day in enumerate(card.days):
        centre = CHART_LEFT + slot * (index + 0.5)
        series = (
            (centre - bar - 2, day.hours / most_hours, theme.accent, _short_hours(day.hours)),
            (centre + 2, day.steps / most_steps, theme.second, str(day.steps)),
        )
        for left, fraction, colour, label in series:
            height = room * fraction
            if height > 0:
                canvas.box(left, CHART_BOTTOM - height, bar, height, colour, radius=3)
            canvas.text(
                left + bar / 2,
                CHART_BOTTOM - height - 6,
                label,
                12,
                colour=theme.muted,
                align="centre",
            )
        canvas.text(
            centre, CHART_BOTTOM + 22, f"{day.day:%a}", 14, weight=Weight.SEMIBOLD, align="centre"
        )
        canvas.text(
            centre, CHART_BOTTOM + 40, str(day.day.day), 12, colour=theme.muted, align="centre"
        )


def _short_hours(value: float) -> str:
    return "0" if value <= 0 else f"{value:.1f}".removesuffix(".0")


def _checked_in(canvas: Canvas, card: WeekCard, left: float, top: float) -> None:
    theme = canvas.theme
    width = WIDTH - PAD - left
    canvas.box(left, top - 20, width, 236, theme.panel, radius=12)
    canvas.text(left + 20, top + 12, "Checked in", 16, colour=theme.muted, weight=Weight.SEMIBOLD)
    canvas.text(left + 20, top + 70, str(card.checked_in), 48, weight=Weight.BOLD)
    canvas.text(left + 20, top + 100, f"of {card.expected}", 18, colour=theme.muted)
    fraction = card.checked_in / card.expected if card.expected else 0.0
    canvas.bar(left + 20, top + 124, width - 40, 12, fraction)
    percent = f"{round(100 * fraction)}%" if card.expected else "nobody expected"
    canvas.text(left + 20, top + 166, percent, 16, weight=Weight.SEMIBOLD)


def alt_text(card: WeekCard) -> str:
    """The chart in words."""
    where = f" in {short(card.group)}" if card.group else ""
    per_day = ", ".join(
        f"{d.day:%a} {hours(d.hours) if d.hours else '0 h'} and {plural(d.steps, 'step')}"
        for d in card.days
    )
    return finished(
        f"Week at a glance{where}, {card.dates}: {hours(card.hours)} studied and "
        f"{plural(card.steps, 'step')} finished. By day: {per_day}. "
        f"{card.checked_in} of {card.expected} checked in."
    )
