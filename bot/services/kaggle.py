"""Kaggle challenges for groups, and members' attempts at them."""

from __future__ import annotations

import math
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, Group, KaggleAttempt, Member
from bot.errors import UserError
from bot.markup import code
from bot.roadmap.kaggle import (
    Challenge,
    ChallengeCatalogue,
    KaggleLink,
    LinkKind,
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
) -> Challenge | None:
    """The least-posted challenge for the group's phase; once those have all been posted,
    the next phase's come first. Catalogue order breaks ties."""
    pool = catalogue.for_phase(phase.id)
    ahead = [c for c in catalogue.for_phase(following.id) if c not in pool] if following else []
    candidates = [*pool, *ahead] or catalogue.challenges
    if not candidates:
        return None
    posted = await history.posted_counts(session, group, "kaggle")
    return min(candidates, key=lambda c: (posted[c.id], c not in pool, candidates.index(c)))


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


def check_score(score: float | None) -> float | None:
    """`score` if it is one a leaderboard can show (see SCORE_LIMIT)."""
    if score is not None and not (math.isfinite(score) and abs(score) <= SCORE_LIMIT):
        msg = f"A score must be a number between -{SCORE_LIMIT:,} and {SCORE_LIMIT:,}, like `0.77`."
        raise UserError(msg)
    return score


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
        score=check_score(score),
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
