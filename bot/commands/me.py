"""/me: a member's own settings, and forgetting everything about them."""

from __future__ import annotations

from bot.commands.context import CommandContext
from bot.commands.registry import CommandSet, Option, OptionKind
from bot.db.models import Privacy, Role
from bot.messages import Attachment, Button, ButtonStyle, Reply
from bot.presentation import plural
from bot.services import away, helping, members, pictures, privacy, schedules
from bot.timeutil import friendly_date, local_date, parse_hour_range, zone

commands = CommandSet()


@commands.command(
    "me timezone",
    Option("timezone", "An IANA name like Europe/Berlin", OptionKind.TIMEZONE, required=True),
    examples=("/me timezone Europe/Berlin", "/me timezone America/New_York"),
)
async def set_timezone(ctx: CommandContext) -> Reply:
    """Set your timezone, so days, weeks and streaks follow your own clock."""
    tz = zone(ctx.text("timezone") or "")
    await schedules.set_clock(ctx.session, ctx.member, now=ctx.now, timezone=tz.key)
    local = ctx.now.astimezone(tz)
    return Reply(
        body=f"🕰️ Your timezone is now **{tz.key}** (it's {local:%H:%M} on {local:%A} there).",
        ephemeral=True,
    )


@commands.command(
    "me role",
    Option(
        "role",
        "learner or organiser",
        OptionKind.CHOICE,
        required=True,
        choices=tuple(r.value for r in Role),
    ),
    examples=("/me role organiser", "/me role learner"),
)
async def set_role(ctx: CommandContext) -> Reply:
    """Say whether you study here (learner) or run the group (organiser)."""
    role = Role(ctx.text("role") or Role.LEARNER.value)
    await schedules.set_role(ctx.session, ctx.member, role, now=ctx.now)
    if role is Role.ORGANISER:
        text = (
            "🧭 You're an organiser here: no reminders or nudges, and you're not counted "
            "among those who haven't checked in. `/me role learner` if you start studying."
        )
    else:
        text = (
            "📚 You're a learner: I'll remind you before check-ins close and nudge you if "
            "you go quiet (`/me reminders off` stops both)."
        )
    return Reply(body=text, ephemeral=True)


@commands.command(
    "me privacy",
    Option(
        "privacy",
        "public or hidden",
        OptionKind.CHOICE,
        required=True,
        choices=tuple(p.value for p in Privacy),
    ),
    examples=("/me privacy hidden", "/me privacy public"),
)
async def set_privacy(ctx: CommandContext) -> Reply:
    """Choose whether others can see your progress and you appear on leaderboards."""
    privacy = Privacy(ctx.text("privacy") or Privacy.PUBLIC.value)
    ctx.member.privacy = privacy.value
    if privacy is Privacy.HIDDEN:
        text = "🙈 You're hidden: others can't see your progress or find you on leaderboards."
    else:
        text = "👋 You're public: your group can see your progress and you'll be on leaderboards."
    return Reply(body=text, ephemeral=True)


@commands.command(
    "me forget",
    Option(
        "confirm",
        "yes deletes everything; you'll be asked first",
        OptionKind.CHOICE,
        choices=("yes", "no"),
    ),
    examples=("/me forget",),
)
async def forget_me(ctx: CommandContext) -> Reply:
    """Delete all your data in this community: progress, history and settings."""
    answer = ctx.text("confirm")
    if answer == "yes":
        await members.forget(ctx.session, ctx.member)
        return Reply(
            body="🗑️ Done. Everything Cohort knew about you here is deleted. "
            "If you use Cohort again, you'll start fresh.",
            ephemeral=True,
        )
    if answer == "no":
        return Reply(body="Nothing was deleted. 👍", ephemeral=True)
    return Reply(
        title="Delete all your data?",
        body=(
            "This removes your progress on every step, your history, streaks and settings in "
            "this community. It can't be undone."
        ),
        buttons=(
            Button("Delete my data", "me forget", {"confirm": "yes"}, ButtonStyle.DANGER),
            Button("Keep it", "me forget", {"confirm": "no"}, ButtonStyle.SECONDARY),
        ),
        ephemeral=True,
    )


@commands.command("me export", examples=("/me export",))
async def export_me(ctx: CommandContext) -> Reply:
    """Get a file of everything Cohort holds about you in this community."""
    data = await members.export(ctx.session, ctx.member, now=ctx.now)
    stamp = ctx.now.astimezone(ctx.tz).strftime("%Y-%m-%d")
    counted = sum(len(rows) for rows in data.values() if isinstance(rows, list))
    return Reply(
        title="📦 Your data",
        body=(
            "Here is everything Cohort holds about you in this community, as JSON: your "
            f"settings, progress, history, study time, check-ins and Kaggle attempts "
            f"({plural(counted, 'record')}). `/me forget` deletes it all."
        ),
        attachment=Attachment(
            filename=f"cohort-export-{stamp}.json",
            data=members.export_json(data),
            description="Everything Cohort holds about you in this community, as JSON.",
        ),
        ephemeral=True,
    )


