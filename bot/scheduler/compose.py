"""What each scheduled post says. Each function returns the message, or None when it is
no longer needed (someone checked in, turned reminders off, went on vacation, is no learner).

Posts to a group's channel name only members `privacy` lets be named, and count the
others as "privately"; a DM may name the member it goes to. Names and notes people typed
go in through `bot.presentation.name` / `bot.markup.literal`, so they stay plain text.
Times in a DM are on the reader's clock (`their_time`); posts to a channel say the group's
zone. Every list in a post fits its field (`fit_lines`, `fit_names`): long ones end with
"and N more", never with a cut word."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Checkin, FocusSession, Group, Member, StepProgress, StepStatus
from bot.markup import literal
from bot.messages import Button, ButtonStyle, Field, Image, Reply
from bot.presentation import (
    challenge_reply,
    fit_lines,
    fit_names,
    hours,
    name,
    names_line,
    plural,
    privately,
    resource_line,
    starting_resource,
    step_label,
    their_time,
)
from bot.roadmap.catalog import Catalog, PlacedStep, Track
from bot.roadmap.schema import Cost, Phase
from bot.scheduler.calendar import CheckinWindow, Kind, Occurrence
from bot.services import (
    away,
    checkins,
    groups,
    helping,
    history,
    kaggle,
    learners,
    pictures,
    privacy,
    progress,
    review,
    streaks,
    study,
)
from bot.services.leaderboard import Metric, leaderboard
from bot.services.stats import summarize

# What each list of the weekly summary may take, so that the whole message stays well
# inside Discord's 6,000 characters for all of an embed's text.
LEARNERS_BUDGET = 1000
NAMES_BUDGET = 400
BLOCKERS_BUDGET = 1000
EVERY_ANSWER = "`/group checkins` shows every answer."  # where a cut list's rest is
ATTEMPTS_BUDGET = 500
BLOCKER_SHOWN = 200  # characters of one blocker's text; the rest is "…" at a word's end
HELPERS_NAMED = 3
LEADERS = 5


@dataclass(frozen=True)
class Outgoing:
    reply: Reply
    to_member: Member | None = None  # a DM; otherwise the group's channel
    detail: str | None = None  # what was chosen (a resource, a challenge), for no repeats


def track_of(catalog: Catalog, group: Group) -> Track:
    return catalog.track_or_default(group.track_id)


# What a batch of posts reads once ----------------------------------------------------


@dataclass(frozen=True)
class Known:
    """What saying group posts reads, read once for every group of a batch (a sweep says
    hundreds of posts at once): by group id, the learners in each phase, and the daily
    resources sent so far and in the current round. A group it lacks reads its own."""

    phases: Mapping[int, Counter[str]] = field(default_factory=dict)
    posted: Mapping[int, Counter[str | None]] = field(default_factory=dict)
    recent: Mapping[int, list[str | None]] = field(default_factory=dict)


KNOWN_BEFOREHAND = frozenset({Kind.DAILY, Kind.KAGGLE})  # the kinds `Known` serves


async def known_for(
    session: AsyncSession, catalog: Catalog, wanted: Sequence[tuple[Kind, Group]], now: datetime
) -> Known:
    """What the posts of `wanted` (each kind with its group) will read, in a few queries
    for all of them."""
    asked = {g.id: (g, track_of(catalog, g)) for kind, g in wanted if kind in KNOWN_BEFOREHAND}
    phases = await groups.learner_phases_of(session, asked, now)
    daily = list({g.id: g for kind, g in wanted if kind is Kind.DAILY}.values())
    posted = await history.posted_counts_of(session, daily, Kind.DAILY.value)
    into_round = {
        g.id: (g, sum(posted[g.id].values()) % sum(_turns(asked[g.id][1], phases[g.id]).values()))
        for g in daily
    }
    recent = await history.recent_choices_of(session, into_round, Kind.DAILY.value)
    return Known(phases, posted, recent)


def _turns(track: Track, phases: Counter[str]) -> Counter[str]:
    """Each phase's turns in a round of daily resources: its learners, or the first phase
    alone while the group has none."""
    return phases or Counter({track.phases[0].id: 1})


# The daily resource --------------------------------------------------------------------


async def daily_resource(
    session: AsyncSession, catalog: Catalog, group: Group, now: datetime, known: Known | None = None
) -> Outgoing | None:
    """A resource from the phases the group's learners are in, each phase in turn as
    often as learners are in it; within a phase, free resources first and none repeated
    until that phase's pool is used up."""
    if known is None or group.id not in known.recent:
        known = await known_for(session, catalog, [(Kind.DAILY, group)], now)
    track = track_of(catalog, group)
    posted = known.posted[group.id]
    phase = _phase_in_turn(
        track, _turns(track, known.phases[group.id]), posted, known.recent[group.id]
    )
    pool = [
        (placed, index, resource)
        for placed in track.phase_steps(phase.id)
        for index, resource in enumerate(placed.step.resources)
    ]
    position = min(
        range(len(pool)),
        key=lambda at: (
            posted[f"{pool[at][0].id}#{pool[at][1]}"],
            pool[at][2].cost is Cost.PAID,
            at,
        ),
    )
    placed, index, resource = pool[position]
    reply = Reply(
        title=f"📚 Today's resource · {phase.title}",
        body=f"{resource_line(resource)}\n\nFor {step_label(placed)}: {placed.step.why}",
        buttons=(Button("Start this step", "start", {"step": placed.id}, ButtonStyle.PRIMARY),),
    )
    return Outgoing(reply, detail=f"{placed.id}#{index}")


