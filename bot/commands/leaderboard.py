"""/leaderboard: the group's standings for a week, a month or all time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.commands.context import CommandContext
from bot.commands.registry import CommandSet, Option, OptionKind
from bot.markup import literal
from bot.messages import Reply
from bot.presentation import name
from bot.services import privacy
from bot.services.leaderboard import Metric, Period, Standing, leaderboard
from bot.timeutil import start_of_month, start_of_week

commands = CommandSet()

TOP = 10
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
PERIOD_WORDS = {Period.WEEK: "this week", Period.MONTH: "this month", Period.ALL: "all time"}


@commands.command(
    "leaderboard",
    Option(
        "period", "week, month or all", OptionKind.CHOICE, choices=tuple(p.value for p in Period)
    ),
    Option(
        "metric",
        "steps finished, current streak, or Kaggle attempts",
        OptionKind.CHOICE,
        choices=tuple(m.value for m in Metric),
    ),
    examples=("/leaderboard", "/leaderboard month", "/leaderboard all streak"),
)
async def show_leaderboard(ctx: CommandContext) -> Reply:
    """The group's leaderboard: steps finished this week, month or all time, or streaks."""
    period = Period(ctx.text("period") or Period.WEEK.value)
    metric = Metric(ctx.text("metric") or Metric.STEPS.value)
    tz = ZoneInfo(ctx.group.timezone if ctx.group is not None else ctx.member.timezone)
    since = {
        Period.WEEK: start_of_week(ctx.now, tz),
        Period.MONTH: start_of_month(ctx.now, tz),
        Period.ALL: None,
    }[period]
    standings = await leaderboard(
        ctx.session,
        community_id=ctx.community.id,
        group_id=ctx.group.id if ctx.group is not None else None,
        metric=metric,
        since=None if metric is Metric.STREAK else since,
        now=ctx.now,
    )
    where = (
        literal(ctx.group.name) if ctx.group is not None and ctx.group.name else "this community"
    )
    if metric is Metric.STEPS:
        title = f"🏆 Steps finished {PERIOD_WORDS[period]} · {where}"
        unit = "step"
    elif metric is Metric.KAGGLE:
        title = f"🏁 Kaggle attempts {PERIOD_WORDS[period]} · {where}"
        unit = "attempt"
    else:
        title = f"🔥 Current streaks · {where}"
        unit = "day"
    lines = [_line(s, unit) for s in standings[:TOP]]
    mine = next((s for s in standings if s.member_id == ctx.member.id), None)
    if mine is not None and mine not in standings[:TOP]:
        lines += ["…", _line(mine, unit)]
    if not standings:
        lines.append(
            f"No one has finished a step {PERIOD_WORDS[period]} yet. Be the first: `/next`."
            if metric is Metric.STEPS
            else "No Kaggle attempts yet. `/kaggle` shows this week's challenge."
            if metric is Metric.KAGGLE
            else "No one has a streak going yet. Finish or start a step today to begin one."
        )
    # Standings list visible members only (the leaderboard service asks `privacy`). A hidden
    # caller sees the board privately: in the channel, its note would out them as hidden.
    hidden = not privacy.is_visible(ctx.member)
    if hidden:
        lines.append("_You're hidden from leaderboards. `/me privacy public` to appear._")
    return Reply(title=title, body="\n".join(lines), ephemeral=hidden)


def _line(standing: Standing, unit: str) -> str:
    badge = MEDALS.get(standing.rank, f"{standing.rank}.")
    noun = unit if standing.value == 1 else f"{unit}s"
    return f"{badge} **{name(standing.name)}** · {standing.value} {noun}"
