"""Weekly check-ins: saved once per member per week, and able to mark steps done."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Checkin, Group, HelpSource, Member, StepStatus
from bot.roadmap.catalog import PlacedStep, Track
from bot.services import helping, learners, privacy, progress, study
from bot.services.progress import Outcome

WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PLAIN_WORD = re.compile(r"[a-z0-9]+")
# Answers that say "no blocker": not shown as blockers.
NO_BLOCKER = frozenset(
    {
        "none", "no", "nope", "nah", "nothing", "nil", "null", "n a", "na", "0", "zero",
        "no blockers", "no blocker", "none so far", "none this week", "nothing really",
        "nothing this week", "not really", "all good", "no issues", "no problems", "nothing yet",
    }
)  # fmt: skip
CLOSE_WORD = 0.85  # difflib ratio from which a word in a blocker is a typo of a step's word
CLOSE_LENGTH = 6  # ... for words at least this long ("three" is no typo of "trees")
STEM = 5  # or they share a beginning this long (and at least half the shorter word)
# Words too common in blockers or across steps to say which step someone is stuck on.
COMMON_WORDS = frozenset(
    {
        "about", "basic", "basics", "confused", "learning", "machine", "model", "models",
        "project", "projects", "really", "still", "stuck", "their", "there", "these",
        "thing", "things", "through", "understand", "understanding", "using", "which",
        "while", "would", "first", "engineering", "habits",
    }
)  # fmt: skip


@dataclass(frozen=True)
class SavedCheckin:
    checkin: Checkin
    updated: bool
    marked_done: list[PlacedStep]
    help_on: PlacedStep | None = None  # the step a blocker asked the group's help with


def steps_mentioned(track: Track, text: str | None) -> list[PlacedStep]:
    """Steps named by id in free text, in the order they appear."""
    found: list[PlacedStep] = []
    for word in WORD.findall((text or "").lower()):
        placed = track.get(word)
        if placed is not None and placed not in found:
            found.append(placed)
    return found


def is_blocker(text: str | None) -> bool:
    """Whether a check-in's blockers answer names a blocker: "none", "-", "n/a" do not."""
    words = " ".join(PLAIN_WORD.findall((text or "").lower()))
    return bool(words) and words not in NO_BLOCKER


def steps_about(track: Track, text: str | None) -> list[PlacedStep]:
    """Steps a blocker is about, in roadmap order, from the surest sign to the loosest:
    steps it names (by id, title or one of their skills); failing that, steps one of
    whose words it uses; failing that, steps with a word close to one of its words (a
    typo, another form: "stuck on eigenvectors" is about linear algebra, whose skills
    name eigenvalues). Case does not matter."""
    lowered = (text or "").lower()
    ids = set(WORD.findall(lowered))
    said = PLAIN_WORD.findall(lowered)
    padded = f" {' '.join(said)} "
    words = {w for w in said if _telling(w)}
    named, sharing, close = [], [], []
    for placed in track.steps:
        phrases = [placed.step.title.lower(), *(skill.lower() for skill in placed.step.skills)]
        if placed.id in ids or any(
            f" {' '.join(PLAIN_WORD.findall(p))} " in padded for p in phrases
        ):
            named.append(placed)
            continue
        vocabulary = {
            w for p in [placed.id, *phrases] for w in PLAIN_WORD.findall(p) if _telling(w)
        }
        if words & vocabulary:
            sharing.append(placed)
        elif any(_close(w, v) for w in words for v in vocabulary):
            close.append(placed)
    return named or sharing or close


def _telling(word: str) -> bool:
    return len(word) >= STEM and word not in COMMON_WORDS


def _close(word: str, other: str) -> bool:
    """A typo or another form of the same word: `gradiant`, `eigenvectors`/`eigenvalues`."""
    shortest = min(len(word), len(other))
    shared = next((i for i in range(shortest) if word[i] != other[i]), shortest)
    if shared >= STEM and shared * 2 >= shortest:
        return True
    if shortest < CLOSE_LENGTH:
        return False
    return difflib.SequenceMatcher(None, word, other).ratio() >= CLOSE_WORD


async def save(
    session: AsyncSession,
    *,
    group: Group,
    member: Member,
    track: Track,
    period: str,
    finished: str | None,
    next_up: str | None,
    blockers: str | None,
    hours: float | None,
    now: datetime,
) -> SavedCheckin:
    checkin = await session.scalar(
        select(Checkin).where(
            Checkin.community_id == member.community_id,
            Checkin.group_id == group.id,
            Checkin.member_id == member.id,
            Checkin.period == period,
        )
    )
    updated = checkin is not None
    if checkin is None:
        checkin = Checkin(
            community_id=member.community_id,
            group_id=group.id,
            member_id=member.id,
            period=period,
            submitted_at=now,
        )
        session.add(checkin)
        # Its study day is the first answer's: an edit later adds no day. Its hours cover
        # the seven days before it, so the member has been a learner since then.
        await learners.studied(session, member, now, began_at=now - study.CHECKIN_COVERS)
    # A second check-in in the same week adds to the first rather than erasing it.
    checkin.finished = finished if finished is not None else checkin.finished
    checkin.next_up = next_up if next_up is not None else checkin.next_up
    checkin.blockers = blockers if blockers is not None else checkin.blockers
    checkin.hours = hours if hours is not None else checkin.hours
    # The first answer's moment stays: it is the study day the check-in counts for, and a
    # later edit must not move it.
    marked = []
    for placed in steps_mentioned(track, finished):
        change = await progress.change_step(
            session,
            member,
            track_id=track.id,
            step_id=placed.id,
            target=StepStatus.DONE,
            now=now,
            note="from a weekly check-in",
        )
        if change.outcome is Outcome.CHANGED:
            marked.append(placed)
    await session.flush()
    # A blocker that says which step it is about asks for help at once (`helping`). A
    # hidden member's blocker stays private, as in the summary: `/stuck` is theirs to use.
    help_on = None
    about = steps_about(track, blockers) if is_blocker(blockers) else []
    if not privacy.is_visible(member) or group.paused:  # a paused group posts nothing
        about = []
    if about:
        help_on = about[0]
        await helping.ask(
            session,
            group=group,
            member=member,
            track=track,
            step=help_on,
            question=blockers or "",
            source=HelpSource.CHECKIN,
            now=now,
        )
    return SavedCheckin(checkin, updated, marked, help_on)


async def for_period(session: AsyncSession, group: Group, period: str) -> list[Checkin]:
    rows = await session.scalars(
        select(Checkin).where(
            Checkin.community_id == group.community_id,
            Checkin.group_id == group.id,
            Checkin.period == period,
        )
    )
    return list(rows)
