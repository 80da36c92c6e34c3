"""Alt text: what a card shows, in words, short enough for every platform to carry whole
(Slack takes 1,000 characters of a file's description, Discord 1,024)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.cards.fonts import drawable
from bot.markup import literal

LIMIT = 1000
NAME = 48  # characters of a name or title in alt text; longer ones end with "…"


def short(text: str, limit: int = NAME) -> str:
    """`text` on one line, at most `limit` characters, ending with "…" when cut."""
    flat = drawable(text) or "?"
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def listed(items: Sequence[str], budget: int, noun: str, separator: str = ", ") -> str:
    """As many of `items` as fit `budget` characters, then "and N more <noun>s"."""
    kept: list[str] = []
    for index, item in enumerate(items):
        rest = len(items) - index - 1
        more = f"{separator}and {rest} more {noun}s" if rest else ""
        if len(separator.join([*kept, item])) + len(more) > budget:
            left = len(items) - len(kept)
            return separator.join([*kept, f"and {left} more {noun}{'s' if left != 1 else ''}"])
        kept.append(item)
    return separator.join(kept)


def finished(plain: str) -> str:
    """Plain alt text as reply markup (every character shown as it is), at most `LIMIT`."""
    return literal(plain if len(plain) <= LIMIT else plain[: LIMIT - 1].rstrip() + "…")
