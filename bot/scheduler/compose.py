"""What each scheduled post says. Each function returns the message, or None when it is
no longer needed (someone checked in, turned reminders off, went on vacation).

Posts to a group's channel name only members `privacy` lets be named, and count the
others as "privately"; a DM may name the member it goes to. Names and notes people typed
go in through `bot.presentation.name` / `bot.markup.literal`, so they stay plain text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Checkin, Group, Member, StepProgress, StepStatus
from bot.markup import literal
from bot.messages import Button, ButtonStyle, Field, Reply
from bot.presentation import (
    challenge_reply,
    name,
    names_line,
    resource_line,
    step_label,
    with_hidden,
)
from bot.roadmap.catalog import Catalog, Track
from bot.scheduler.calendar import CheckinWindow, Kind, Occurrence
from bot.services import away, checkins, groups, history, kaggle, privacy, progress
from bot.services.leaderboard import Metric, leaderboard
from bot.services.stats import summarize


@dataclass(frozen=True)
class Outgoing:
    reply: Reply
    to_member: Member | None = None  # a DM; otherwise the group's channel
    detail: str | None = None  # what was chosen (a resource, a challenge), for no repeats


def track_of(catalog: Catalog, group: Group) -> Track:
    return catalog.get(group.track_id) or catalog.default


async def daily_resource(
    session: AsyncSession, catalog: Catalog, group: Group, now: datetime
) -> Outgoing | None:
    """One resource from the phase the group is in, never repeated until that phase's
    pool is used up."""
    track = track_of(catalog, group)
    phase = await groups.current_phase(session, group, track, now)
    pool = [
        (placed, index, resource)
        for placed in track.phase_steps(phase.id)
        for index, resource in enumerate(placed.step.resources)
    ]
    posted = await history.posted_counts(session, group, Kind.DAILY.value)
    placed, index, resource = min(
        pool, key=lambda item: (posted[f"{item[0].id}#{item[1]}"], pool.index(item))
    )
    reply = Reply(
        title=f"📚 Today's resource · {phase.title}",
        body=f"{resource_line(resource)}\n\nFor {step_label(placed)}: {placed.step.why}",
        buttons=(Button("Start this step", "start", {"step": placed.id}, ButtonStyle.PRIMARY),),
    )
    return Outgoing(reply, detail=f"{placed.id}#{index}")


def checkin_prompt(group: Group, window: CheckinWindow) -> Outgoing:
    deadline = window.deadline.astimezone(ZoneInfo(group.timezone))
    return Outgoing(
        Reply(
            title="📝 Weekly check-in",
            body=(
                "How did your week go? Tell the group what you finished, what's next, what's "
                "in your way and how many hours you studied.\n"
                "`/checkin finished: python-basics next: dev-tools hours: 6`\n"
                f"Check-ins close {deadline:%A at %H:%M} ({group.timezone}), then I'll post "
                "the summary."
            ),
            buttons=(Button("Check in", "checkin", style=ButtonStyle.PRIMARY),),
        )
    )


async def checkin_reminder(
    session: AsyncSession, group: Group, member: Member, window: CheckinWindow, now: datetime
) -> Outgoing | None:
    if not member.reminders or await away.current(session, member, now) is not None:
        return None
    answered = {c.member_id for c in await checkins.for_period(session, group, window.period)}
    if member.id in answered:
        return None
    deadline = window.deadline.astimezone(ZoneInfo(member.timezone))
    where = literal(group.name) if group.name else "your study group"
    return Outgoing(
        Reply(
            title="⏰ Check-in reminder",
            body=(
                f"Hi {name(member.display_name)}! The weekly check-in in {where} closes "
                f"{deadline:%A at %H:%M} (your time). One line is enough: "
                "`/checkin finished: … next: …` in the group's channel.\n"
                "_`/me reminders off` stops these._"
            ),
        ),
        to_member=member,
    )


async def weekly_summary(
    session: AsyncSession, catalog: Catalog, group: Group, window: CheckinWindow, now: datetime
) -> Outgoing:
    track = track_of(catalog, group)
    week = _Week(
        track=track,
        start=window.deadline - timedelta(days=7),
        end=window.deadline,
        members={m.id: m for m in await groups.members_of(session, group)},
    )
    answers = await checkins.for_period(session, group, window.period)
    found = [
        _checked_in(week, answers),
        await _steps_finished(session, group, week),
        await _blockers(session, week, answers),
        await _kaggle_attempts(session, group, week),
        await _leaderboard(session, group, week, now),
    ]
    return Outgoing(
        Reply(
            title="📊 Weekly summary",
            body="Here's how the group did this week. Thanks to everyone who checked in!",
            fields=tuple(f for f in found if f is not None),
        )
    )


@dataclass(frozen=True)
class _Week:
    """What every part of a weekly summary looks at: the group's members by id."""

    track: Track
    start: datetime
    end: datetime
    members: dict[int, Member]

    def member(self, member_id: int) -> Member | None:
        return self.members.get(member_id)

    def name(self, member_id: int) -> str:
        return self.members[member_id].display_name


def _checked_in(week: _Week, answers: list[Checkin]) -> Field:
    checked = privacy.split_by(answers, lambda c: week.member(c.member_id))
    counted = f"{len(answers)} of {len(week.members)}"
    if checked.hidden:
        counted += f", {checked.hidden} privately"
    who = names_line(sorted(week.name(c.member_id) for c in checked.shown), checked.hidden)
    return Field(f"Checked in ({counted})", who or "Nobody this week. Next week's a fresh start!")