def _phase_in_turn(
    track: Track,
    weights: Counter[str],
    posted: Counter[str | None],
    recent: Sequence[str | None],
) -> Phase:
    """Smooth weighted round-robin over the phases, kept in no state but the posts
    themselves: a round is as many posts as the weights add up to, and within the current
    round the phase whose share is most behind goes next (the earlier phase on a tie). With
    weights 2 and 1 the turns go A, B, A, A, B, A, ... `recent` are the choices of the
    current round's posts so far."""
    total = sum(weights.values())
    into_round = sum(posted.values()) % total
    phase_of = {placed.id: placed.phase.id for placed in track.steps}
    had = Counter(phase_of.get((detail or "").partition("#")[0]) for detail in recent[:into_round])
    order = {phase.id: index for index, phase in enumerate(track.phases)}
    best = max(
        weights,
        key=lambda pid: ((into_round + 1) * weights[pid] - total * had[pid], -order[pid]),
    )
    return next(p for p in track.phases if p.id == best)


# Check-ins and reminders ---------------------------------------------------------------


def checkin_prompt(group: Group, window: CheckinWindow) -> Outgoing:
    deadline = window.deadline.astimezone(ZoneInfo(group.timezone))
    return Outgoing(
        Reply(
            title="📝 Weekly check-in",
            body=(
                "How did your week go? Tell the group what you finished, what's next, what's "
                "in your way and how many hours you studied.\n"
                "`/checkin finished: python-basics next: dev-tools hours: 6`\n"
                f"Check-ins close {deadline:%A at %H:%M} ({group.timezone} time), then I'll "
                "post the summary."
            ),
            buttons=(Button("Check in", "checkin", style=ButtonStyle.PRIMARY),),
        )
    )


async def _reachable(session: AsyncSession, member: Member, now: datetime) -> bool:
    """Whether scheduled DMs may go to `member` at all: a learner, with reminders on, not
    away."""
    return (
        learners.is_learner(member)
        and member.reminders
        and await away.current(session, member, now) is None
    )


