"""/leaderboard: the group's standings for a week, the last 30 days or all time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.cards import Entry
from bot.commands.context import CommandContext
from bot.commands.registry import CommandSet, Option, OptionKind
from bot.markup import literal, plain_text
from bot.messages import Reply
from bot.presentation import hours, name, plural
from bot.services import pictures, privacy
from bot.services.leaderboard import MONTH_DAYS, Metric, Period, Standing, leaderboard
from bot.timeutil import start_of_week

commands = CommandSet()

TOP = 10
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
CARD_TITLES = {
    Metric.STEPS: "Steps finished",
    Metric.HOURS: "Hours studied",
    Metric.KAGGLE: "Kaggle attempts",
    Metric.STREAK: "Current streaks",
    Metric.HELPED: "Helped others",
}
TITLES = {
    Metric.STEPS: "🏆 Steps finished",
    Metric.HOURS: "⏱️ Hours studied",
    Metric.KAGGLE: "🏁 Kaggle attempts",
    Metric.HELPED: "🤝 Helped others",
}
EMPTY = {
    Metric.STEPS: "No one has finished a step {period} yet. Be the first: `/next`.",
    Metric.HOURS: "No study logged {period} yet. `/log 45m` or `/focus` counts.",
    Metric.KAGGLE: "No Kaggle attempts {period} yet. `/kaggle` shows this week's challenge.",
    Metric.STREAK: "No one has a streak going yet. Study today (`/log 30m`) to begin one.",
    Metric.HELPED: "No one has offered help {period} yet. `/me mentor on` lets me ask you.",
}


@commands.command(
    "leaderboard",
    Option(
        "period",
        "week (since Monday), month (last 30 days) or all",
        OptionKind.CHOICE,
        choices=tuple(p.value for p in Period),
    ),
    Option(
        "metric",
        "steps finished, hours studied, current streak, Kaggle attempts or help offered",
        OptionKind.CHOICE,
        choices=tuple(m.value for m in Metric),
    ),
    examples=("/leaderboard", "/leaderboard month hours", "/leaderboard all streak"),
)
async def show_leaderboard(ctx: CommandContext) -> Reply:
    """The group's leaderboard: steps, hours, streaks, Kaggle attempts or help, by period."""
    period = Period(ctx.text("period") or Period.WEEK.value)
    metric = Metric(ctx.text("metric") or Metric.STEPS.value)
    tz = ZoneInfo(ctx.group.timezone if ctx.group is not None else ctx.member.timezone)
    since, words = _period(period, ctx.now, tz)
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
    if metric is Metric.STREAK:
        title = f"🔥 Current streaks · {where}"
    else:
        title = f"{TITLES[metric]} {words} · {where}"
    lines = [_line(s, metric) for s in standings[:TOP]]
    mine = next((s for s in standings if s.member_id == ctx.member.id), None)
    if mine is not None and mine not in standings[:TOP]:
        lines += ["…", _line(mine, metric)]
    if not standings:
        lines.append(EMPTY[metric].format(period=words))
    # Standings list visible members only (the leaderboard service asks `privacy`). A hidden
    # caller sees the board privately: in the channel, its note would out them as hidden.
    hidden = not privacy.is_visible(ctx.member)
    if hidden:
        lines.append("_You're hidden from leaderboards. `/me privacy public` to appear._")
    sketch = None
    if await pictures.wanted(ctx.session, ctx.member, ctx.group):
        card = pictures.leaderboard_card(
            title=CARD_TITLES[metric],
            period="" if metric is Metric.STREAK else words,
            where=ctx.group.name if ctx.group is not None and ctx.group.name else "this community",
            entries=[_entry(s, metric, ctx.member.id) for s in standings[:TOP]],
            caller=_entry(mine, metric, ctx.member.id) if mine is not None else None,
            empty=plain_text(EMPTY[metric].format(period=words)),
        )
        sketch = pictures.CardSketch(card, ctx.invocation.place.platform)
    return Reply(title=title, body="\n".join(lines), sketch=sketch, ephemeral=hidden)


def _period(period: Period, now: datetime, tz: ZoneInfo) -> tuple[datetime | None, str]:
    """Where the period starts, and how the title says it, with its dates."""
    if period is Period.WEEK:
        since = start_of_week(now, tz)
        return since, f"this week (since {since.astimezone(tz):%a %d %b})"
    if period is Period.MONTH:
        since = now - timedelta(days=MONTH_DAYS)
        first, last = since.astimezone(tz), now.astimezone(tz)
        return since, f"in the last 30 days ({first:%d %b} – {last:%d %b})"
    return None, "all time"


def _line(standing: Standing, metric: Metric) -> str:
    badge = MEDALS.get(standing.rank, f"{standing.rank}.")
    return f"{badge} **{name(standing.name)}** · {_value(standing, metric)}"


def _value(standing: Standing, metric: Metric) -> str:
    if metric is Metric.HOURS:
        return hours(standing.value)
    unit = {
        Metric.STEPS: "step",
        Metric.KAGGLE: "attempt",
        Metric.STREAK: "day",
        Metric.HELPED: "request",
    }[metric]
    return plural(int(standing.value), unit)


def _entry(standing: Standing, metric: Metric, caller_id: int) -> Entry:
    return Entry(
        rank=standing.rank,
        member_id=standing.member_id,
        name=standing.name,
        value=standing.value,
        shown=_value(standing, metric),
        is_caller=standing.member_id == caller_id,
    )
