"""Pictures of what Cohort's answers say: the progress card, the leaderboard card and the
week at a glance, drawn with Pillow as PNG images with alt text.

A card is drawn from plain values (`ProgressCard`, `LeaderboardCard`, `WeekCard`), which
`bot.services.pictures` reads from the database; nothing here touches the database or a
platform. `picture` draws in a worker thread, so the event loop never waits on it."""

from __future__ import annotations

import asyncio

from bot.cards import leaderboard, progress, week
from bot.cards.leaderboard import Entry, LeaderboardCard
from bot.cards.progress import PhaseBar, ProgressCard
from bot.cards.theme import DARK, LIGHT, Theme, Variant, theme_for
from bot.cards.week import WeekCard, WeekDay
from bot.messages import Image

Card = ProgressCard | LeaderboardCard | WeekCard

__all__ = [
    "DARK",
    "LIGHT",
    "Card",
    "Entry",
    "LeaderboardCard",
    "PhaseBar",
    "ProgressCard",
    "Theme",
    "Variant",
    "WeekCard",
    "WeekDay",
    "alt_text",
    "picture",
    "render",
    "theme_for",
]


def render(card: Card, theme: Theme) -> Image:
    """`card` as a PNG image with its alt text (blocking: see `picture`)."""
    if isinstance(card, ProgressCard):
        canvas = progress.draw(card, theme)
    elif isinstance(card, LeaderboardCard):
        canvas = leaderboard.draw(card, theme)
    else:
        canvas = week.draw(card, theme)
    return Image(canvas.png(), alt_text(card))


def alt_text(card: Card) -> str:
    if isinstance(card, ProgressCard):
        return progress.alt_text(card)
    if isinstance(card, LeaderboardCard):
        return leaderboard.alt_text(card)
    return week.alt_text(card)


async def picture(card: Card, theme: Theme) -> Image:
    """`render` in a worker thread."""
    return await asyncio.to_thread(render, card, theme)