async def checkin_reminder(
    session: AsyncSession, group: Group, member: Member, window: CheckinWindow, now: datetime
) -> Outgoing | None:
    if not await _reachable(session, member, now):
        return None
    if learners.is_dormant(await groups.last_activity(session, member, now), now):
        return None  # after the last nudge, nothing until they are back
    if not await history.was_sent(session, group, Kind.CHECKIN.value, window.period):
        return None  # never remind about a check-in the group never saw
    answered = {c.member_id for c in await checkins.for_period(session, group, window.period)}
    if member.id in answered:
        return None
    where = literal(group.name) if group.name else "your study group"
    return Outgoing(
        Reply(
            title="⏰ Check-in reminder",
            body=(
                f"Hi {name(member.display_name)}! The weekly check-in in {where} closes "
                f"{their_time(window.deadline, member, '%A at %H:%M')}. One line is enough: "
                "`/checkin finished: … next: … hours: …` in the group's channel.\n"
                "_`/me reminders off` stops these._"
            ),
        ),
        to_member=member,
    )


# The weekly summary --------------------------------------------------------------------


@dataclass(frozen=True)
class _Week:
    """What every part of a weekly summary looks at."""

    track: Track
    start: datetime
    end: datetime
    members: dict[int, Member]  # the group's members, by id
    expected: frozenset[int]  # learners not away during the check-in
    answers: tuple[Checkin, ...]

    def member(self, member_id: int) -> Member | None:
        return self.members.get(member_id)

    def name(self, member_id: int) -> str:
        return self.members[member_id].display_name


async def weekly_summary(
    session: AsyncSession, catalog: Catalog, group: Group, window: CheckinWindow, now: datetime
) -> Outgoing | None:
    """The week in one post: what each learner did, who checked in and who did not,
    blockers with who could help, Kaggle attempts and the week's leaderboard. None for a
    check-in the group never saw."""
    if not await history.was_sent(session, group, Kind.CHECKIN.value, window.period):
        return None
    members = await groups.members_of(session, group)
    studying = [m for m in members if learners.is_learner(m)]
    gone = await groups.away_during(session, group, studying, window.prompt_at, window.deadline)
    week = _Week(
        track=track_of(catalog, group),
        start=window.deadline - timedelta(days=7),
        end=window.deadline,
        members={m.id: m for m in members},
        expected=frozenset(m.id for m in studying if m.id not in gone),
        answers=tuple(await checkins.for_period(session, group, window.period)),
    )
    studied, totals = await _studied(session, group, week, now)
    found = [
        studied,
        _checked_in(week),
        _not_checked_in(week),
        await _blockers(session, group, week),
        await _kaggle_attempts(session, group, week),
        await _helping(session, catalog, group, week),
        await _leaderboard(session, group, week, now),
    ]
    return Outgoing(
        Reply(
            title="📊 Weekly summary",
            body=f"Here's how the group did this week{totals}. Thanks to everyone who checked in!",
            fields=tuple(f for f in found if f is not None),
            image=await _week_at_a_glance(session, group, week, studying),
        )
    )


async def _helping(
    session: AsyncSession, catalog: Catalog, group: Group, week: _Week
) -> Field | None:
    """Help asked and given this week, questions nobody took up (asked before the last
    twelve hours, after their repeat to other mentors: their step, and the asker's name
    only when they may be named), and review questions answered."""
    help_week = await helping.week_of(session, group, week.start, week.end)
    reviewed = await review.answered_in_group(
        session, group.community_id, group.id, week.track.id, week.start, week.end
    )
    if not help_week.asked and not help_week.unanswered and not help_week.helpers and not reviewed:
        return None
    lines = []
    if help_week.asked:
        lines.append(f"🆘 {plural(help_week.asked, 'question')} asked, {help_week.solved} solved")
    helpers = privacy.split_by(help_week.helpers, lambda pair: pair[0])
    if helpers.shown or helpers.hidden:
        thanks = fit_names(
            [f"{m.display_name} ({n})" for m, n in helpers.shown],
            helpers.hidden,
            budget=NAMES_BUDGET,
        )
        lines.append(f"🤝 Thanks for helping: {thanks}")
    track = track_of(catalog, group)
    waiting = []
    for request, asker in help_week.unanswered:
        placed = track.get(request.step_id)
        what = f"`{request.step_id}`" if placed is None else step_label(placed)
        who = name(asker.display_name) if privacy.is_visible(asker) else "a member"
        waiting.append(f"{what}, asked by {who} (`/offer {request.id}`)")
    if reviewed:
        lines.append(f"🧠 {plural(reviewed, 'review question')} answered")
    if waiting:  # last: a long list ends with "and N more"
        lines.append(
            "Still waiting for help:\n" + fit_lines(waiting, "question", budget=NAMES_BUDGET)
        )
    return Field("Helping each other", "\n".join(lines))


