"""Browsing the roadmap: /roadmap (a phase at a time), /step and /next."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping

from bot.commands.context import CommandContext
from bot.commands.registry import CommandSet, Option, OptionKind
from bot.db.models import StepStatus
from bot.errors import UserError
from bot.markup import code, plain_text
from bot.messages import Button, ButtonStyle, Field, ProgressBar, Reply
from bot.presentation import (
    FIELD_BUDGET,
    RESOURCE_HEADINGS,
    STATUS_MARK,
    fit_lines,
    resource_line,
    starting_resource,
    text_bar,
)
from bot.roadmap.catalog import PlacedStep, Track
from bot.roadmap.schema import Step
from bot.services import progress
from bot.services.stats import TrackProgress, summarize

commands = CommandSet()


@commands.command(
    "roadmap",
    Option("track", "Which track to show (defaults to your group's)", OptionKind.TRACK),
    Option(
        "phase",
        "Which phase: its number or name (defaults to the one you're on)",
        OptionKind.TEXT,
    ),
    examples=(
        "/roadmap",
        "/roadmap phase:2",
        "/roadmap phase: deep learning",
        "/roadmap ml-engineer",
    ),
)
async def show_roadmap(ctx: CommandContext) -> Reply:
    """Show the roadmap one phase at a time, with your progress through each phase."""
    track, wanted = _track_and_phase(ctx)
    mine = summarize(track, await progress.statuses(ctx.session, ctx.member, track.id))
    number = _find_phase(track, wanted) if wanted else _current_phase(mine)
    carried = {} if track is ctx.track else {"track": track.id}
    return roadmap_page(mine, number, carried=carried)


def _track_and_phase(ctx: CommandContext) -> tuple[Track, str | None]:
    """The track and the phase asked for. A typed line fills the track first, so words
    that name no track but a phase of the caller's own (`/roadmap 2`, `/roadmap deep
    learning`) are taken for that phase."""
    named, phase = ctx.text("track"), ctx.text("phase")
    if not named:
        return ctx.track, phase
    try:
        return ctx.catalog.find(named), phase
    except UserError:
        words = f"{named} {phase}" if phase else named
        if _phase_number(ctx.track, words) is not None:
            return ctx.track, words
        raise


@commands.command(
    "step",
    Option("step", "The step's id, like python-basics", OptionKind.STEP, required=True),
    examples=("/step python-basics",),
)
async def show_step(ctx: CommandContext) -> Reply:
    """Show one step in full: what it covers, why it matters, resources and projects."""
    placed = ctx.step()
    mine = summarize(ctx.track, await progress.statuses(ctx.session, ctx.member, ctx.track.id))
    step = placed.step
    fields = [
        Field(
            "Phase",
            f"{placed.phase.title} · step {placed.index + 1} of {len(ctx.track.steps)}",
            inline=True,
        ),
        Field("Time", f"about {step.hours} hours", inline=True),
        Field("You", _status_words(mine.status(placed.id)), inline=True),
        Field("Skills", ", ".join(step.skills)),
    ]
    if step.optional:
        choice = placed.choice
        fields.append(
            Field(
                "Optional",
                f"{choice.title if choice else 'Your choice'}. It stays out of your progress "
                "and forecast until you start it.",
            )
        )
    for kind, heading in RESOURCE_HEADINGS.items():
        lines = [f"• {resource_line(r)}" for r in step.resources if r.type is kind]
        if lines:
            fields.append(Field(heading, "\n".join(lines)))
    if step.projects:
        fields.append(
            Field(
                "Project ideas",
                "\n".join(f"• **{p.title}**: {p.description}" for p in step.projects),
            )
        )
    return Reply(
        title=step.title,
        body=f"{step.summary}\n\n**Why it matters:** {step.why}",
        fields=tuple(fields),
        buttons=step_buttons(placed, mine),
        ephemeral=True,
    )


@commands.command("next")
async def show_next(ctx: CommandContext) -> Reply:
    """What to study now: your first unfinished step, and one resource to start with."""
    mine = summarize(ctx.track, await progress.statuses(ctx.session, ctx.member, ctx.track.id))
    placed = mine.next_step()
    if placed is None:
        return Reply(
            title="🎓 You've finished the whole roadmap!",
            body=(
                f"Every step of {ctx.track.title} is done or skipped. Keep your streak alive by "
                "helping others in your group, or `/reset` a step to revisit it."
            ),
            ephemeral=True,
        )
    step = placed.step
    first = starting_resource(step)
    state = mine.status(placed.id)
    lead = "Keep going with" if state is StepStatus.IN_PROGRESS else "Next up:"
    fields = [
        Field("Start with", resource_line(first)),
        Field("Phase", _phase_line(mine, placed), inline=True),
        Field("Time", f"about {step.hours} hours", inline=True),
    ]
    others = [p for p in mine.in_progress() if p.id != placed.id]
    if others:
        fields.append(Field("Also in progress", ", ".join(f"`{p.id}`" for p in others)))
    return Reply(
        title=f"{lead} {step.title}",
        body=f"{step.summary}\n\n`/step {placed.id}` has every resource and project idea.",
        fields=tuple(fields),
        buttons=step_buttons(placed, mine),
        ephemeral=True,
    )


def step_buttons(placed: PlacedStep, mine: TrackProgress) -> tuple[Button, ...]:
    state = mine.status(placed.id)
    buttons = []
    if state in {StepStatus.NOT_STARTED, StepStatus.SKIPPED}:
        buttons.append(Button("Start", "start", {"step": placed.id}, ButtonStyle.PRIMARY))
    if state is not StepStatus.DONE:
        buttons.append(Button("Done", "done", {"step": placed.id}, ButtonStyle.SECONDARY))
    return tuple(buttons)


def _phase_line(mine: TrackProgress, placed: PlacedStep) -> str:
    phase = next(p for p in mine.phases if p.phase.id == placed.phase.id)
    bar = text_bar(phase.done, phase.total)
    return f"{placed.phase.title} · {bar} {phase.done}/{phase.total}"


def _status_words(status: StepStatus) -> str:
    return {
        StepStatus.NOT_STARTED: "not started",
        StepStatus.IN_PROGRESS: "🔶 in progress",
        StepStatus.DONE: "✅ done",
        StepStatus.SKIPPED: "⏭️ skipped",
    }[status]


# Pages of /roadmap -------------------------------------------------------------------------
# Budgets in characters of reply markup. They keep a page well inside one Discord embed
# (4,096 characters of description, 25 fields of 1,024, 6,000 in all) and Slack's 3,000
# per section, with room for the escapes a platform adds, however long a phase is or
# however long the texts of a content pack are.
SUMMARY_LIMIT = 400  # a track's or a phase's summary
TITLE_LIMIT = 100  # a track or phase title in a heading, a field name or a bar
LINE_LIMIT = 200  # a step's line in the full list
STEP_TITLE_LIMIT = 80  # a step's title in the compact list
BUTTON_TITLE_LIMIT = 40  # a phase's title on a button (Slack shows 75 characters, Discord 80)
STEPS_BUDGET = 2000  # one phase's list of steps, over as many fields as it takes
BARS_BUDGET = 600  # the progress bars
BAR_OVERHEAD = 24  # what an adapter writes around a bar's label: the bar, the counts
EXTRAS_BUDGET = 300  # each of the timelines and the career path, on the first page
NAMES_BUDGET = 500  # the phase names an error lists
PHASE_NUMBER = re.compile(r"[0-9]{1,4}")  # ASCII digits only, like every number we read
# Characters a platform may write with an escape before them (Discord's markdown, Slack's
# entities): a list measured with `_size` stays within its budget however it is written.
ESCAPABLE = frozenset("\\*_~`|<>[]&")


