"""The colours of a card, light and dark.

Discord's default theme is dark and Slack's is light, so a card for Discord is drawn dark
and one for Slack (or the console, whose cards are opened in an image viewer) light. Both
keep text at a contrast of 4.5:1 or more against the card (`tests/cards` checks it)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.messages import Platform

RGB = tuple[int, int, int]


class Variant(StrEnum):
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True)
class Theme:
    variant: Variant
    background: RGB
    panel: RGB  # boxes drawn on the background
    text: RGB
    muted: RGB  # secondary text: labels, units, dates
    accent: RGB  # bars, studied days, the caller's own row
    second: RGB  # a second series in a chart (steps beside hours)
    track: RGB  # the empty part of a bar, a day not studied
    gold: RGB
    silver: RGB
    bronze: RGB
    highlight: RGB  # the caller's own row on a leaderboard


LIGHT = Theme(
    variant=Variant.LIGHT,
    background=(255, 255, 255),
    panel=(244, 246, 248),
    text=(31, 35, 40),
    muted=(87, 96, 106),
    accent=(33, 128, 117),
    second=(214, 96, 56),
    track=(222, 227, 232),
    gold=(201, 151, 0),
    silver=(160, 168, 176),
    bronze=(205, 140, 90),
    highlight=(226, 243, 240),
)
DARK = Theme(
    variant=Variant.DARK,
    background=(43, 45, 49),
    panel=(53, 55, 60),
    text=(242, 243, 245),
    muted=(181, 186, 193),
    accent=(79, 209, 197),
    second=(244, 162, 97),
    track=(70, 73, 80),
    gold=(241, 196, 15),
    silver=(189, 195, 199),
    bronze=(211, 143, 90),
    highlight=(40, 72, 70),
)
THEMES = {Variant.LIGHT: LIGHT, Variant.DARK: DARK}


def theme_for(platform: Platform) -> Theme:
    """The variant that reads best on the platform's default theme."""
    return DARK if platform is Platform.DISCORD else LIGHT


def contrast(one: RGB, other: RGB) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""

    def luminance(colour: RGB) -> float:
        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(v) for v in colour)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