async def _week_at_a_glance(
    session: AsyncSession, group: Group, week: _Week, studying: list[Member]
) -> Image | None:
    """The week's hours and steps per day as a small chart, and how many checked in (the
    same counts as the summary's text), unless the group turned pictures off."""
    if not await pictures.wanted(session, None, group):
        return None
    card = await pictures.week_card(
        session,
        group,
        learners=studying,
        track_id=week.track.id,
        start=week.start,
        end=week.end,
        checked_in=len(week.answers),
        expected=len(week.expected | {c.member_id for c in week.answers}),
    )
    return await pictures.drawn(card, await pictures.platform_of(session, group.community_id))


async def _studied(
    session: AsyncSession, group: Group, week: _Week, now: datetime
) -> tuple[Field | None, str]:
    """One line per learner who did anything this week: steps finished, hours, streak.
    Also the group's totals for the summary's first line (": 9 steps finished, 54 h")."""
    done = await _finished(session, group, week)
    studying = [m for m in week.members.values() if learners.is_learner(m)]
    spent = await study.hours_by_member(
        session, group.community_id, [m.id for m in studying], since=week.start, until=week.end
    )
    zones = {m.id: ZoneInfo(m.timezone) for m in studying}
    streak = await streaks.streaks(session, group.community_id, zones, now) if zones else {}
    checked = {c.member_id for c in week.answers}
    active = [
        m
        for m in studying
        if done.get(m.id) or spent.get(m.id) or m.id in checked or streak[m.id].days
    ]
    steps_total = sum(len(done.get(m.id, [])) for m in active)
    hours_total = sum(spent.get(m.id, 0.0) for m in active)
    totals = [plural(steps_total, "step") + " finished"] if steps_total else []
    totals += [f"{hours(hours_total)} studied"] if hours_total else []
    said = f": {' and '.join(totals)}" if totals else ""
    if not active:
        return None, said
    shown = privacy.split(active)
    ordered = sorted(
        shown.shown,
        key=lambda m: (-len(done.get(m.id, [])), -spent.get(m.id, 0.0), m.display_name.lower()),
    )
    lines = []
    for member in ordered:
        parts = [name(member.display_name)]
        if done.get(member.id):
            parts.append("✅ " + ", ".join(_title(week.track, s) for s in done[member.id]))
        if spent.get(member.id):
            parts.append(hours(spent[member.id]))
        if streak[member.id].days:
            parts.append(f"🔥 {plural(streak[member.id].days, 'day')}")
        lines.append(" · ".join(parts))
    value = _fitted(lines, shown.hidden, "member", LEARNERS_BUDGET)
    return Field(f"Who studied ({len(active)})", value), said


async def _finished(session: AsyncSession, group: Group, week: _Week) -> dict[int, list[str]]:
    """Steps each member finished this week, in the order they finished them."""
    rows = await session.execute(
        select(StepProgress.member_id, StepProgress.step_id)
        .where(
            StepProgress.community_id == group.community_id,
            StepProgress.member_id.in_(week.members),
            StepProgress.track_id == week.track.id,
            StepProgress.status == StepStatus.DONE.value,
            StepProgress.completed_at > week.start,
            StepProgress.completed_at <= week.end,
        )
        .order_by(StepProgress.completed_at, StepProgress.id)
    )
    found: dict[int, list[str]] = {}
    for member_id, step_id in rows:
        found.setdefault(member_id, []).append(step_id)
    return found


