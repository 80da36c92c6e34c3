"""Spaced review: the one owner of when a finished step comes back, and of what an answer
does to that.

Finishing a step makes a review card for it. Its review questions (from the content pack)
come back one at a time: 1 day after it was finished, then 7 days after a right answer,
then 30 days after the next; a third right answer ends its reviews. A wrong answer brings
the same question back the next day and starts the intervals again (1, 7, 30). Each
right answer moves on to the step's next question, so the three reviews ask different
things. Days are the member's own calendar. The scheduler sends at most one review DM a
day (`bot.scheduler.learning`); `/review` asks the next due question at once. Answers are
kept as events (`ReviewAnswer`); `/review off` stops the DMs (cards keep their dates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.db.models import GroupMember, Member, ReviewAnswer, ReviewCard
from bot.errors import UserError
from bot.events import ReviewScheduled, emit
from bot.roadmap.catalog import Catalog, PlacedStep
from bot.roadmap.schema import QuestionKind, ReviewQuestion
from bot.services import learners, upcoming
from bot.timeutil import friendly_date, local_date, start_of_week

INTERVALS = (1, 7, 30)  # days until each review: after finishing, then after right answers
AGAIN_AFTER = 1  # days until a question answered wrong comes back
DONE = len(INTERVALS)  # the stage of a card whose reviews are over
CARD_LIMIT = 2**31 - 1  # the largest card number a database integer holds


def today_of(member: Member, now: datetime) -> date:
    return local_date(now, ZoneInfo(member.timezone))


async def step_done(
    session: AsyncSession, member: Member, *, track_id: str, step_id: str, now: datetime
) -> None:
    """`member` finished a step: its review starts tomorrow (again, if it had ended)."""
    tomorrow = today_of(member, now) + timedelta(days=INTERVALS[0])
    card = await session.scalar(
        select(ReviewCard).where(
            ReviewCard.community_id == member.community_id,
            ReviewCard.member_id == member.id,
            ReviewCard.track_id == track_id,
            ReviewCard.step_id == step_id,
        )
    )
    if card is None:
        session.add(
            ReviewCard(
                community_id=member.community_id,
                member_id=member.id,
                track_id=track_id,
                step_id=step_id,
                stage=0,
                due_on=tomorrow,
                question_id=None,
                answers=0,
                created_at=now,
            )
        )
    elif card.due_on is None:  # done again after a reset: review it again
        card.stage, card.due_on = 0, tomorrow
    else:
        return
    await session.flush()
    await upcoming.reviews_changed(session, member, now=now)
    emit(session, ReviewScheduled(member.id))


@dataclass(frozen=True)
class Due:
    """A review question to ask: its card, step and question, and how many are due."""

    card: ReviewCard
    placed: PlacedStep
    question: ReviewQuestion
    due: int  # cards due today, this one included


def question_of(catalog: Catalog, card: ReviewCard) -> tuple[PlacedStep, ReviewQuestion] | None:
    """The question `card` asks next; None when its step (or its questions) left the pack."""
    track = catalog.get(card.track_id)
    placed = track.get(card.step_id) if track is not None else None
    if placed is None or not placed.step.review:
        return None
    questions = placed.step.review
    wanted = next((q for q in questions if q.id == card.question_id), None)
    return placed, wanted or questions[0]


async def due_cards(session: AsyncSession, member: Member, now: datetime) -> list[ReviewCard]:
    """The member's cards due today or before, the longest waiting first."""
    rows = await session.scalars(
        select(ReviewCard)
        .where(
            ReviewCard.community_id == member.community_id,
            ReviewCard.member_id == member.id,
            ReviewCard.due_on.is_not(None),
            ReviewCard.due_on <= today_of(member, now),
        )
        .order_by(ReviewCard.due_on, ReviewCard.id)
    )
    return list(rows)


async def next_due(
    session: AsyncSession, catalog: Catalog, member: Member, now: datetime
) -> Due | None:
    """The question to ask the member now, if any is due. A card whose step no longer has
    questions (the pack changed) is ended on the way."""
    cards = await due_cards(session, member, now)
    for position, card in enumerate(cards):
        found = question_of(catalog, card)
        if found is None:
            card.stage, card.due_on = DONE, None
            continue
        return Due(card, found[0], found[1], len(cards) - position)
    return None


async def upcoming_on(session: AsyncSession, member: Member) -> date | None:
    """The day the member's next review falls on."""
    found: date | None = await session.scalar(
        select(func.min(ReviewCard.due_on)).where(
            ReviewCard.community_id == member.community_id,
            ReviewCard.member_id == member.id,
        )
    )
    return found


async def card_of(session: AsyncSession, member: Member, card_id: int) -> ReviewCard:
    if not 1 <= card_id <= CARD_LIMIT:
        msg = "That review question isn't one of yours. `/review` asks your next one."
        raise UserError(msg)
    card = await session.scalar(
        select(ReviewCard).where(
            ReviewCard.community_id == member.community_id,
            ReviewCard.member_id == member.id,
            ReviewCard.id == card_id,
        )
    )
    if card is None:
        msg = "That review question isn't one of yours. `/review` asks your next one."
        raise UserError(msg)
    return card