def roadmap_page(mine: TrackProgress, number: int, *, carried: Mapping[str, str]) -> Reply:
    """Phase `number` (counted from 1) of the member's track as one page: its steps with
    their marks, bars for the phases around it, and buttons to the phases either side
    (which carry `carried`, the options that keep them on the same track). The first page
    also introduces the track: its summary, timelines and career path."""
    track, here = mine.track, mine.phases[number - 1]
    heading = (
        f"**Phase {number} of {len(mine.phases)} · {_shorten(here.phase.title, TITLE_LIMIT)}**"
    )
    parts = [
        f"{heading}\n{_shorten(here.phase.summary, SUMMARY_LIMIT)}",
        f"You've done **{mine.done} of {mine.total}** steps ({mine.percent}%). "
        "`/step <id>` shows any step in full.",
    ]
    fields = _step_fields(mine, number)
    if number == 1:
        parts.insert(0, _shorten(track.spec.summary, SUMMARY_LIMIT))
        fields += _track_fields(track)
    return Reply(
        title=f"🗺️ {_shorten(track.title, TITLE_LIMIT)}",
        body="\n\n".join(parts),
        fields=tuple(fields),
        progress=_bars(mine, number),
        buttons=_page_buttons(mine, number, carried),
        ephemeral=True,
    )


