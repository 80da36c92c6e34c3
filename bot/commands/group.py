"""/group: turning a channel into a study group and setting its schedule. Admins only."""

from __future__ import annotations

from datetime import timedelta

from bot.commands.context import CommandContext
from bot.commands.registry import MEMBER_TYPED, CommandSet, Option, OptionKind
from bot.db.models import Checkin, Group, Member
from bot.errors import UserError
from bot.markup import literal
from bot.messages import Field, Reply
from bot.presentation import hours, name, names_line, their_time
from bot.scheduler.calendar import (
    Cadence,
    Schedule,
    checkin_window,
    next_checkin,
    windows_between,
)
from bot.services import checkins, groups, privacy, schedules, tenancy
from bot.timeutil import WEEKDAYS, parse_hhmm, parse_weekday, zone

commands = CommandSet()

TIME = Option("time", "24-hour time in the group's timezone, like 09:00", required=True)
WEEKDAY = Option("weekday", "monday to sunday", required=True)


def _group(ctx: CommandContext) -> Group:
    if ctx.group is None:
        msg = "This channel isn't a study group yet. An admin can run `/group setup` here."
        raise UserError(msg)
    return ctx.group


def describe(group: Group) -> tuple[Field, ...]:
    schedule = Schedule.of(group)
    kaggle_day = WEEKDAYS[group.kaggle_weekday].title()
    kaggle = (
        "off"
        if schedule.kaggle is Cadence.OFF
        else f"{schedule.kaggle.value}, {kaggle_day} {group.kaggle_time}"
    )
    return (
        Field("Track", group.track_id, inline=True),
        Field("Timezone", group.timezone, inline=True),
        Field("Status", "⏸️ paused" if group.paused else "▶️ active", inline=True),
        Field("Daily resource", f"every day at {group.daily_time}", inline=True),
        Field(
            "Weekly check-in",
            f"{WEEKDAYS[group.checkin_weekday].title()} {group.checkin_time}, "
            "summary two days later",
            inline=True,
        ),
        Field("Kaggle challenge", kaggle, inline=True),
    )


@commands.command(
    "group setup",
    Option("track", "The roadmap this group follows", OptionKind.TRACK),
    Option("timezone", "The group's timezone, like Europe/Berlin", OptionKind.TIMEZONE),
    admin_only=True,
    examples=("/group setup", "/group setup ml-engineer Europe/Berlin"),
)
async def setup_group(ctx: CommandContext) -> Reply:
    """Make this channel a study group (or change its track and timezone)."""
    wanted_track = ctx.text("track")
    track = ctx.catalog.find(wanted_track) if wanted_track else ctx.catalog.default
    wanted_tz = ctx.text("timezone")
    tz = zone(wanted_tz).key if wanted_tz else None
    group = ctx.group
    if group is None:
        group = await tenancy.create_group(
            ctx.session,
            ctx.community,
            channel_id=ctx.invocation.place.channel_id,
            name="",
            track_id=track.id,
            timezone=tz or ctx.member.timezone,
            now=ctx.now,
        )
        await tenancy.join_group(ctx.session, group, ctx.member, now=ctx.now)
        title, which = "🎉 This channel is now a study group", "first"
    else:
        group.track_id = track.id if wanted_track else group.track_id
        group.timezone = tz or group.timezone
        title, which = "✅ Study group updated", "next"
    await schedules.changed(ctx.session, group, now=ctx.now)
    await schedules.adopt_group_clock(ctx.session, ctx.member, group, now=ctx.now)
    # A check-in prompted before the group existed is never posted: say when one opens.
    opens = next_checkin(Schedule.of(group), ctx.now).prompt_at
    return Reply(
        title=title,
        body=(
            f"Following **{ctx.catalog.find(group.track_id).title}**. I'll post a resource every "
            "day, a check-in every week and Kaggle challenges. `/group schedule` changes when.\n"
            f"The {which} check-in opens {their_time(opens, ctx.member)}."
        ),
        fields=describe(group),
    )


@commands.command(
    "group schedule daily", TIME, admin_only=True, examples=("/group schedule daily 08:30",)
)
async def schedule_daily(ctx: CommandContext) -> Reply:
    """Set the time of the daily resource."""
    group = _group(ctx)
    group.daily_time = parse_hhmm(ctx.text("time") or "").strftime("%H:%M")
    return await _schedule_changed(
        ctx, group, f"The daily resource comes at {group.daily_time} ({group.timezone} time)."
    )


