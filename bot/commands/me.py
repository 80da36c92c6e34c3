"""/me: a member's own settings, and forgetting everything about them."""

from __future__ import annotations

from bot.commands.context import CommandContext
from bot.commands.registry import CommandSet, Option, OptionKind
from bot.db.models import Privacy
from bot.messages import Button, ButtonStyle, Reply
from bot.services import members
from bot.timeutil import zone

commands = CommandSet()


@commands.command(
    "me timezone",
    Option("timezone", "An IANA name like Europe/Berlin", OptionKind.TIMEZONE, required=True),
    examples=("/me timezone Europe/Berlin", "/me timezone America/New_York"),
)
async def set_timezone(ctx: CommandContext) -> Reply:
    """Set your timezone, so days, weeks and streaks follow your own clock."""
    tz = zone(ctx.text("timezone") or "")
    ctx.member.timezone = tz.key
    local = ctx.now.astimezone(tz)
    return Reply(
        body=f"🕰️ Your timezone is now **{tz.key}** (it's {local:%H:%M} on {local:%A} there).",
        ephemeral=True,
    )


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
