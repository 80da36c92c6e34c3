"""Learning together, as the scheduler sends it: help requests (their post in the group's
channel, the DMs to mentors, the asker's news that someone will help) and each member's
review question of the day. What is due is read here; who is asked and what an answer
does are the services' rules (`bot.services.helping`, `bot.services.review`).

Everything goes through the engine's claims like any other post, so each message goes
once, and a review DM spends the member's one scheduled DM of the day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from bot.db.models import Group, HelpRequest, Member
from bot.markup import literal
from bot.messages import Button, ButtonStyle, Reply
from bot.presentation import name, review_question, step_label
from bot.roadmap.catalog import Catalog, PlacedStep
from bot.scheduler.calendar import Kind, Occurrence
from bot.scheduler.compose import Outgoing
from bot.services import away, groups, helping, history, learners, privacy, review, upcoming
from bot.timeutil import after_quiet_hours, at_local, local_date

REVIEW_AT = time(18, 0)  # a review question comes at this local time, after quiet hours
# A review DM left unanswered: the next one waits this long, so an unread question does not
# come back every day.
UNANSWERED_WAIT = timedelta(days=3)
# A review DM missed while the bot was down still goes this long after its time (its time
# may be the next morning, when quiet hours cover the evening).
REVIEW_USEFUL_FOR = timedelta(hours=6)
THREAD_NAME = 100  # characters a thread name may have at most (Discord's limit)


# Help requests -------------------------------------------------------------------------


async def plan_help(
    session: AsyncSession, request_id: int, now: datetime
) -> tuple[list[Occurrence], datetime]:
    """What is due for a help request now, and when to look at it next. Choosing mentors
    writes who was asked (the caller commits), so a second look asks the same ones."""
    request = await session.get(HelpRequest, request_id)
    if request is None or request.solved_at is not None:
        return [], upcoming.NEVER
    group_row = await session.get(Group, request.group_id)
    if group_row is None or group_row.paused:  # resuming reads it again
        return [], upcoming.NEVER
    asked = request.asked_at
    group = request.group_id
    found = [Occurrence(Kind.HELP_POST, f"r{request.id}", asked, asked + helping.USEFUL_FOR, group)]
    offers = await helping.offers(session, request)
    for offer, helper in offers:
        found.append(
            Occurrence(
                Kind.HELP_NEWS,
                f"r{request.id}:o{helper.id}",
                offer.offered_at,
                offer.offered_at + helping.USEFUL_FOR,
                group,
                request.member_id,
            )
        )
    repeat_at = asked + helping.REPEAT_AFTER
    give_up_at = asked + helping.GIVE_UP_AFTER
    next_due = upcoming.NEVER  # help is coming once someone offered: nobody more is asked
    if not offers and now < repeat_at:
        first = await helping.choose_mentors(session, request, round_=1, now=now)
        next_due = repeat_at if first else min(now + helping.LOOK_AGAIN, repeat_at)
    elif not offers and now < give_up_at:
        second = await helping.choose_mentors(session, request, round_=2, now=now)
        if not second:
            next_due = min(now + helping.LOOK_AGAIN, give_up_at)
    for ask in await helping.asks(session, request):
        found.append(
            Occurrence(
                Kind.HELP_DM,
                f"r{request.id}:m{ask.member_id}",
                ask.asked_at,
                ask.asked_at + helping.REPEAT_AFTER,
                group,
                ask.member_id,
            )
        )
    return [o for o in found if o.expires_at > now], next_due


def _asker_named(asker: Member | None) -> str:
    """The asker as others read it: their name, or nobody's when they are hidden."""
    if asker is not None and privacy.is_visible(asker):
        return name(asker.display_name)
    return "A member who keeps their progress private"


def _help_buttons(request: HelpRequest, *, with_solved: bool) -> tuple[Button, ...]:
    offer = Button("I'll help", "offer", {"request": str(request.id)}, ButtonStyle.PRIMARY)
    if not with_solved:
        return (offer,)
    return (offer, Button("Solved", "solved", {"request": str(request.id)}))


def _placed(catalog: Catalog, request: HelpRequest) -> PlacedStep | None:
    track = catalog.get(request.track_id)
    return track.get(request.step_id) if track is not None else None


async def _request(session: AsyncSession, occurrence: Occurrence) -> HelpRequest | None:
    head = occurrence.period.split(":")[0]
    request = await session.get(HelpRequest, int(head[1:])) if head[1:].isdigit() else None
    if request is None or request.solved_at is not None:
        return None  # solved meanwhile: nobody needs to hear of it any more
    return request


async def help_post(
    session: AsyncSession, catalog: Catalog, occurrence: Occurrence
) -> Outgoing | None:
    """The question, in the group's channel, with a thread for the answers."""
    request = await _request(session, occurrence)
    placed = _placed(catalog, request) if request is not None else None
    if request is None or placed is None:
        return None
    asker = await session.get(Member, request.member_id)
    title = f"🆘 #{request.id} · Stuck on {placed.step.title}"
    body = (
        f"{_asker_named(asker)} is stuck on {step_label(placed)}:\n"
        f"> {literal(request.question)}\n\n"
        "Finished this step? Press **I'll help**, so they know help is coming and I stop "
        "asking others, then answer in the thread on this message. Whoever asked presses "
        "**Solved** once it's sorted."
    )
    thread = f"Help: {placed.step.title}"[:THREAD_NAME]
    return Outgoing(
        Reply(
            title=title, body=body, buttons=_help_buttons(request, with_solved=True), thread=thread
        )
    )


