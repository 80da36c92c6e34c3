"""Browsing the roadmap: /roadmap, /step and /next."""

from __future__ import annotations

from bot.commands.context import CommandContext
from bot.commands.registry import CommandSet, Option, OptionKind
from bot.db.models import StepStatus
from bot.messages import Button, ButtonStyle, Field, ProgressBar, Reply
from bot.presentation import (
    RESOURCE_HEADINGS,
    STATUS_MARK,
    resource_line,
    starting_resource,
    text_bar,
)
from bot.roadmap.catalog import PlacedStep
from bot.services import progress
from bot.services.stats import TrackProgress, summarize

commands = CommandSet()


@commands.command(
    "roadmap",
    Option("track", "Which track to show (defaults to your group's)", OptionKind.TRACK),
    examples=("/roadmap", "/roadmap ml-engineer"),
)
async def show_roadmap(ctx: CommandContext) -> Reply:
    """Show the roadmap's phases and steps, with your progress through each phase."""
    wanted = ctx.text("track")
    track = ctx.catalog.find(wanted) if wanted else ctx.track
    mine = summarize(track, await progress.statuses(ctx.session, ctx.member, track.id))
    fields = []
    for number, phase in enumerate(mine.phases, start=1):
        lines = [
            f"{STATUS_MARK[mine.status(step.id)]} `{step.id}` {step.title}"
            + (" · _optional_" if step.optional else "")
            for step in phase.phase.steps
        ]
        name = f"{number}. {phase.phase.title} · {phase.done}/{phase.total}"
        fields.append(Field(name, "\n".join(lines)))
    if track.spec.timelines:
        timelines = "\n".join(f"**{t.title}**: {t.duration}" for t in track.spec.timelines)
        fields.append(Field("How long it takes", timelines))
    if track.spec.career_stages:
        path = " → ".join(stage.title for stage in track.spec.career_stages)
        fields.append(Field("Where it leads", path))
    return Reply(
        title=f"🗺️ {track.title}",
        body=(
            f"{track.spec.summary}\n\n"
            f"You've done **{mine.done} of {mine.total}** steps ({mine.percent}%). "
            "`/step <id>` shows any step in full."
        ),
        fields=tuple(fields),
        progress=tuple(
            ProgressBar(f"{n}. {p.phase.title}", p.done, p.total)
            for n, p in enumerate(mine.phases, start=1)
        ),
        buttons=(Button("What should I do next?", "next", style=ButtonStyle.PRIMARY),),
        ephemeral=True,
    )


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
        fields.append(
            Field(
                "Optional",
                f"{step.choice or 'Your choice'}. It stays out of your progress forecast "
                "until you start it.",
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
