"""Moving through steps and seeing how it adds up: /start, /done, /skip, /reset, /progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.commands.context import CommandContext
from bot.commands.registry import MEMBER_TYPED, CommandSet, Option, OptionKind
from bot.commands.roadmap import step_buttons
from bot.db.models import Member, StepStatus
from bot.errors import UserError
from bot.markup import literal
from bot.messages import Button, ButtonStyle, Field, ProgressBar, Reply
from bot.presentation import hours, name, plural, resource_line, starting_resource, step_label
from bot.roadmap.catalog import PlacedStep
from bot.services import pictures, privacy, progress, review, stats, streaks, study, tenancy
from bot.services.progress import Outcome
from bot.timeutil import friendly_date, local_date, start_of_week

commands = CommandSet()

STEP = Option("step", "The step's id, like python-basics", OptionKind.STEP, required=True)
NOTE_LIMIT = 500


@commands.command("start", STEP, examples=("/start python-basics",))
async def start_step(ctx: CommandContext) -> Reply:
    """Mark a step as started."""
    placed = ctx.step()
    change = await _change(ctx, placed, StepStatus.IN_PROGRESS)
    if change.outcome is Outcome.BLOCKED:
        msg = (
            f"{step_label(placed)} is already done. "
            f"`/reset {placed.id}` first if you want to study it again."
        )
        raise UserError(msg)
    if change.outcome is Outcome.UNCHANGED:
        return Reply(
            body=f"You're already working on {step_label(placed)}. Keep going!", ephemeral=True
        )
    return Reply(
        title=f"🔶 Started: {placed.step.title}",
        body=f"Good luck! Start with {resource_line(starting_resource(placed.step))}.",
        buttons=(Button("Done", "done", {"step": placed.id}, ButtonStyle.PRIMARY),),
        ephemeral=True,
    )


@commands.command(
    "done",
    STEP,
    Option("note", "What you built or learned (optional)", OptionKind.TEXT, max_length=NOTE_LIMIT),
    examples=("/done python-basics", "/done python-basics built a quiz game"),
)
async def finish_step(ctx: CommandContext) -> Reply:
    """Mark a step as done, with an optional note about what you did."""
    placed = ctx.step()
    change = await _change(ctx, placed, StepStatus.DONE, note=ctx.text("note"))
    if change.outcome is Outcome.UNCHANGED:
        return Reply(body=f"{step_label(placed)} is already done. Nice work!", ephemeral=True)
    mine = stats.summarize(
        ctx.track, await progress.statuses(ctx.session, ctx.member, ctx.track.id)
    )
    streak = await streaks.current_streak(ctx.session, ctx.member, ctx.now)
    # A finished step is cheered in the channel, unless its member keeps their progress
    # hidden: then only they see the answer, and it names nobody.
    announced = privacy.is_visible(ctx.member)
    who = f"**{name(ctx.member.display_name)}**" if announced else "You"
    lines = [
        f"{who} finished {step_label(placed)}!",
        f"That's {mine.done} of {mine.total} steps ({mine.percent}%) · 🔥 "
        f"{plural(streak.days, 'day')} streak.",
    ]
    note = ctx.text("note")
    if note:
        lines.append(f"> {literal(note)}")
    nxt = mine.next_step()
    buttons: tuple[Button, ...] = ()
    if nxt is not None:
        lines.append(f"Next up: {step_label(nxt)}.")
        buttons = step_buttons(nxt, mine)
    else:
        lines.append(f"🎓 That completes {ctx.track.title}!")
    return Reply(
        title=f"✅ {placed.step.title}",
        body="\n".join(lines),
        buttons=buttons,
        ephemeral=not announced,
    )


@commands.command("skip", STEP, examples=("/skip certifications",))
async def skip_step(ctx: CommandContext) -> Reply:
    """Skip a step you don't need; it stops counting against your progress."""
    placed = ctx.step()
    change = await _change(ctx, placed, StepStatus.SKIPPED)
    if change.outcome is Outcome.BLOCKED:
        msg = f"{step_label(placed)} is already done, so there's nothing to skip."
        raise UserError(msg)
    if change.outcome is Outcome.UNCHANGED:
        return Reply(body=f"{step_label(placed)} is already skipped.", ephemeral=True)
    return Reply(
        body=f"⏭️ Skipped {step_label(placed)}. `/reset {placed.id}` brings it back.",
        ephemeral=True,
    )