def _checked_in(week: _Week) -> Field:
    """Who checked in, out of the learners who were expected to (not away), counting
    anyone else who did check in."""
    checked = privacy.split_by(week.answers, lambda c: week.member(c.member_id))
    expected = week.expected | {c.member_id for c in week.answers}
    counted = f"{len(week.answers)} of {len(expected)}"
    if checked.hidden:
        counted += f", {checked.hidden} privately"
    names = sorted((week.name(c.member_id) for c in checked.shown), key=str.lower)
    who = names_line(names, checked.hidden)
    if len(who) > NAMES_BUDGET:
        shown = fit_names(names, checked.hidden, budget=NAMES_BUDGET - len(EVERY_ANSWER) - 1)
        who = f"{shown}\n{EVERY_ANSWER}"
    return Field(f"Checked in ({counted})", who or "Nobody this week. Next week's a fresh start!")


def _not_checked_in(week: _Week) -> Field | None:
    """Learners who were not away and did not check in; organisers and people who never
    studied are not expected to."""
    answered = {c.member_id for c in week.answers}
    missing = privacy.split(
        week.members[mid] for mid in week.expected if mid not in answered and mid in week.members
    )
    if not (missing.shown or missing.hidden):
        return None
    names = sorted((m.display_name for m in missing.shown), key=str.lower)
    count = len(missing.shown) + missing.hidden
    return Field(
        f"Didn't check in ({count})", fit_names(names, missing.hidden, budget=NAMES_BUDGET)
    )


async def _blockers(session: AsyncSession, group: Group, week: _Week) -> Field | None:
    """Each blocker, the steps it is about when they are not named in it, and members who
    finished those steps and could help (visible members only, never its author)."""
    blocked = privacy.split_by(
        [c for c in week.answers if checkins.is_blocker(c.blockers)],
        lambda c: week.member(c.member_id),
    )
    if not (blocked.shown or blocked.hidden):
        return None
    about = {c.id: checkins.steps_about(week.track, c.blockers) for c in blocked.shown}
    helpable = privacy.split(week.members.values()).shown
    wanted = {placed.id for steps in about.values() for placed in steps}
    finished = await groups.finished_by(session, group, helpable, week.track.id, wanted)
    lines = []
    for answer in blocked.shown:
        text = answer.blockers or ""
        line = f"{name(week.name(answer.member_id))}: {literal(_shortened(text))}"
        unnamed = [p for p in about[answer.id] if p.id not in text.lower()]
        if unnamed:
            line += f" ({', '.join(p.step.title for p in unnamed[:2])})"
        helpers = {mid for p in about[answer.id] for mid in finished.get(p.id, set())}
        helpers.discard(answer.member_id)
        if helpers:
            line += f" · can help: {_a_few(sorted((week.name(m) for m in helpers), key=str.lower))}"
        lines.append(line)
    whole = _fitted(lines, blocked.hidden, "blocker", sum(len(line) + 1 for line in lines) + 99)
    if len(whole) <= BLOCKERS_BUDGET:
        return Field("Blockers", whole)
    budget = BLOCKERS_BUDGET - len(EVERY_ANSWER) - 1
    return Field("Blockers", f"{_fitted(lines, blocked.hidden, 'blocker', budget)}\n{EVERY_ANSWER}")