async def _steps_finished(session: AsyncSession, group: Group, week: _Week) -> Field | None:
    rows = await session.execute(
        select(StepProgress.member_id, StepProgress.step_id).where(
            StepProgress.community_id == group.community_id,
            StepProgress.member_id.in_(week.members),
            StepProgress.track_id == week.track.id,
            StepProgress.status == StepStatus.DONE.value,
            StepProgress.completed_at > week.start,
            StepProgress.completed_at <= week.end,
        )
    )
    finished = privacy.split_by(rows.all(), lambda row: week.member(row[0]))
    if not (finished.shown or finished.hidden):
        return None
    shown = sorted((week.name(member_id), step_id) for member_id, step_id in finished.shown)
    lines = [f"{name(who)}: {_title(week.track, step_id)}" for who, step_id in shown]
    total = len(finished.shown) + finished.hidden
    return Field(
        f"Steps finished ({total})", "\n".join(with_hidden(lines, finished.hidden, "step"))
    )


async def _blockers(session: AsyncSession, week: _Week, answers: list[Checkin]) -> Field | None:
    blocked = privacy.split_by(
        [c for c in answers if c.blockers], lambda c: week.member(c.member_id)
    )
    if not (blocked.shown or blocked.hidden):
        return None
    helpable = privacy.split(week.members.values()).shown
    lines = []
    for answer in blocked.shown:
        text = answer.blockers or ""
        line = f"{name(week.name(answer.member_id))}: {literal(text)}"
        helpers = await _who_can_help(session, week.track, helpable, text)
        if helpers:
            line += f" · can help: {names_line(helpers)}"
        lines.append(line)
    return Field("Blockers", "\n".join(with_hidden(lines, blocked.hidden, "blocker")))


async def _kaggle_attempts(session: AsyncSession, group: Group, week: _Week) -> Field | None:
    attempts = privacy.split_by(
        await kaggle.attempts_between(session, group, week.start, week.end),
        lambda pair: week.member(pair[1].member_id),
    )
    if not (attempts.shown or attempts.hidden):
        return None
    lines = [
        f"{name(who)}: {a.challenge_id}" + (f" ({a.score:g})" if a.score is not None else "")
        for who, a in attempts.shown
    ]
    return Field("Kaggle attempts", "\n".join(with_hidden(lines, attempts.hidden, "attempt")))


async def _leaderboard(
    session: AsyncSession, group: Group, week: _Week, now: datetime
) -> Field | None:
    # The leaderboard service ranks visible members only: nobody hidden is listed.
    standings = await leaderboard(
        session,
        community_id=group.community_id,
        group_id=group.id,
        metric=Metric.STEPS,
        since=week.start,
        now=now,
    )
    if not standings:
        return None
    top = [f"{s.rank}. {name(s.name)} · {s.value}" for s in standings[:5]]
    return Field("This week's leaderboard", "\n".join(top))


def _title(track: Track, step_id: str) -> str:
    placed = track.get(step_id)
    return placed.step.title if placed is not None else step_id


async def _who_can_help(
    session: AsyncSession, track: Track, members: list[Member], text: str
) -> list[str]:
    """Names of `members` who finished a step the text names. Pass visible members only."""
    steps = checkins.steps_mentioned(track, text)
    if not steps:
        return []
    helpers = []
    for member in members:
        statuses = await progress.statuses(session, member, track.id)
        if any(statuses.get(p.id) is StepStatus.DONE for p in steps):
            helpers.append(member.display_name)
    return helpers


async def kaggle_prompt(
    session: AsyncSession, catalog: Catalog, group: Group, now: datetime
) -> Outgoing | None:
    track = track_of(catalog, group)
    phase = await groups.current_phase(session, group, track, now)
    phases = track.phases
    following = next((phases[i + 1] for i, p in enumerate(phases[:-1]) if p.id == phase.id), None)
    challenge = await kaggle.next_challenge(session, group, catalog.challenges, phase, following)
    if challenge is None:
        return None
    return Outgoing(
        challenge_reply(challenge, title="🏁 Kaggle challenge of the week"), detail=challenge.id
    )


async def inactivity_nudge(
    session: AsyncSession,
    catalog: Catalog,
    group: Group,
    member: Member,
    occurrence: Occurrence,
    now: datetime,
) -> Outgoing | None:
    if not member.reminders or await away.current(session, member, now) is not None:
        return None
    if nudge_period(await groups.last_activity(session, member, now), occurrence.days) != (
        occurrence.period
    ):
        return None  # they came back since this nudge was planned
    track = track_of(catalog, group)
    mine = summarize(track, await progress.statuses(session, member, track.id))
    nxt = mine.next_step()
    if nxt is None:
        return None
    last_word = (
        "This is my last nudge; I'll be here when you're ready. " if (occurrence.days >= 14) else ""
    )
    return Outgoing(
        Reply(
            title="👋 Missing you in the group",
            body=(
                f"Hi {name(member.display_name)}, it's been {occurrence.days} days since your last "
                f"step. Your next one is {step_label(nxt)}: start with "
                f"{resource_line(nxt.step.resources[0]).rstrip('.')}. Even twenty minutes "
                "counts!\n"
                f"{last_word}_`/me reminders off` or `/me vacation <days>` pause these._"
            ),
            buttons=(Button("Start it", "start", {"step": nxt.id}, ButtonStyle.PRIMARY),),
        ),
        to_member=member,
    )


def nudge_period(last_activity: datetime, days: int) -> str:
    return f"{last_activity:%Y%m%dT%H%M%S}+{days}d"