async def help_dm(
    session: AsyncSession, catalog: Catalog, group: Group, occurrence: Occurrence
) -> Outgoing | None:
    """A mentor asked to help; None if they may no longer be asked (hidden, mentor off) or
    already said they will."""
    request = await _request(session, occurrence)
    placed = _placed(catalog, request) if request is not None else None
    mentor = await session.get(Member, occurrence.member_id, options=[undefer(Member.mentor)])
    if request is None or placed is None or mentor is None:
        return None
    if not mentor.mentor or not privacy.is_visible(mentor):
        return None
    if any(m.id == mentor.id for _, m in await helping.offers(session, request)):
        return None
    asker = await session.get(Member, request.member_id)
    where = literal(group.name) if group.name else "your study group"
    body = (
        f"Hi {name(mentor.display_name)}! {_asker_named(asker)} in {where} is stuck on "
        f"{step_label(placed)}, a step you finished:\n> {literal(request.question)}\n\n"
        "If you can help, press **I'll help** (so they know, and I stop asking others) and "
        "answer in the thread under the question in the group's channel.\n"
        "_`/me mentor off` pauses these._"
    )
    return Outgoing(
        Reply(
            title="🤝 Can you help?", body=body, buttons=_help_buttons(request, with_solved=False)
        ),
        to_member=mentor,
    )


async def help_news(
    session: AsyncSession, catalog: Catalog, occurrence: Occurrence
) -> Outgoing | None:
    """The asker hears who offered to help (a hidden helper is "someone")."""
    request = await _request(session, occurrence)
    placed = _placed(catalog, request) if request is not None else None
    asker = await session.get(Member, occurrence.member_id)
    helper_id = occurrence.period.rpartition(":o")[2]
    helper = await session.get(Member, int(helper_id)) if helper_id.isdigit() else None
    if request is None or placed is None or asker is None or helper is None:
        return None
    who = name(helper.display_name) if privacy.is_visible(helper) else "Someone in your group"
    body = (
        f"{who} will help with your question on {step_label(placed)}. Look for their "
        "answer in the thread under your question. Press **Solved** once it's sorted."
    )
    solved = Button("Solved", "solved", {"request": str(request.id)}, ButtonStyle.PRIMARY)
    return Outgoing(Reply(title="🙌 Help is coming", body=body, buttons=(solved,)), to_member=asker)


# Spaced review -------------------------------------------------------------------------


def review_time(member: Member, day: date) -> datetime:
    """When a review question comes on a day of the member's calendar."""
    tz = ZoneInfo(member.timezone)
    return after_quiet_hours(at_local(day, REVIEW_AT, tz), tz, member.quiet_start, member.quiet_end)


def plan_reviews(
    member: Member | None,
    group_id: int | None,
    earliest: date | None,
    since: datetime,
    now: datetime,
) -> tuple[list[Occurrence], datetime]:
    """The review DMs due in (since, now] (one a day at most, from the first day a card is
    due), and when the next one comes. Parked while review is off, nothing is due, or the
    member is in no active group; turning it on or finishing a step reads it again."""
    if member is None or group_id is None or earliest is None or not member.review:
        return [], upcoming.NEVER
    tz = ZoneInfo(member.timezone)
    found = []
    day = max(earliest, local_date(since, tz) - timedelta(days=1))
    today = local_date(now, tz)
    while day <= today:
        due = review_time(member, day)
        if since < due <= now:
            useful = due + REVIEW_USEFUL_FOR
            found.append(Occurrence(Kind.REVIEW, day.isoformat(), due, useful, group_id, member.id))
        day += timedelta(days=1)
    ahead = [
        review_time(member, d)
        for d in (max(earliest, today), max(earliest, today + timedelta(days=1)))
    ]
    return found, min((t for t in ahead if t > now), default=now + timedelta(days=1))


async def review_dm(
    session: AsyncSession, catalog: Catalog, member: Member, now: datetime
) -> Outgoing | None:
    """The member's review question of the day; None when review is off, they are away or
    went quiet (`bot.services.learners`), or nothing is due any more (answered with
    `/review` meanwhile)."""
    if not member.review or await away.current(session, member, now) is not None:
        return None
    last_activity = await groups.last_activity(session, member, now)
    if learners.is_dormant(last_activity, now):
        return None  # after the last nudge, nothing until they are back
    if await _left_unanswered(session, member, last_activity, now):
        return None
    if await _reminder_later_today(session, member, now):
        return None  # the day's one DM is the reminder's (or the nudge's): review tomorrow
    due = await review.next_due(session, catalog, member, now)
    if due is None:
        return None
    reply = review_question(due.card.id, due.card.answers, due.placed, due.question, due.due)
    return Outgoing(reply, to_member=member)


async def _left_unanswered(
    session: AsyncSession, member: Member, last_activity: datetime, now: datetime
) -> bool:
    """Whether the member's latest review DM is still unanswered and either was sent less
    than `UNANSWERED_WAIT` ago or the member has not studied since: then today's waits (a
    member who went quiet gets one review question, not one a day)."""
    last_sent = await history.last_sent_to(session, member, Kind.REVIEW.value)
    if last_sent is None:
        return False
    if now - last_sent >= UNANSWERED_WAIT and last_activity > last_sent:
        return False
    answered = await review.last_answered_at(session, member)
    return answered is None or answered < last_sent


async def _reminder_later_today(session: AsyncSession, member: Member, now: datetime) -> bool:
    """Whether one of the member's reminders or nudges is due later on their today: the
    day's one scheduled DM is kept for it."""
    tz = ZoneInfo(member.timezone)
    end_of_day = at_local(local_date(now, tz) + timedelta(days=1), time(0), tz)
    return await upcoming.dm_due_between(session, member, after=now, before=end_of_day)