@dataclass(frozen=True)
class Answered:
    right: bool
    placed: PlacedStep
    question: ReviewQuestion
    given: str
    comes_back: date | None  # None: this step's reviews are over


async def answer(
    session: AsyncSession,
    catalog: Catalog,
    member: Member,
    *,
    card_id: int,
    asked: int | None,
    choice: int | None,
    text: str | None,
    now: datetime,
) -> Answered:
    """Answer the question `card_id` asked after `asked` earlier answers (so a button from
    an older DM cannot answer a question it did not show; None: the question it asks now),
    by choice number or text."""
    card = await card_of(session, member, card_id)
    if card.due_on is None or (asked is not None and card.answers != asked):
        msg = "That question was answered already. `/review` asks the next one."
        raise UserError(msg)
    if card.due_on > today_of(member, now):
        msg = (
            f"That step comes back for review {friendly_date(card.due_on)}: reviewing it "
            "sooner would not help it stick. `/review` asks what's due."
        )
        raise UserError(msg)
    found = question_of(catalog, card)
    if found is None:
        card.stage, card.due_on = DONE, None
        msg = "That step has no review questions any more, so there's nothing to answer."
        raise UserError(msg)
    placed, question = found
    if question.kind is QuestionKind.CHOICE:
        if choice is None or not 1 <= choice <= len(question.choices):
            msg = f"Pick one of the {len(question.choices)} answers with its button."
            raise UserError(msg)
        given = question.choices[choice - 1]
    else:
        given = " ".join((text or "").split())
        if not given:
            msg = f"Type your answer, like `/answer {card.id} gradient descent`."
            raise UserError(msg)
    right = question.is_right(given)
    today = today_of(member, now)
    questions = placed.step.review
    if right:
        card.stage += 1
        at = questions.index(question)
        card.question_id = questions[(at + 1) % len(questions)].id
        card.due_on = None if card.stage >= DONE else today + timedelta(days=INTERVALS[card.stage])
    else:
        card.stage = 0
        card.question_id = question.id
        card.due_on = today + timedelta(days=AGAIN_AFTER)
    card.answers += 1
    await learners.studied(session, member, now)  # reviewing is studying
    session.add(
        ReviewAnswer(
            community_id=member.community_id,
            member_id=member.id,
            track_id=card.track_id,
            step_id=card.step_id,
            question_id=question.id,
            answer=given[:500],
            correct=right,
            answered_at=now,
        )
    )
    await session.flush()
    return Answered(right, placed, question, given, card.due_on)


@dataclass(frozen=True)
class Health:
    due: int  # questions due today
    answered_this_week: int
    right_this_week: int
    next_on: date | None  # the next review's day when none is due


async def health(session: AsyncSession, member: Member, now: datetime) -> Health:
    due = len(await due_cards(session, member, now))
    since = start_of_week(now, ZoneInfo(member.timezone))
    answered, right = (
        await session.execute(
            select(func.count(), func.count().filter(ReviewAnswer.correct.is_(True))).where(
                ReviewAnswer.community_id == member.community_id,
                ReviewAnswer.member_id == member.id,
                ReviewAnswer.answered_at >= since,
            )
        )
    ).one()
    return Health(due, int(answered), int(right), await upcoming_on(session, member))


async def answered_in_group(
    session: AsyncSession,
    community_id: int,
    group_id: int,
    track_id: str,
    since: datetime,
    until: datetime,
) -> int:
    """Review questions of the group's track its members answered in [since, until)."""
    members = select(GroupMember.member_id).where(
        GroupMember.community_id == community_id, GroupMember.group_id == group_id
    )
    found = await session.scalar(
        select(func.count())
        .select_from(ReviewAnswer)
        .where(
            ReviewAnswer.community_id == community_id,
            ReviewAnswer.member_id.in_(members),
            ReviewAnswer.track_id == track_id,
            ReviewAnswer.answered_at >= since,
            ReviewAnswer.answered_at < until,
        )
    )
    return int(found or 0)


async def set_review(session: AsyncSession, member: Member, on: bool, *, now: datetime) -> None:
    """`/review on|off`: whether review questions come by DM."""
    await session.execute(
        update(Member)
        .where(Member.community_id == member.community_id, Member.id == member.id)
        .values(review=on)
    )
    set_committed_value(member, "review", on)
    if on:
        await upcoming.reviews_changed(session, member, now=now)
        emit(session, ReviewScheduled(member.id))


async def last_answered_at(session: AsyncSession, member: Member) -> datetime | None:
    """When the member last answered a review question."""
    found = await session.scalar(
        select(func.max(ReviewAnswer.answered_at)).where(
            ReviewAnswer.community_id == member.community_id,
            ReviewAnswer.member_id == member.id,
        )
    )
    if found is None:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


async def earliest_due(session: AsyncSession, member_ids: list[int]) -> dict[int, date]:
    """Each member's earliest review day (members with nothing to review are left out)."""
    if not member_ids:
        return {}
    rows = await session.execute(
        select(ReviewCard.member_id, func.min(ReviewCard.due_on))
        .where(ReviewCard.member_id.in_(member_ids), ReviewCard.due_on.is_not(None))
        .group_by(ReviewCard.member_id)
    )
    return {int(member_id): day for member_id, day in rows if day is not None}
