"""How roadmap content and people are written into replies, the same way for commands and
for scheduled posts. Everything here returns reply markup (see `bot.markup`); text that
people typed is made literal on the way in."""

from __future__ import annotations

from collections.abc import Iterable

from bot.db.models import StepStatus
from bot.markup import literal
from bot.messages import Field, Reply
from bot.roadmap.catalog import PlacedStep
from bot.roadmap.kaggle import Challenge, kaggle_link
from bot.roadmap.schema import Resource, ResourceType

STATUS_MARK = {
    StepStatus.NOT_STARTED: "⬜",
    StepStatus.IN_PROGRESS: "🔶",
    StepStatus.DONE: "✅",
    StepStatus.SKIPPED: "⏭️",
}

RESOURCE_HEADINGS = {
    ResourceType.COURSE: "Courses",
    ResourceType.BOOK: "Books",
    ResourceType.VIDEO: "Videos",
    ResourceType.ARTICLE: "Articles",
    ResourceType.DOCS: "Docs",
    ResourceType.PRACTICE: "Practice",
}


def text_bar(done: int, total: int, width: int = 10) -> str:
    filled = round(width * done / total) if total else 0
    return "█" * filled + "░" * (width - filled)


def resource_line(resource: Resource) -> str:
    title = f"[{resource.title}]({resource.url})" if resource.url else resource.title
    parts = [title]
    if resource.author:
        parts.append(f"by {resource.author}")
    parts.append("free" if resource.cost.value == "free" else "paid")
    line = " · ".join(parts)
    return f"{line} · {resource.note}" if resource.note else line


def step_label(placed: PlacedStep) -> str:
    return f"**{placed.step.title}** (`{placed.id}`)"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def challenge_reply(challenge: Challenge, *, title: str) -> Reply:
    return Reply(
        title=title,
        body=f"**[{challenge.title}]({challenge.url})**\n{challenge.summary}",
        fields=(
            Field("Kind", challenge.kind.value, inline=True),
            Field("Skills", ", ".join(challenge.skills), inline=True),
            Field("Log your attempt", "`/kaggle submit <your notebook or submission url> [score]`"),
        ),
    )


def link_to_attempt(url: str, title: str = "See the attempt") -> str:
    """A member's Kaggle link: a link only when it reads as a well-formed kaggle.com link
    (then in its normalised form), otherwise the text they gave, shown literally."""
    link = kaggle_link(url)
    if link is None:
        return literal(url)
    return f"[{title}]({link.url})"


def name(display_name: str) -> str:
    """A member's name as they typed it: never a link, a mention or formatting."""
    return literal(display_name)


def privately(count: int, noun: str = "member") -> str:
    """How a count of hidden members' contributions is told without naming anyone."""
    return f"{plural(count, noun)} privately"


def with_hidden(lines: list[str], hidden: int, noun: str) -> list[str]:
    """`lines` about visible members, then one line counting `hidden` more of `noun`
    ("and 2 steps privately") when hidden members contributed some."""
    if not hidden:
        return lines
    if not lines:
        return [privately(hidden, noun)]
    return [*lines, f"and {privately(hidden, noun)}"]


def names_line(names: Iterable[str], hidden: int = 0) -> str:
    """`ana, ben and 1 member privately`: the shown names (made literal), then how many
    more keep themselves hidden. Empty when there is nobody at all."""
    shown = ", ".join(name(n) for n in names)
    if not hidden:
        return shown
    rest = privately(hidden)
    return f"{shown} and {rest}" if shown else rest
