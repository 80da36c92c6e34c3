"""Help when stuck: the one owner of who is asked to help, and of what counts as helping.

A member stuck on a step asks (`/stuck`, or a blocker given in a weekly check-in that names
a step). Cohort posts the question in the group's channel and asks up to two mentors by DM:
members of the group who finished that step and said they are happy to help
(`/me mentor on`). The rules, decided once:

- Hidden members are never asked (nor named: `bot.services.privacy`), nor are the asker,
  members away, or anyone in their quiet hours.
- Mentors whose local time is daytime come first, then those who helped least recently
  (their latest "I'll help"), then those who joined first.
- A mentor is asked at most twice a day of their own calendar (`HelpAsk` holds the two
  slots under a unique key, so two processes never both spend the last one). Help DMs go
  only to mentors, so whether they turned reminders off does not matter: saying "mentor
  on" is asking for these.
- Nobody offering to help within 12 hours repeats the request once, to other mentors; a
  request still unanswered then is in the weekly summary. When nobody can be asked at the
  moment (all asleep or busy), Cohort looks again every hour of that time.
- "I'll help" is an offer: it counts on the `helped` leaderboard, and the asker hears who
  is coming (a hidden helper is "someone"). Only the asker marks a request solved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Group,
    GroupMember,
    HelpAsk,
    HelpOffer,
    HelpRequest,
    HelpSource,
    Member,
    StepProgress,
    StepStatus,
)
from bot.errors import UserError
from bot.events import HelpChanged, emit
from bot.roadmap.catalog import PlacedStep, Track
from bot.services import away, privacy, upcoming
from bot.timeutil import in_quiet_hours, local_date

MENTORS_ASKED = 2  # mentors asked in each round
ASKS_A_DAY = 2  # help requests one mentor gets at most per day of their calendar
REPEAT_AFTER = timedelta(hours=12)  # unanswered for this long: asked again, of others
LOOK_AGAIN = timedelta(hours=1)  # nobody could be asked: look again this much later
GIVE_UP_AFTER = 2 * REPEAT_AFTER  # a round that found nobody stops looking then
DAYTIME = (9, 21)  # local hours [from, to) a mentor is preferred in
QUESTION_LIMIT = 500
ASKS_PER_DAY = 5  # requests one member may make a day, so mentors' DMs stay a kindness
USEFUL_FOR = timedelta(days=2)  # a help post or news still worth sending this long after


@dataclass(frozen=True)
class Asked:
    request: HelpRequest
    mentors_waiting: int  # mentors who could be asked (finished the step, mentor on)


async def ask(
    session: AsyncSession,
    *,
    group: Group,
    member: Member,
    track: Track,
    step: PlacedStep,
    question: str,
    source: HelpSource,
    now: datetime,
) -> Asked:
    """Record a request for help; the scheduler posts it and asks mentors at once."""
    text = " ".join(question.split())
    if group.paused:
        msg = "This group is paused, so nothing is posted here until an admin runs `/group resume`."
        raise UserError(msg)
    if not text:
        msg = "Say what you're stuck on, like `/stuck linear-algebra what is an eigenvector?`."
        raise UserError(msg)
    today = await session.scalar(
        select(func.count())
        .select_from(HelpRequest)
        .where(
            HelpRequest.community_id == member.community_id,
            HelpRequest.member_id == member.id,
            HelpRequest.asked_at > now - timedelta(days=1),
        )
    )
    if (today or 0) >= ASKS_PER_DAY and source is HelpSource.STUCK:
        msg = (
            f"You've asked for help {ASKS_PER_DAY} times today, so I'm letting the mentors "
            "rest. Your questions are still open in the channel; try again tomorrow."
        )
        raise UserError(msg)
    if source is HelpSource.CHECKIN:  # the same blocker again this week: the same request
        open_one = await session.scalar(
            select(HelpRequest).where(
                HelpRequest.community_id == member.community_id,
                HelpRequest.member_id == member.id,
                HelpRequest.step_id == step.id,
                HelpRequest.solved_at.is_(None),
                HelpRequest.asked_at > now - timedelta(days=7),
            )
        )
        if open_one is not None:
            return Asked(open_one, 0)
    request = HelpRequest(
        community_id=member.community_id,
        group_id=group.id,
        member_id=member.id,
        track_id=track.id,
        step_id=step.id,
        question=text[:QUESTION_LIMIT],
        source=source.value,
        asked_at=now,
    )
    session.add(request)
    await session.flush()
    await _changed(session, request, group, now)
    waiting = len(await _candidates(session, request, now, exclude=(), awake_now=False))
    return Asked(request, waiting)


async def _changed(
    session: AsyncSession, request: HelpRequest, group: Group, now: datetime
) -> None:
    await upcoming.help_changed(session, request.id, request.community_id, group, now=now)
    emit(session, HelpChanged(request.id))


async def find(session: AsyncSession, member: Member, request_id: int) -> HelpRequest:
    """A request of the caller's community, or a UserError saying there is none."""
    request = await session.scalar(
        select(HelpRequest).where(
            HelpRequest.community_id == member.community_id, HelpRequest.id == request_id
        )
    )
    if request is None:
        msg = f"There's no help request number {request_id} here."
        raise UserError(msg)
    return request


