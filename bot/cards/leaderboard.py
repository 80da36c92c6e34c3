"""The leaderboard card: the top ten of a period and metric, each with their rank, initials
in a circle (Cohort keeps no avatars), name, score and a bar against the leader's; the
caller's own row below when they are outside the top ten, and their row marked."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cards.alt import LIMIT, finished, listed, short
from bot.cards.canvas import Canvas
from bot.cards.fonts import Weight, initials
from bot.cards.theme import RGB, Theme

WIDTH = 800
PAD = 32
TOP = 104  # where the first row starts
ROW = 50
TOP_TEN = 10
# Avatar circles: dark enough for white initials on both themes (4.5:1 or more).
AVATAR_COLOURS: tuple[RGB, ...] = (
    (38, 110, 102),
    (52, 94, 166),
    (125, 72, 156),
    (168, 64, 92),
    (166, 79, 30),
    (120, 98, 20),
    (62, 112, 56),
    (84, 92, 104),
)
WHITE: RGB = (255, 255, 255)
ON_MEDAL: RGB = (33, 33, 33)  # a medal's number: dark on gold, silver and bronze alike


@dataclass(frozen=True)
class Entry:
    rank: int
    member_id: int  # picks the avatar's colour, the same for a member on every card
    name: str
    value: float
    shown: str  # the value as people read it: "3 steps", "4.5 h"
    is_caller: bool = False


@dataclass(frozen=True)
class LeaderboardCard:
    title: str  # "Steps finished", "Hours studied", "Current streaks", "Kaggle attempts"
    period: str  # "this week (since Mon 16 Nov)", "all time", ""
    where: str  # the group's name, or "this community"
    entries: tuple[Entry, ...]  # the top ten
    caller: Entry | None = None  # the caller's row, when outside the top ten
    empty: str = "Nobody on the board yet."

    @property
    def height(self) -> int:
        rows = max(len(self.entries), 1)
        extra = ROW + 24 if self.caller is not None else 0
        return TOP + rows * ROW + extra + 24


def draw(card: LeaderboardCard, theme: Theme) -> Canvas:
    canvas = Canvas(WIDTH, card.height, theme)
    canvas.text(PAD, 52, card.title, 28, weight=Weight.BOLD, max_width=WIDTH - 2 * PAD)
    subtitle = " · ".join(part for part in (card.period, card.where) if part)
    canvas.text(PAD, 82, subtitle, 16, colour=theme.muted, max_width=WIDTH - 2 * PAD)
    if not card.entries:
        canvas.text(PAD, TOP + 32, card.empty, 18, colour=theme.muted, max_width=WIDTH - 2 * PAD)
        return canvas
    best = max(entry.value for entry in card.entries) or 1.0
    for index, entry in enumerate(card.entries):
        _row(canvas, entry, TOP + index * ROW, best)
    if card.caller is not None:
        gap_top = TOP + len(card.entries) * ROW
        canvas.text(WIDTH / 2, gap_top + 18, "…", 18, colour=theme.muted, align="centre")
        _row(canvas, card.caller, gap_top + 24, best)
    return canvas


def _row(canvas: Canvas, entry: Entry, top: float, best: float) -> None:
    theme = canvas.theme
    middle = top + ROW / 2
    if entry.is_caller:
        canvas.box(PAD - 12, top + 3, WIDTH - 2 * PAD + 24, ROW - 6, theme.highlight, radius=10)
    medal = {1: theme.gold, 2: theme.silver, 3: theme.bronze}.get(entry.rank)
    if medal is not None:
        canvas.circle(PAD + 16, middle, 15, medal)
        canvas.text(
            PAD + 16,
            middle + 6,
            str(entry.rank),
            16,
            colour=ON_MEDAL,
            weight=Weight.BOLD,
            align="centre",
        )
    else:
        canvas.text(
            PAD + 16,
            middle + 6,
            str(entry.rank),
            16,
            colour=theme.muted,
            weight=Weight.SEMIBOLD,
            align="centre",
        )
    colour = AVATAR_COLOURS[entry.member_id % len(AVATAR_COLOURS)]
    canvas.circle(PAD + 62, middle, 18, colour)
    letters = initials(entry.name)
    size = 15 if len(letters) > 1 else 17
    canvas.text(
        PAD + 62,
        middle + 5.5,
        letters,
        size,
        colour=WHITE,
        weight=Weight.BOLD,
        align="centre",
        max_width=32,
    )
    weight = Weight.BOLD if entry.is_caller else Weight.SEMIBOLD
    canvas.text(PAD + 92, middle + 6, entry.name, 17, weight=weight, max_width=250)
    canvas.bar(PAD + 356, middle - 5, 260, 10, entry.value / best)
    canvas.text(
        WIDTH - PAD,
        middle + 6,
        entry.shown,
        16,
        weight=Weight.SEMIBOLD,
        align="right",
        max_width=90,
    )


def alt_text(card: LeaderboardCard) -> str:
    """The board in words."""
    heading = " ".join(part for part in (card.title, card.period) if part)
    head = f"Leaderboard card, {heading}, {short(card.where)}: "
    if not card.entries:
        return finished(head + card.empty)
    tail = ""
    if card.caller is not None:
        tail = f" You are {_ordinal(card.caller.rank)} with {card.caller.shown}."
    rows = listed(
        [f"{e.rank}. {short(e.name)}, {e.shown}" for e in card.entries],
        LIMIT - len(head) - len(tail) - 1,
        "member",
        separator="; ",
    )
    return finished(f"{head}{rows}.{tail}")


def _ordinal(rank: int) -> str:
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"