@commands.command(
    "group schedule checkin",
    WEEKDAY,
    TIME,
    admin_only=True,
    examples=("/group schedule checkin friday 17:00",),
)
async def schedule_checkin(ctx: CommandContext) -> Reply:
    """Set the day and time of the weekly check-in."""
    group = _group(ctx)
    group.checkin_weekday = parse_weekday(ctx.text("weekday") or "")
    group.checkin_time = parse_hhmm(ctx.text("time") or "").strftime("%H:%M")
    schedule = Schedule.of(group)
    coming = next_checkin(schedule, ctx.now)
    deadline = coming.deadline.astimezone(schedule.tz)
    return await _schedule_changed(
        ctx,
        group,
        f"Check-ins open {WEEKDAYS[group.checkin_weekday].title()} at {group.checkin_time} "
        f"({group.timezone} time); the next one opens "
        f"{coming.prompt_at.astimezone(schedule.tz):%A %d %b}, and its summary is due "
        f"{deadline:%A %d %b %H:%M}.",
    )


@commands.command(
    "group schedule kaggle",
    Option(
        "cadence",
        "weekly, biweekly or off",
        OptionKind.CHOICE,
        required=True,
        choices=tuple(c.value for c in Cadence),
    ),
    Option("weekday", "monday to sunday"),
    Option("time", "24-hour time, like 10:00"),
    admin_only=True,
    examples=("/group schedule kaggle biweekly monday 10:00", "/group schedule kaggle off"),
)
async def schedule_kaggle(ctx: CommandContext) -> Reply:
    """Set how often a Kaggle challenge is posted, and when."""
    group = _group(ctx)
    group.kaggle_cadence = Cadence(ctx.text("cadence") or "weekly").value
    weekday, at = ctx.text("weekday"), ctx.text("time")
    if weekday:
        group.kaggle_weekday = parse_weekday(weekday)
    if at:
        group.kaggle_time = parse_hhmm(at).strftime("%H:%M")
    if group.kaggle_cadence == Cadence.OFF.value:
        return await _schedule_changed(ctx, group, "No more Kaggle challenges for now.")
    day = WEEKDAYS[group.kaggle_weekday].title()
    return await _schedule_changed(
        ctx,
        group,
        f"Kaggle challenges come {group.kaggle_cadence}, {day} at {group.kaggle_time} "
        f"({group.timezone} time).",
    )


@commands.command("group pause", admin_only=True)
async def pause_group(ctx: CommandContext) -> Reply:
    """Pause every scheduled post and reminder for this group."""
    group = _group(ctx)
    await schedules.pause(ctx.session, group, now=ctx.now)
    return Reply(body="⏸️ Paused. Nothing is posted until `/group resume`.", fields=describe(group))


@commands.command("group resume", admin_only=True)
async def resume_group(ctx: CommandContext) -> Reply:
    """Resume the group's scheduled posts."""
    group = _group(ctx)
    await schedules.resume(ctx.session, group, now=ctx.now)
    return Reply(body="▶️ Back on. Posts resume at their next time.", fields=describe(group))


@commands.command(
    "group images",
    Option("setting", "on or off", OptionKind.CHOICE, required=True, choices=("on", "off")),
    admin_only=True,
    examples=("/group images off", "/group images on"),
)
async def set_group_images(ctx: CommandContext) -> Reply:
    """Turn pictures (progress and leaderboard cards, the week at a glance) on or off here."""
    group = _group(ctx)
    on = ctx.text("setting") == "on"
    await groups.set_images(ctx.session, group, on)
    if on:
        text = (
            "🖼️ Pictures are on in this group: progress and leaderboard cards, and the week "
            "at a glance in the weekly summary. Members can still turn theirs off with "
            "`/me images off`."
        )
    else:
        text = (
            "🚫 Pictures are off in this group, for everyone: replies and posts here come as "
            "text only (which says everything the pictures showed). `/group images on` "
            "brings them back."
        )
    return Reply(body=text)