async def _in_group(session: AsyncSession, member: Member, group_id: int) -> bool:
    found = await session.scalar(
        select(GroupMember.member_id).where(
            GroupMember.community_id == member.community_id,
            GroupMember.group_id == group_id,
            GroupMember.member_id == member.id,
        )
    )
    return found is not None


@dataclass(frozen=True)
class Offered:
    request: HelpRequest
    asker: Member | None
    new: bool  # False: they had offered already


async def offer(
    session: AsyncSession, *, member: Member, request_id: int, now: datetime
) -> Offered:
    """`member` says they will help with a request of a group they are in."""
    request = await find(session, member, request_id)
    if not await _in_group(session, member, request.group_id):
        msg = "That question was asked in a group you're not in, so I can't pass your offer on."
        raise UserError(msg)
    if request.member_id == member.id:
        msg = "That's your own question. When it's sorted, press **Solved** (or `/solved`)."
        raise UserError(msg)
    asker = await session.get(Member, request.member_id)
    if request.solved_at is not None:
        return Offered(request, asker, new=False)
    existing = await session.get(HelpOffer, (request.id, member.id))
    if existing is not None:
        return Offered(request, asker, new=False)
    session.add(
        HelpOffer(
            request_id=request.id,
            member_id=member.id,
            community_id=member.community_id,
            offered_at=now,
        )
    )
    await session.flush()
    group = await session.get(Group, request.group_id)
    if group is not None:
        await _changed(session, request, group, now)
    return Offered(request, asker, new=True)


async def solve(
    session: AsyncSession,
    *,
    member: Member,
    request_id: int | None,
    group: Group | None,
    now: datetime,
) -> HelpRequest:
    """The asker marks their request solved (by number, or their latest open one)."""
    if request_id is None:
        query = select(HelpRequest).where(
            HelpRequest.community_id == member.community_id,
            HelpRequest.member_id == member.id,
            HelpRequest.solved_at.is_(None),
        )
        if group is not None:
            query = query.where(HelpRequest.group_id == group.id)
        request = await session.scalar(query.order_by(HelpRequest.asked_at.desc()).limit(1))
        if request is None:
            msg = "You have no open question here. `/stuck <step> <question>` asks one."
            raise UserError(msg)
    else:
        request = await find(session, member, request_id)
    if request.member_id != member.id:
        msg = "Only the member who asked can mark a question solved."
        raise UserError(msg)
    if request.solved_at is None:
        request.solved_at = now
        await session.flush()
        emit(session, HelpChanged(request.id))
    return request


async def offers(session: AsyncSession, request: HelpRequest) -> list[tuple[HelpOffer, Member]]:
    rows = await session.execute(
        select(HelpOffer, Member)
        .join(Member, Member.id == HelpOffer.member_id)
        .where(HelpOffer.community_id == request.community_id, HelpOffer.request_id == request.id)
        .order_by(HelpOffer.offered_at, HelpOffer.member_id)
    )
    return [(o, m) for o, m in rows]


async def asks(session: AsyncSession, request: HelpRequest) -> list[HelpAsk]:
    rows = await session.scalars(
        select(HelpAsk)
        .where(HelpAsk.community_id == request.community_id, HelpAsk.request_id == request.id)
        .order_by(HelpAsk.asked_at, HelpAsk.member_id)
    )
    return list(rows)


def is_daytime(member: Member, now: datetime) -> bool:
    return DAYTIME[0] <= now.astimezone(ZoneInfo(member.timezone)).hour < DAYTIME[1]


async def _candidates(
    session: AsyncSession,
    request: HelpRequest,
    now: datetime,
    *,
    exclude: Sequence[int],
    awake_now: bool = True,
) -> list[Member]:
    """Mentors who could be asked about `request` (now, with `awake_now`: out of their
    quiet hours and not away), the ones to ask first first."""
    finished = select(StepProgress.member_id).where(
        StepProgress.community_id == request.community_id,
        StepProgress.track_id == request.track_id,
        StepProgress.step_id == request.step_id,
        StepProgress.status == StepStatus.DONE.value,
    )
    in_group = select(GroupMember.member_id).where(
        GroupMember.community_id == request.community_id,
        GroupMember.group_id == request.group_id,
    )
    last_offer = (
        select(HelpOffer.member_id, func.max(HelpOffer.offered_at).label("at"))
        .where(HelpOffer.community_id == request.community_id)
        .group_by(HelpOffer.member_id)
        .subquery()
    )
    rows = await session.execute(
        select(Member, last_offer.c.at)
        .outerjoin(last_offer, last_offer.c.member_id == Member.id)
        .where(
            Member.community_id == request.community_id,
            Member.mentor.is_(True),
            privacy.visible_clause(),
            Member.id != request.member_id,
            Member.id.in_(finished),
            Member.id.in_(in_group),
        )
    )
    found: list[tuple[bool, datetime | None, int, Member]] = []
    for member, last in rows:
        if member.id in exclude:
            continue
        tz = ZoneInfo(member.timezone)
        if awake_now and in_quiet_hours(now, tz, member.quiet_start, member.quiet_end):
            continue
        if awake_now and await away.current(session, member, now) is not None:
            continue
        found.append((not is_daytime(member, now), last, member.id, member))
    epoch = datetime.min.replace(tzinfo=now.tzinfo)
    found.sort(key=lambda f: (f[0], f[1] or epoch, f[2]))
    return [f[3] for f in found]