@commands.command(
    "me reminders",
    Option("setting", "on or off", OptionKind.CHOICE, required=True, choices=("on", "off")),
    examples=("/me reminders off",),
)
async def set_reminders(ctx: CommandContext) -> Reply:
    """Turn check-in reminders and nudges by DM on or off."""
    await schedules.set_reminders(ctx.session, ctx.member, ctx.text("setting") == "on", now=ctx.now)
    if ctx.member.reminders:
        return Reply(
            body="🔔 Reminders are on. I'll DM you before check-ins close.", ephemeral=True
        )
    return Reply(body="🔕 Reminders are off. I won't DM you reminders or nudges.", ephemeral=True)


@commands.command(
    "me images",
    Option("setting", "on or off", OptionKind.CHOICE, required=True, choices=("on", "off")),
    examples=("/me images off", "/me images on"),
)
async def set_images(ctx: CommandContext) -> Reply:
    """Turn pictures (progress and leaderboard cards) in your own replies on or off."""
    on = ctx.text("setting") == "on"
    await members.set_images(ctx.session, ctx.member, on)
    if not on:
        return Reply(
            body="🚫 No more pictures in your replies: you'll get text only, which says "
            "everything the cards showed. `/me images on` brings them back.",
            ephemeral=True,
        )
    text = "🖼️ Pictures are on: `/progress` and `/leaderboard` come with a card."
    if ctx.group is not None and not await pictures.wanted(ctx.session, None, ctx.group):
        text += " This group has them off for everyone, though, so here you'll still get text."
    return Reply(body=text, ephemeral=True)


@commands.command(
    "me mentor",
    Option("setting", "on or off", OptionKind.CHOICE, required=True, choices=("on", "off")),
    examples=("/me mentor on", "/me mentor off"),
)
async def set_mentor(ctx: CommandContext) -> Reply:
    """Say whether I may ask you to help members stuck on steps you finished."""
    on = ctx.text("setting") == "on"
    await helping.set_mentor(ctx.session, ctx.member, on)
    if not on:
        return Reply(
            body="⏸️ Mentoring paused: I won't ask you to help. `/me mentor on` when you're back.",
            ephemeral=True,
        )
    text = (
        "🤝 Thanks! When someone is stuck on a step you finished, I may DM you to ask for "
        f"help: at most {helping.ASKS_A_DAY} a day, never in your quiet hours. "
        "`/me mentor off` pauses it."
    )
    if not privacy.is_visible(ctx.member):
        text += " You're hidden, though, and hidden members are never asked: `/me privacy public`."
    return Reply(body=text, ephemeral=True)


@commands.command(
    "me quiet",
    Option("hours", "Quiet hours in your timezone, like 22-08", required=True),
    examples=("/me quiet 22-08", "/me quiet 23-07"),
)
async def set_quiet_hours(ctx: CommandContext) -> Reply:
    """Set the hours (your time) when I never DM you, like 22-08."""
    start, end = parse_hour_range(ctx.text("hours") or "")
    await schedules.set_clock(ctx.session, ctx.member, now=ctx.now, quiet=(start, end))
    return Reply(
        body=f"🌙 Quiet hours set: no DMs from {int(start):02d}:00 to {int(end):02d}:00 "
        f"({ctx.member.timezone}).",
        ephemeral=True,
    )


@commands.command(
    "me vacation",
    Option(
        "days",
        "How many days you're away (0 means you're back)",
        OptionKind.INTEGER,
        required=True,
        min_value=0,
        max_value=90,
    ),
    examples=("/me vacation 7", "/me vacation 0"),
)
async def set_vacation(ctx: CommandContext) -> Reply:
    """Go on vacation: no nudges, and your streak is frozen until you're back."""
    days = int(ctx.args["days"])
    if days == 0:
        back = await away.come_back(ctx.session, ctx.member, ctx.now)
        await schedules.away_changed(ctx.session, ctx.member, now=ctx.now)
        text = "👋 Welcome back!" if back else "You weren't on vacation."
        return Reply(body=text, ephemeral=True)
    vacation = await away.go_away(ctx.session, ctx.member, ctx.now, days)
    await schedules.away_changed(ctx.session, ctx.member, now=ctx.now)
    until = local_date(vacation.ends_at, ctx.tz)
    return Reply(
        body=f"🏖️ Enjoy! No nudges until {friendly_date(until)}, and your streak waits for you.",
        ephemeral=True,
    )