@commands.command("reset", STEP, examples=("/reset python-basics",))
async def reset_step(ctx: CommandContext) -> Reply:
    """Put a step back to not started."""
    placed = ctx.step()
    change = await _change(ctx, placed, StepStatus.NOT_STARTED)
    if change.outcome is Outcome.UNCHANGED:
        return Reply(
            body=f"{step_label(placed)} hasn't been started; nothing to reset.", ephemeral=True
        )
    return Reply(body=f"↩️ {step_label(placed)} is back to not started.", ephemeral=True)


@commands.command(
    "progress",
    Option(
        "member",
        "Whose progress (defaults to yours)",
        OptionKind.MEMBER,
        max_length=MEMBER_TYPED,
    ),
    examples=("/progress", "/progress ana"),
)
async def show_progress(ctx: CommandContext) -> Reply:
    """Your progress (or a member's): per phase, study this week, streak and a forecast."""
    wanted = ctx.text("member")
    member = await tenancy.find_member(ctx.session, ctx.community, wanted) if wanted else ctx.member
    is_self = member.id == ctx.member.id
    if not is_self and not privacy.is_visible(member):
        # Only what the asker typed is echoed: a mention never turns into a hidden name.
        msg = f"{literal(wanted or '')} keeps their progress private."
        raise UserError(msg)
    track = ctx.track
    mine = stats.summarize(track, await progress.statuses(ctx.session, member, track.id))
    tz = ZoneInfo(member.timezone)
    week_start = start_of_week(ctx.now, tz)
    this_week = await stats.done_since(ctx.session, member, track.id, week_start)
    studied = await study.hours_by_member(
        ctx.session, member.community_id, [member.id], since=week_start, until=ctx.now
    )
    streak = await streaks.current_streak(ctx.session, member, ctx.now)
    skipped = f" · {mine.skipped} skipped" if mine.skipped else ""
    body = (
        f"**{mine.done} of {mine.total} steps done ({mine.percent}%)**{skipped}\n"
        f"This week: {plural(len(this_week), 'step')} · "
        f"{hours(studied.get(member.id, 0.0))} studied\n"
        f"{_streak_line(streak)}"
    )
    fields = []
    doing = mine.in_progress()
    if doing:
        fields.append(Field("In progress", ", ".join(f"`{p.id}`" for p in doing)))
    nxt = mine.next_step()
    if nxt is not None:
        fields.append(Field("Next step", step_label(nxt)))
    pace = await stats.pace(ctx.session, member, ctx.now)
    logged = await study.hours_on_steps(ctx.session, member, track.id)
    today = local_date(ctx.now, tz)
    forecast = _forecast_text(member, mine, pace, logged, today, YOU if is_self else THEY)
    fields.append(Field("Forecast", forecast))
    if is_self:  # how what they learned is holding up: theirs alone
        fields.append(
            Field("Review", _review_text(await review.health(ctx.session, member, ctx.now)))
        )
    whose = "Your" if is_self else f"{name(member.display_name)}'s"
    sketch = None
    if await pictures.wanted(ctx.session, ctx.member, ctx.group):
        card = await pictures.progress_card(
            ctx.session,
            member,
            summary=mine,
            streak=streak,
            hours_this_week=studied.get(member.id, 0.0),
            now=ctx.now,
        )
        sketch = pictures.CardSketch(card, ctx.invocation.place.platform)
    return Reply(
        title=f"📈 {whose} progress · {track.title}",
        body=body,
        fields=tuple(fields),
        progress=tuple(
            ProgressBar(p.phase.title, p.done, p.total - p.skipped) for p in mine.phases
        ),
        sketch=sketch,
        ephemeral=True,
    )


