"""Kaggle challenges for groups, and members' attempts at them."""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, Group, KaggleAttempt, Member
from bot.errors import UserError
from bot.markup import code
from bot.roadmap.catalog import Track
from bot.roadmap.kaggle import (
    Challenge,
    ChallengeCatalogue,
    KaggleLink,
    LinkKind,
    Score,
    kaggle_link,
)
from bot.roadmap.schema import Phase
from bot.services import history

# A score is a finite number from -1,000,000 to 1,000,000: every Kaggle metric a study
# group meets fits (accuracy and AUC in 0..1, RMSE and log loss, errors on house prices),
# and nothing absurd reaches the group's channel or the summary.
SCORE_LIMIT = 1_000_000
EXAMPLE_LINK = "`https://www.kaggle.com/code/you/titanic-first-try`"
_ON_KAGGLE = re.compile(r"(?i)https?://(?:www\.)?kaggle\.com(?:[/?#]|$)")


async def posted_challenge(
    session: AsyncSession, group: Group, catalogue: ChallengeCatalogue
) -> Challenge | None:
    """The challenge last posted to the group."""
    detail = await session.scalar(
        select(Delivery.detail)
        .where(
            Delivery.community_id == group.community_id,
            Delivery.group_id == group.id,
            Delivery.kind == "kaggle",
            Delivery.status == "sent",
        )
        .order_by(Delivery.due_at.desc())
        .limit(1)
    )
    return catalogue.get(detail) if detail else None


async def next_challenge(
    session: AsyncSession,
    group: Group,
    catalogue: ChallengeCatalogue,
    phase: Phase,
    following: Phase | None = None,
    *,
    later: Collection[str] = (),
) -> Challenge | None:
    """The least-posted challenge for the group's current phase or the one after it
    (`following`); the current phase's first on a tie, then catalogue order. Nothing from
    further ahead, ever: a challenge that also belongs to a `later` phase (one beyond
    `following`) is left out, and None is the answer when no challenge fits."""
    fits = [c for c in catalogue.challenges if not set(c.phases) & set(later)]
    pool = [c for c in fits if phase.id in c.phases]
    ahead = [c for c in fits if following and following.id in c.phases and c not in pool]
    candidates = [*pool, *ahead]
    if not candidates:
        return None
    posted = await history.posted_counts(session, group, "kaggle")
    return min(candidates, key=lambda c: (posted[c.id], c not in pool, candidates.index(c)))


async def challenge_for(
    session: AsyncSession,
    group: Group,
    catalogue: ChallengeCatalogue,
    track: Track,
    phase: Phase,
) -> Challenge | None:
    """`next_challenge` for a group in `phase` of `track`: from that phase or the next,
    and nothing that also belongs to a phase beyond those two (a serving project for a
    group still on its foundations)."""
    ids = [p.id for p in track.phases]
    at = ids.index(phase.id)
    following = track.phases[at + 1] if at + 1 < len(ids) else None
    return await next_challenge(
        session, group, catalogue, phase, following, later=frozenset(ids[at + 2 :])
    )


def attempt_link(text: str, challenge: Challenge, catalogue: ChallengeCatalogue) -> KaggleLink:
    """The Kaggle link a member shares for `challenge`. A notebook or a dataset may be
    anyone's work towards it; a competition page must be the challenge's own competition,
    and for a dataset challenge a dataset page must be that dataset."""
    link = kaggle_link(text)
    if link is None:
        if _ON_KAGGLE.match(text.strip()):
            msg = (
                "That Kaggle link doesn't lead to a competition, notebook or dataset. "
                f"Share your notebook or submission, like {EXAMPLE_LINK}."
            )
        else:
            msg = (
                f"{code(text)} isn't a Kaggle link. Share your notebook or submission, "
                f"like {EXAMPLE_LINK}."
            )
        raise UserError(msg)
    own = challenge.link
    checked = link.kind is LinkKind.COMPETITION or (own is not None and own.kind is link.kind)
    if checked and own is not None and link.subject != own.subject:
        other = catalogue.about(link)
        named = other.title if other is not None else f"the {code(link.slug)} {link.kind.value}"
        msg = (
            f"That link is for {named}, not {challenge.title}. "
            f"Share your own attempt at {challenge.title}, like {EXAMPLE_LINK}."
        )
        raise UserError(msg)
    return link


def check_score(score: float | None, challenge: Challenge | None = None) -> float | None:
    """`score` if a leaderboard can show it (see SCORE_LIMIT) and it fits how `challenge`
    is scored (accuracy between 0 and 1, say), so 77 typed for 0.77 is caught."""
    if score is None:
        return None
    if not (math.isfinite(score) and abs(score) <= SCORE_LIMIT):
        msg = f"A score must be a number between -{SCORE_LIMIT:,} and {SCORE_LIMIT:,}, like `0.77`."
        raise UserError(msg)
    if challenge is not None and challenge.score is not None:
        _check_plausible(score, challenge, challenge.score)
    return score


def _check_plausible(score: float, challenge: Challenge, scoring: Score) -> None:
    if not scoring.plausible(score):
        msg = (
            f"{challenge.title} is scored by {scoring.metric}, from "
            f"{scoring.low:g} to {scoring.high:g}; {score:g} can't be a score there. "
            "Check the number on your Kaggle submission."
        )
        raise UserError(msg)


async def log_attempt(
    session: AsyncSession,
    *,
    member: Member,
    group: Group | None,
    challenge: Challenge,
    catalogue: ChallengeCatalogue,
    url: str,
    score: float | None,
    now: datetime,
) -> KaggleAttempt:
    """Store an attempt under its normalised link; a UserError for a link that is not a
    Kaggle one, or is another challenge's, and for a score out of range."""
    link = attempt_link(url, challenge, catalogue)
    attempt = KaggleAttempt(
        community_id=member.community_id,
        group_id=group.id if group is not None else None,
        member_id=member.id,
        challenge_id=challenge.id,
        url=link.url,
        score=check_score(score, challenge),
        submitted_at=now,
    )
    session.add(attempt)
    await session.flush()
    return attempt


async def attempts_between(
    session: AsyncSession, group: Group, start: datetime, end: datetime
) -> list[tuple[str, KaggleAttempt]]:
    rows = await session.execute(
        select(Member.display_name, KaggleAttempt)
        .join(Member, Member.id == KaggleAttempt.member_id)
        .where(
            KaggleAttempt.community_id == group.community_id,
            KaggleAttempt.group_id == group.id,
            KaggleAttempt.submitted_at > start,
            KaggleAttempt.submitted_at <= end,
        )
        .order_by(KaggleAttempt.submitted_at)
    )
    return [(name, attempt) for name, attempt in rows]
