"""Kaggle challenges for groups, and members' attempts at them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, Group, KaggleAttempt, Member
from bot.roadmap.kaggle import Challenge, ChallengeCatalogue
from bot.roadmap.schema import Phase
from bot.services import history


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


async def log_attempt(
    session: AsyncSession,
    *,
    member: Member,
    group: Group | None,
    challenge: Challenge,
    url: str,
    score: float | None,
    now: datetime,
) -> KaggleAttempt:
    attempt = KaggleAttempt(
        community_id=member.community_id,
        group_id=group.id if group is not None else None,
        member_id=member.id,
        challenge_id=challenge.id,
        url=url,
        score=score,
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