def _shortened(text: str, limit: int = BLOCKER_SHOWN) -> str:
    """`text` up to `limit` characters, ending at a whole word with "…" when longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(",;:.-") + "…"


def _a_few(names: list[str]) -> str:
    if len(names) <= HELPERS_NAMED:
        return names_line(names)
    return (
        f"{', '.join(name(n) for n in names[:HELPERS_NAMED])} and {len(names) - HELPERS_NAMED} more"
    )


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
    return Field("Kaggle attempts", _fitted(lines, attempts.hidden, "attempt", ATTEMPTS_BUDGET))


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
    top = [f"{s.rank}. {name(s.name)} · {s.value:g}" for s in standings[:LEADERS]]
    return Field("This week's leaderboard (steps)", "\n".join(top))


def _fitted(lines: list[str], hidden: int, noun: str, budget: int) -> str:
    """`lines` fitted to `budget` ("and N more ..."), then how many more hidden members
    contributed ("and 2 blockers privately"), which is never cut."""
    if not hidden:
        return fit_lines(lines, noun, budget=budget)
    counted = f"and {privately(hidden, noun)}" if lines else privately(hidden, noun)
    shown = fit_lines(lines, noun, budget=budget - len(counted) - 1)
    return f"{shown}\n{counted}" if shown else counted


def _title(track: Track, step_id: str) -> str:
    placed = track.get(step_id)
    return placed.step.title if placed is not None else step_id


# Kaggle --------------------------------------------------------------------------------


async def kaggle_prompt(
    session: AsyncSession, catalog: Catalog, group: Group, now: datetime, known: Known | None = None
) -> Outgoing | None:
    """A challenge for the phase most of the group's learners are in, or the next one;
    nothing when none fits."""
    track = track_of(catalog, group)
    if known is None or group.id not in known.phases:
        known = await known_for(session, catalog, [(Kind.KAGGLE, group)], now)
    phase = groups.most_in(track, known.phases[group.id])
    challenge = await kaggle.challenge_for(session, group, catalog.challenges, track, phase)
    if challenge is None:
        return None
    return Outgoing(
        challenge_reply(challenge, title="🏁 Kaggle challenge of the week"), detail=challenge.id
    )


# Nudges and focus sessions -------------------------------------------------------------


async def inactivity_nudge(
    session: AsyncSession,
    catalog: Catalog,
    group: Group,
    member: Member,
    occurrence: Occurrence,
    now: datetime,
) -> Outgoing | None:
    if not await _reachable(session, member, now):
        return None
    if nudge_period(await groups.last_activity(session, member, now), occurrence.days) != (
        occurrence.period
    ):
        return None  # they came back since this nudge was planned
    track = track_of(catalog, group)
    ahead = summarize(track, await progress.statuses(session, member, track.id)).ahead(track.steps)
    if not ahead:
        return None
    nxt = ahead[0]
    last_word = (
        "This is my last nudge; I'll be here when you're ready. " if (occurrence.days >= 14) else ""
    )
    return Outgoing(
        Reply(
            title="👋 Missing you in the group",
            body=(
                f"Hi {name(member.display_name)}, it's been {occurrence.days} days since you "
                f"last studied. Your next one is {step_label(nxt)}: start with "
                f"{resource_line(starting_resource(nxt.step)).rstrip('.')}. Even twenty "
                "minutes counts: `/focus` times them for you.\n"
                f"{last_word}_`/me reminders off` or `/me vacation <days>` pause these._"
            ),
            buttons=(Button("Start it", "start", {"step": nxt.id}, ButtonStyle.PRIMARY),),
        ),
        to_member=member,
    )


def nudge_period(last_activity: datetime, days: int) -> str:
    return f"{last_activity:%Y%m%dT%H%M%S}+{days}d"


async def focus_done(
    session: AsyncSession, catalog: Catalog, focus: FocusSession
) -> Outgoing | None:
    """The DM at the end of a focus session that ran its course. None once the member has
    started another one (they know)."""
    member = await session.get(Member, focus.member_id)
    if member is None:
        return None
    newer = await session.scalar(
        select(FocusSession.id).where(
            FocusSession.community_id == focus.community_id,
            FocusSession.member_id == focus.member_id,
            FocusSession.id != focus.id,
            FocusSession.started_at >= focus.started_at,
        )
    )
    if newer is not None:
        return None
    track = catalog.track_or_default(focus.track_id)
    placed: PlacedStep | None = track.get(focus.step_id) if focus.step_id else None
    on = f" on {placed.step.title}" if placed is not None else ""
    again = {} if focus.minutes == study.FOCUS_DEFAULT else {"minutes": str(focus.minutes)}
    return Outgoing(
        Reply(
            title="🍅 Focus session done",
            body=f"**{focus.minutes} minutes** logged{on}. Take a short break!",
            buttons=(Button(f"Another {focus.minutes}", "focus", again, ButtonStyle.PRIMARY),),
        ),
        to_member=member,
    )
