"""Small text helpers shared by command replies."""

from __future__ import annotations

from bot.db.models import StepStatus
from bot.messages import Field, Reply
from bot.roadmap.catalog import PlacedStep
from bot.roadmap.kaggle import Challenge
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