def _current_phase(mine: TrackProgress) -> int:
    """The number of the phase the member's next step is in; the last when none is left."""
    placed = mine.next_step()
    if placed is None:
        return len(mine.phases)
    return next(n for n, p in enumerate(mine.phases, start=1) if p.phase is placed.phase)


def _step_fields(mine: TrackProgress, number: int) -> list[Field]:
    """The phase's steps, each with its mark, id and title. A phase too long for that is
    listed by title alone, and one too long even then ends with how many more there are."""
    here = mine.phases[number - 1]
    steps = here.phase.steps
    lines = [
        f"{STATUS_MARK[mine.status(step.id)]} `{step.id}` {step.title}"
        + (" · _optional_" if step.optional else "")
        for step in steps
    ]
    if sum(_size(line) + 1 for line in lines) > STEPS_BUDGET or max(map(_size, lines)) > LINE_LIMIT:
        lines = _compact(mine, steps)
    title = _shorten(here.phase.title, TITLE_LIMIT)
    chunks = _chunks(lines, FIELD_BUDGET)
    names = [f"{number}. {title} · {here.done}/{here.total}"]
    names += [f"{number}. {title}, continued"] * (len(chunks) - 1)
    return [Field(name, "\n".join(chunk)) for name, chunk in zip(names, chunks, strict=True)]


def _compact(mine: TrackProgress, steps: list[Step]) -> list[str]:
    lines = [
        f"{STATUS_MARK[mine.status(s.id)]} {_shorten(s.title, STEP_TITLE_LIMIT)}" for s in steps
    ]
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        after = len(lines) - index - 1
        tail = _size(_more_steps(after)) + 1 if after else 0
        if used + _size(line) + 1 + tail > STEPS_BUDGET:
            return [*kept, _more_steps(len(lines) - index)]
        kept.append(line)
        used += _size(line) + 1
    return kept


def _more_steps(count: int) -> str:
    return f"and {count} more — `/step <id>` for any step"


def _chunks(lines: list[str], budget: int) -> list[list[str]]:
    """`lines` in consecutive groups, each joined within `budget` (see `_size`)."""
    chunks: list[list[str]] = [[]]
    used = 0
    for line in lines:
        if chunks[-1] and used + 1 + _size(line) > budget:
            chunks.append([])
            used = 0
        used += _size(line) + (1 if chunks[-1] else 0)
        chunks[-1].append(line)
    return chunks


def _track_fields(track: Track) -> list[Field]:
    fields = []
    if track.spec.timelines:
        lines = [
            f"**{_shorten(t.title, 60)}**: {_shorten(t.duration, 100)}"
            for t in track.spec.timelines
        ]
        fields.append(
            Field("How long it takes", fit_lines(lines, "timeline", budget=EXTRAS_BUDGET))
        )
    if track.spec.career_stages:
        stages = [_shorten(stage.title, 60) for stage in track.spec.career_stages]
        fields.append(Field("Where it leads", _joined(stages, " → ", "stage", EXTRAS_BUDGET)))
    return fields


