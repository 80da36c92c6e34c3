"""How roadmap content and people are written into replies, the same way for commands and
for scheduled posts. Everything here returns reply markup (see `bot.markup`); text that
people typed is made literal on the way in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.db.models import Member, StepStatus
from bot.markup import code, link, literal
from bot.messages import Button, ButtonStyle, Field, Reply
from bot.roadmap.catalog import PlacedStep
from bot.roadmap.kaggle import Challenge, kaggle_link
from bot.roadmap.schema import QuestionKind, Resource, ResourceType, ReviewQuestion, Step
from bot.timeutil import friendly_date

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
    title = link(resource.title, resource.url) if resource.url else resource.title
    parts = [title]
    if resource.author:
        parts.append(f"by {resource.author}")
    parts.append("free" if resource.cost.value == "free" else "paid")
    line = " · ".join(parts)
    return f"{line} · {resource.note}" if resource.note else line


def starting_resource(step: Step) -> Resource:
    """The resource to start a step with: its first free one, if it has any."""
    return next((r for r in step.resources if r.cost.value == "free"), step.resources[0])


def step_label(placed: PlacedStep) -> str:
    return f"**{placed.step.title}** (`{placed.id}`)"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def challenge_reply(challenge: Challenge, *, title: str) -> Reply:
    return Reply(
        title=title,
        body=f"**{link(challenge.title, challenge.url)}**\n{challenge.summary}",
        fields=(
            Field("Kind", challenge.kind.value, inline=True),
            Field("Skills", ", ".join(challenge.skills), inline=True),
            Field("Log your attempt", "`/kaggle submit <your notebook or submission url> [score]`"),
        ),
    )


def link_to_attempt(url: str, title: str = "See the attempt") -> str:
    """A member's Kaggle link: a link only when it reads as a well-formed kaggle.com link
    (then in its normalised form), otherwise the text they gave, shown literally."""
    found = kaggle_link(url)
    if found is None:
        return literal(url)
    return link(title, found.url)


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


def zone_note(member: Member) -> str:
    """Which clock a time shown to `member` is on. Until they choose their own timezone it
    is their group's, and the note says how to change it."""
    if member.timezone_chosen:
        return f"{member.timezone} time"
    return f"{member.timezone} time, your group's; `/me timezone` sets your own"


def their_time(moment: datetime, member: Member, pattern: str = "%A %d %b at %H:%M") -> str:
    """`moment` on the member's own clock, saying which clock that is."""
    local = moment.astimezone(ZoneInfo(member.timezone))
    return f"{local.strftime(pattern)} ({zone_note(member)})"


def hours(value: float) -> str:
    """Study hours as people say them: `45 min`, `6 h`, `6.5 h`."""
    if 0 < value < 1:
        return f"{round(value * 60)} min"
    return f"{value:.1f}".removesuffix(".0") + " h"


def minutes_text(minutes: float) -> str:
    """A logged duration as people say it: `45 min`, `1 h 30 min`, `6 h`."""
    whole = round(minutes)
    h, m = divmod(whole, 60)
    if not h:
        return f"{m} min"
    return f"{h} h {m} min" if m else f"{h} h"


FIELD_BUDGET = 1000  # characters a list in one field of a reply may take, on any platform


def fit_lines(lines: list[str], noun: str, *, budget: int = FIELD_BUDGET) -> str:
    """`lines` joined, as many whole lines as fit in `budget`, then "and N more <noun>s"
    for the rest: never a line, a name or a link cut in the middle."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        rest = len(lines) - index - 1
        tail = len(f"\nand {rest} more {noun}s") if rest else 0
        if used + len(line) + 1 + tail > budget:
            left = len(lines) - index
            kept.append(f"and {plural(left, 'more ' + noun)}")
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


def fit_names(names: list[str], hidden: int = 0, *, budget: int = FIELD_BUDGET) -> str:
    """`names_line` in at most `budget` characters: as many whole names as fit, then how
    many more there are ("ana, ben and 41 more members (1 privately)")."""
    whole = names_line(names, hidden)
    if len(whole) <= budget:
        return whole
    shown: list[str] = []
    for index, who in enumerate(names):
        rest = len(names) - index
        tail = f" and {plural(rest + hidden, 'more member')}"
        tail += f" ({hidden} privately)" if hidden else ""
        if len(", ".join([*shown, name(who)])) + len(tail) > budget:
            return ", ".join(shown) + tail if shown else tail.removeprefix(" and ")
        shown.append(name(who))
    return ", ".join(shown)  # pragma: no cover - the whole line would have fitted


# Spaced review: the same question, whether `/review` asks it or the day's DM does.

REVIEW_ANSWER_OPTION = "text"


def review_question(
    card_id: int, answers: int, placed: PlacedStep, question: ReviewQuestion, due: int
) -> Reply:
    """A review question with a button per choice, or one that opens a form to type the
    answer. The buttons name the card and how many answers it had (`12.3`), so a button
    pressed after the question moved on answers nothing."""
    card = f"{card_id}.{answers}"
    more = f" · {plural(due - 1, 'more')} due today" if due > 1 else ""
    body = f"{literal(question.prompt)}\n\n_From {step_label(placed)}{more}._"
    if question.kind is QuestionKind.CHOICE:
        buttons = tuple(
            Button(choice, "answer", {"card": card, "choice": str(number)})
            for number, choice in enumerate(question.choices, start=1)
        )
    else:
        body += f"\nPress **Answer** to type it, or `/answer {card_id} <your answer>`."
        buttons = (Button("Answer", "answer", {"card": card}, ButtonStyle.PRIMARY, form="text"),)
    return Reply(title=f"🧠 Review · {placed.step.title}", body=body, buttons=buttons)


def review_result(
    right: bool,
    question: ReviewQuestion,
    given: str,
    comes_back: date | None,
    more_due: int,
) -> Reply:
    """How an answer went, why, and when the step comes back."""
    verdict = (
        "✅ Right!" if right else f"❌ Not quite: the answer is **{literal(question.answer)}**."
    )
    lines = [f"{verdict} You said {code(given)}.", literal(question.explanation)]
    if comes_back is None:
        lines.append("That was this step's last review. 🎓")
    else:
        lines.append(f"This step comes back {friendly_date(comes_back)}.")
    buttons: tuple[Button, ...] = ()
    if more_due:
        lines.append(f"{plural(more_due, 'more question')} due today.")
        buttons = (Button("Next question", "review", style=ButtonStyle.PRIMARY),)
    return Reply(title="🧠 Review", body="\n".join(lines), buttons=buttons, ephemeral=True)
