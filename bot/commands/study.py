"""Study time: /log what you studied, /focus for a timed session."""

from __future__ import annotations

from datetime import timedelta

from bot.commands.context import CommandContext
from bot.commands.registry import CommandSet, Option, OptionKind
from bot.db.models import FocusSession
from bot.errors import UserError
from bot.markup import code, literal
from bot.messages import Button, ButtonStyle, Reply
from bot.presentation import hours, minutes_text, step_label, their_time
from bot.roadmap.catalog import PlacedStep
from bot.services import streaks, study

commands = CommandSet()
NOTE_LIMIT = 300


def _step_or_note(ctx: CommandContext) -> tuple[PlacedStep | None, str | None]:
    """The step and note of a /log. A first word that names no step, and looks like no
    step either, starts the note: `/log 45m reading chapter 3` is a note, while a typo of
    a step id gets "Did you mean" so the time lands on the right step."""
    step_text, note = ctx.text("step"), ctx.text("note")
    if not step_text:
        return None, note
    track = ctx.track
    cleaned = step_text.strip().strip("`").lower()
    found = track.get(cleaned) or next(
        (p for p in track.steps if p.step.title.lower() == cleaned), None
    )
    if found is not None:
        return found, note
    if "-" in cleaned or track.suggest(cleaned):
        return ctx.step(), note  # raises with a suggestion
    merged = " ".join(part for part in (step_text, note) if part)
    if len(merged) > NOTE_LIMIT:
        msg = f"The note is too long ({len(merged)} characters); keep it under {NOTE_LIMIT}."
        raise UserError(msg)
    return None, merged


@commands.command(
    "log",
    Option("duration", "How long you studied: 45m, 1h30, 1.5h", required=True, max_length=20),
    Option("step", "The step you studied (optional), like linear-algebra", OptionKind.STEP),
    Option("note", "What you did (optional)", OptionKind.TEXT, max_length=NOTE_LIMIT),
    examples=("/log 45m", "/log 1h30 linear-algebra reading ch. 3"),
)
async def log_study(ctx: CommandContext) -> Reply:
    """Log time you studied, optionally on a step, with an optional note."""
    minutes = study.parse_duration(ctx.text("duration") or "")
    placed, note = _step_or_note(ctx)
    await study.log(
        ctx.session,
        ctx.member,
        minutes=minutes,
        now=ctx.now,
        group=ctx.group,
        track=ctx.track,
        step=placed,
        note=note,
    )
    streak = await streaks.current_streak(ctx.session, ctx.member, ctx.now)
    on = f" on {step_label(placed)}" if placed is not None else ""
    lines = [f"⏱️ Logged **{minutes_text(minutes)}**{on}. 🔥 {_days(streak.days)} streak."]
    if note:
        lines.append(f"> {literal(note)}")
    return Reply(body="\n".join(lines), ephemeral=True)


def _days(count: int) -> str:
    return f"{count}-day"


@commands.command(
    "focus",
    Option(
        "minutes",
        f"Minutes to focus ({study.FOCUS_DEFAULT} by default), or stop",
        max_length=20,
    ),
    Option("step", "The step you'll work on (optional)", OptionKind.STEP),
    examples=("/focus", "/focus 50 linear-algebra", "/focus stop"),
)
async def focus(ctx: CommandContext) -> Reply:
    """Start a focus session (25 minutes by default); `/focus stop` ends it early."""
    wanted = (ctx.text("minutes") or "").strip().lower()
    running = await study.running_focus(ctx.session, ctx.member)
    if running is not None and running.ends_at <= ctx.now:
        track = ctx.catalog.track_or_default(running.track_id)
        logged = await study.end_focus(ctx.session, ctx.member, running, now=ctx.now, track=track)
        running = None  # its time was up: it is logged, and a new one may start
        if wanted == "stop":
            done = hours(logged.minutes / 60) if logged is not None else "its time"
            return Reply(body=f"Your session had already finished: {done} logged.", ephemeral=True)
    if wanted == "stop":
        return await _stop(ctx, running)
    if running is not None:
        return _already(ctx, running)
    minutes = _focus_minutes(wanted)
    placed = ctx.step() if ctx.text("step") else None
    session = await study.start_focus(
        ctx.session,
        ctx.member,
        minutes=minutes,
        now=ctx.now,
        group=ctx.group,
        channel_id=ctx.invocation.place.channel_id,
        track=ctx.track,
        step=placed,
    )
    if session is None:  # another start won the race
        raced = await study.running_focus(ctx.session, ctx.member)
        if raced is not None:
            return _already(ctx, raced)
        msg = "A focus session just started or ended elsewhere; try `/focus` again."
        raise UserError(msg)
    on = f" on {step_label(placed)}" if placed is not None else ""
    return Reply(
        title=f"🍅 Focus: {minutes} minutes{on}",
        body=(
            f"Go! I'll DM you at {their_time(session.ends_at, ctx.member, '%H:%M')} and log "
            "the time. `/focus stop` ends it early and logs what you did."
        ),
        buttons=(Button("Stop", "focus", {"minutes": "stop"}, ButtonStyle.SECONDARY),),
        ephemeral=True,
    )


def _already(ctx: CommandContext, running: FocusSession) -> Reply:
    left = max(1, round((running.ends_at - ctx.now) / timedelta(minutes=1)))
    return Reply(
        body=(
            f"You're already focusing: {left} min to go, until "
            f"{their_time(running.ends_at, ctx.member, '%H:%M')}. `/focus stop` ends it."
        ),
        buttons=(Button("Stop", "focus", {"minutes": "stop"}, ButtonStyle.SECONDARY),),
        ephemeral=True,
    )


def _focus_minutes(text: str) -> int:
    if not text:
        return study.FOCUS_DEFAULT
    if not text.isascii() or not text.isdigit() or len(text) > 3:
        msg = (
            f"{code(text)} isn't a number of minutes. Try `/focus` ({study.FOCUS_DEFAULT} "
            "minutes), `/focus 50`, or `/focus stop`."
        )
        raise UserError(msg)
    minutes = int(text)
    if not study.FOCUS_MIN <= minutes <= study.FOCUS_MAX:
        msg = f"A focus session lasts {study.FOCUS_MIN} to {study.FOCUS_MAX} minutes."
        raise UserError(msg)
    return minutes


async def _stop(ctx: CommandContext, running: FocusSession | None) -> Reply:
    if running is None:
        return Reply(body="No focus session is running. `/focus` starts one.", ephemeral=True)
    track = ctx.catalog.track_or_default(running.track_id)
    logged = await study.end_focus(ctx.session, ctx.member, running, now=ctx.now, track=track)
    if logged is None:
        return Reply(body="Stopped. It ran under a minute, so nothing was logged.", ephemeral=True)
    return Reply(
        body=f"⏹️ Stopped. Logged **{hours(logged.minutes / 60)}** of focus. Nice work!",
        ephemeral=True,
    )