def _bars(mine: TrackProgress, number: int) -> tuple[ProgressBar, ...]:
    """A bar for every phase, or when they are too many to fit, for as many phases around
    the shown one as fit."""
    bars = [
        ProgressBar(f"{n}. {_shorten(p.phase.title, TITLE_LIMIT)}", p.done, p.total)
        for n, p in enumerate(mine.phases, start=1)
    ]
    cost = [len(bar.label) + BAR_OVERHEAD for bar in bars]
    first = last = number - 1
    used = cost[first]
    grown = True
    while grown:
        grown = False
        for index in (last + 1, first - 1):
            if 0 <= index < len(bars) and used + cost[index] <= BARS_BUDGET:
                used += cost[index]
                first, last = min(first, index), max(last, index)
                grown = True
    return tuple(bars[first : last + 1])


def _page_buttons(
    mine: TrackProgress, number: int, carried: Mapping[str, str]
) -> tuple[Button, ...]:
    buttons = []
    if number > 1:
        before = _button_title(mine.phases[number - 2].phase.title)
        buttons.append(Button(f"◀ {before}", "roadmap", {**carried, "phase": str(number - 1)}))
    if number < len(mine.phases):
        after = _button_title(mine.phases[number].phase.title)
        buttons.append(Button(f"{after} ▶", "roadmap", {**carried, "phase": str(number + 1)}))
    buttons.append(Button("What should I do next?", "next", style=ButtonStyle.PRIMARY))
    return tuple(buttons)


def _button_title(title: str) -> str:
    return _shorten(plain_text(title), BUTTON_TITLE_LIMIT)


def _phase_number(track: Track, text: str) -> int | None:
    """The number of the phase `text` names: its number, its id, its title in any case, or
    the start of exactly one title or id. None when it names none."""
    typed = text.strip().strip("`").strip()
    if PHASE_NUMBER.fullmatch(typed):
        number = int(typed)
        return number if 1 <= number <= len(track.phases) else None
    wanted = _folded(typed)
    if not wanted:
        return None
    names = [(_folded(p.id), _folded(plain_text(p.title))) for p in track.phases]
    for number, (phase_id, title) in enumerate(names, start=1):
        if wanted in {phase_id, title}:
            return number
    starting = [
        number
        for number, (phase_id, title) in enumerate(names, start=1)
        if title.startswith(wanted) or phase_id.startswith(wanted)
    ]
    return starting[0] if len(starting) == 1 else None


def _find_phase(track: Track, text: str) -> int:
    """The phase `text` names, or a UserError that says which ones there are."""
    number = _phase_number(track, text)
    if number is not None:
        return number
    titles = [p.title for p in track.phases]
    folded = [_folded(plain_text(t)) for t in titles]
    close = difflib.get_close_matches(_folded(text), folded, n=1, cutoff=0.6)
    guess = folded.index(close[0]) if close else -1
    hint = f" Did you mean {titles[guess]} ({guess + 1})?" if close else ""
    names = _joined([_shorten(t, 60) for t in titles], ", ", "phase", NAMES_BUDGET)
    msg = (
        f"{_shorten(track.title, TITLE_LIMIT)} has no phase {code(text)}.{hint} "
        f"Give its number, 1 to {len(titles)}, or its name: {names}."
    )
    raise UserError(msg)


def _folded(text: str) -> str:
    """`text` as names are compared: compatibility form, folded case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _joined(items: list[str], separator: str, noun: str, budget: int) -> str:
    """`items` joined by `separator`, as many whole ones as fit in `budget`, then how many
    more there are."""
    whole = separator.join(items)
    if len(whole) <= budget:
        return whole
    kept: list[str] = []
    for index, item in enumerate(items):
        tail = f"{separator}and {len(items) - index} more {noun}s"
        if len(separator.join([*kept, item])) + len(tail) > budget:
            return separator.join(kept) + tail if kept else tail.removeprefix(separator)
        kept.append(item)
    return whole  # pragma: no cover - the whole would have fitted


def _size(text: str) -> int:
    """The characters `text` may take once a platform has escaped it."""
    return len(text) + sum(char in ESCAPABLE for char in text)


def _shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: cut after its last whole word that fits,
    with "…", never inside a word unless one word alone is longer than `limit`."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" \n,;:·-—\\") + "…"  # no half of an escape left behind