async def choose_mentors(
    session: AsyncSession, request: HelpRequest, *, round_: int, now: datetime
) -> list[Member]:
    """The mentors asked in `round_` (1 at once, 2 the repeat): those already asked in it,
    or, when it has none yet, up to two chosen now by the rules above, each spending one
    of their two asks of the day. The caller commits."""
    before = await asks(session, request)
    this_round = [a.member_id for a in before if a.round == round_]
    if this_round:
        members = await session.scalars(select(Member).where(Member.id.in_(this_round)))
        return sorted(members, key=lambda m: this_round.index(m.id))
    chosen: list[Member] = []
    for mentor in await _candidates(session, request, now, exclude=[a.member_id for a in before]):
        if len(chosen) >= MENTORS_ASKED:
            break
        day = local_date(now, ZoneInfo(mentor.timezone)).isoformat()
        used = await session.scalar(
            select(func.count())
            .select_from(HelpAsk)
            .where(HelpAsk.member_id == mentor.id, HelpAsk.day == day)
        )
        if (used or 0) >= ASKS_A_DAY:
            continue
        try:
            async with session.begin_nested():
                session.add(
                    HelpAsk(
                        request_id=request.id,
                        member_id=mentor.id,
                        community_id=request.community_id,
                        round=round_,
                        day=day,
                        slot=(used or 0) + 1,
                        asked_at=now,
                    )
                )
        except IntegrityError:  # another process spent that slot a moment ago
            continue
        chosen.append(mentor)
    return chosen


@dataclass(frozen=True)
class Week:
    """A group's help in a week, for its summary."""

    asked: int  # questions asked this week
    solved: int  # ... of which solved
    unanswered: list[tuple[HelpRequest, Member]]  # still open, nobody offered, oldest first
    helpers: list[tuple[Member, int]]  # who offered help this week, and how often


WAITING_FOR = timedelta(days=14)  # an open question stays in summaries this long


async def week_of(session: AsyncSession, group: Group, since: datetime, until: datetime) -> Week:
    """The week [since, until) of `group`'s help. A question is listed as waiting once its
    repeat to other mentors has had its turn (asked before `until - REPEAT_AFTER`), and in
    every summary after that while it is open and nobody offered, for two weeks."""
    mine = (HelpRequest.community_id == group.community_id, HelpRequest.group_id == group.id)
    asked, solved = (
        await session.execute(
            select(func.count(), func.count(HelpRequest.solved_at)).where(
                *mine, HelpRequest.asked_at >= since, HelpRequest.asked_at < until
            )
        )
    ).one()
    offered = select(HelpOffer.request_id).where(HelpOffer.community_id == group.community_id)
    waiting = list(
        await session.execute(
            select(HelpRequest, Member)
            .join(Member, Member.id == HelpRequest.member_id)
            .where(
                *mine,
                HelpRequest.solved_at.is_(None),
                HelpRequest.asked_at >= until - WAITING_FOR,
                HelpRequest.asked_at < until - REPEAT_AFTER,
                HelpRequest.id.not_in(offered),
            )
            .order_by(HelpRequest.asked_at, HelpRequest.id)
        )
    )
    helpers = await session.execute(
        select(Member, func.count())
        .join(HelpOffer, HelpOffer.member_id == Member.id)
        .join(HelpRequest, HelpRequest.id == HelpOffer.request_id)
        .where(*mine, HelpOffer.offered_at >= since, HelpOffer.offered_at < until)
        .group_by(Member.id)
    )
    ranked = sorted(
        ((member, int(count)) for member, count in helpers),
        key=lambda pair: (-pair[1], pair[0].display_name.lower(), pair[0].id),
    )
    return Week(int(asked), int(solved), [(r, m) for r, m in waiting], ranked)


async def set_mentor(session: AsyncSession, member: Member, on: bool) -> None:
    """`/me mentor on|off`: whether the member may be asked for help."""
    member.mentor = on
    await session.flush()