@commands.command("group checkins", examples=("/group checkins",))
async def list_checkins(ctx: CommandContext) -> Reply:
    """Everyone's answers to this week's check-in (last week's until this one opens)."""
    group = _group(ctx)
    schedule = Schedule.of(group)
    window = checkin_window(schedule, ctx.now)
    answers = await checkins.for_period(ctx.session, group, window.period)
    if not answers and window.prompt_at > ctx.now:  # not open yet: the one that just closed
        before = windows_between(schedule, ctx.now - timedelta(days=8), ctx.now)
        closed = [w for w in before if w.deadline <= ctx.now]
        if closed:
            window = closed[-1]
            answers = await checkins.for_period(ctx.session, group, window.period)
    members = {m.id: m for m in await groups.members_of(ctx.session, group)}
    split = privacy.split_by(answers, lambda c: members.get(c.member_id))
    shown = sorted(split.shown, key=lambda c: members[c.member_id].display_name.lower())
    closes = their_time(window.deadline, ctx.member)
    counted = f"{len(answers)} check-in{'s' if len(answers) != 1 else ''}"
    if split.hidden:
        counted += f" ({split.hidden} privately)"
    return Reply(
        title="📝 Check-ins",
        body=f"{counted} for the week that closes {closes}.",
        fields=tuple(Field(name(members[c.member_id].display_name), _answered(c)) for c in shown),
        ephemeral=True,
    )


def _answered(answer: Checkin) -> str:
    lines = [
        f"{label}: {literal(text)}"
        for label, text in (
            ("Finished", answer.finished),
            ("Next", answer.next_up),
            ("Blocked by", answer.blockers if checkins.is_blocker(answer.blockers) else None),
        )
        if text
    ]
    if answer.hours is not None:
        lines.append(f"Hours: {hours(answer.hours)}")
    return "\n".join(lines) or "Checked in."


@commands.command("group show")
async def show_group(ctx: CommandContext) -> Reply:
    """Show this study group's track, timezone and schedule."""
    group = _group(ctx)
    members = len(await groups.members_of(ctx.session, group))
    return Reply(
        title=f"Study group · {members} member{'s' if members != 1 else ''}",
        fields=describe(group),
        ephemeral=True,
    )


async def _schedule_changed(ctx: CommandContext, group: Group, text: str) -> Reply:
    await schedules.changed(ctx.session, group, now=ctx.now)
    return Reply(body=text, fields=describe(group))


MEMBER = Option(
    "member",
    "A member of the group (mention or name)",
    OptionKind.MEMBER,
    required=True,
    max_length=MEMBER_TYPED,
)


@commands.command("group admin add", MEMBER, admin_only=True, examples=("/group admin add ana",))
async def add_group_admin(ctx: CommandContext) -> Reply:
    """Let a member run this group's admin commands."""
    group = _group(ctx)
    member = await tenancy.find_member(ctx.session, ctx.community, ctx.text("member") or "")
    if not await groups.add_admin(ctx.session, group, member, ctx.now):
        return Reply(body=f"{_who(member)} already helps run this group.", ephemeral=True)
    return Reply(
        body=f"🛠️ {_who(member)} can now run this group's admin commands.",
        ephemeral=not privacy.is_visible(member),
    )


@commands.command(
    "group admin remove", MEMBER, admin_only=True, examples=("/group admin remove ana",)
)
async def remove_group_admin(ctx: CommandContext) -> Reply:
    """Take a member off this group's admin list."""
    group = _group(ctx)
    member = await tenancy.find_member(ctx.session, ctx.community, ctx.text("member") or "")
    if not await groups.remove_admin(ctx.session, group, member):
        msg = f"{_who(member)} isn't on this group's admin list."
        raise UserError(msg)
    return Reply(
        body=f"{_who(member)} is no longer on this group's admin list.",
        ephemeral=not privacy.is_visible(member),
    )


@commands.command("group admins")
async def list_group_admins(ctx: CommandContext) -> Reply:
    """Who besides the platform's admins may run this group's admin commands."""
    group = _group(ctx)
    admins = privacy.split(await groups.admins_of(ctx.session, group))
    listed = names_line((m.display_name for m in admins.shown), admins.hidden)
    listed = listed or "nobody yet: only the platform's admins"
    return Reply(body=f"Group admins: {listed}.", ephemeral=True)


def _who(member: Member) -> str:
    """A member named in an admin's reply: by name, unless they keep themselves hidden
    (then the reply names nobody and only the admin sees it)."""
    return name(member.display_name) if privacy.is_visible(member) else "That member"