def _review_text(health: review.Health) -> str:
    week = f"{plural(health.answered_this_week, 'question')} answered this week"
    if health.answered_this_week:
        week += f" ({health.right_this_week} right)"
    if health.due:
        return f"🧠 {plural(health.due, 'step')} due for review: `/review` · {week}"
    if health.next_on is not None:
        return f"🧠 Nothing due; next review {friendly_date(health.next_on)} · {week}"
    return f"🧠 Steps you finish come back for review 1, 7 and 30 days later · {week}"


def _streak_line(streak: streaks.Streak) -> str:
    line = f"🔥 {plural(streak.days, 'day')} streak"
    if streak.freezes:
        line += f" · 🧊 {plural(streak.freezes, 'freeze')} held"
    if streak.saved:
        line += f" ({plural(len(streak.saved), 'missed day')} covered by a freeze)"
    return line


@dataclass(frozen=True)
class _Voice:
    """Whose forecast it is, as the reader hears it: their own, or someone else's."""

    your: str
    you: str
    yours: str


YOU = _Voice("your", "you", "yours")
THEY = _Voice("their", "they", "theirs")


def _forecast_text(
    member: Member,
    mine: stats.TrackProgress,
    pace: stats.Pace,
    logged: dict[str, float],
    today: date,
    voice: _Voice,
) -> str:
    your, you = voice.your, voice.you
    if not mine.ahead(mine.track.steps):
        return f"Nothing left to forecast: {your} path through the track is finished. 🎓"
    if member.began_at is None:
        if voice is THEY:
            return "Not enough data yet. They haven't logged any study yet."
        return (
            "Not enough data yet. Log your study (`/log 45m`, or `/focus`) and after your "
            "first week I'll forecast when you'll finish."
        )
    if not pace.weeks:
        ready = local_date(member.began_at + stats.WEEK, ZoneInfo(member.timezone))
        return (
            f"Not enough data yet: forecasts need a whole week of {your} study. "
            f"{voice.yours.capitalize()} will be ready on {friendly_date(ready)}."
        )
    forecast = stats.forecast(mine, pace, logged, today)
    if forecast is None or forecast.phase is None:
        return (
            f"{you.capitalize()} logged no study in {your} last "
            f"{plural(len(pace.weeks), 'week')}, so there's no pace to forecast from. "
            "`/log 45m` counts."
        )
    weeks = ", ".join(f"{w:.0f}" for w in pace.weeks)
    over = "four weeks" if len(pace.weeks) == 4 else plural(len(pace.weeks), "week") + " so far"
    lines = [
        f"{your.capitalize()} pace: about **{pace.per_week:.0f} h a week** "
        f"({your} last {over}: {weeks} h)."
    ]
    if forecast.phase_finish is not None and forecast.track_finish is not None:
        lines.append(
            f"About {forecast.track_finish.hours_left:.0f} h of {your} path remain: "
            f"{forecast.phase.title} {_when(forecast.phase_finish)}, the whole path "
            f"{_when(forecast.track_finish)}."
        )
    optional = [p for p in mine.remaining(mine.track.steps) if p not in mine.ahead([p])]
    if optional:
        lines.append(
            f"_{plural(len(optional), 'optional step')} {you} haven't started "
            "(specialisations, certifications) are left out._"
        )
    return "\n".join(lines)


def _when(finish: stats.Finish) -> str:
    if finish.earliest == finish.latest:
        return f"around {friendly_date(finish.earliest)}"
    return f"between {friendly_date(finish.earliest)} and {friendly_date(finish.latest)}"


async def _change(
    ctx: CommandContext, placed: PlacedStep, target: StepStatus, note: str | None = None
) -> progress.StepChange:
    return await progress.change_step(
        ctx.session,
        ctx.member,
        track_id=ctx.track.id,
        step_id=placed.id,
        target=target,
        now=ctx.now,
        note=note,
    )
