"""Who is a learner. One rule, one owner: reminders, nudges, "not checked in" and the
weekly summary's lines ask this module, never a flag of their own.

- A member becomes a learner with their first study action (logging time, a focus
  session, moving a step, a check-in): `began` records when.
- `/me role organiser` says someone runs the group rather than studies in it; `/me role
  learner` says they study even before their first action. Their word wins over the rule.
- Organisers and members who never studied (lurkers) get no reminders and no nudges and
  are not counted as "not checked in".
- After the last nudge (14 days of silence) a learner is dormant: Cohort sends them
  nothing from its schedule until they are active again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Role
from bot.services import streaks, upcoming

DORMANT_AFTER = timedelta(days=14)  # the last nudge; after it Cohort stays quiet


def is_learner(member: Member) -> bool:
    if member.role == Role.ORGANISER.value:
        return False
    return member.role == Role.LEARNER.value or member.began_at is not None


def learner_clause() -> ColumnElement[bool]:
    """`is_learner` as an SQL condition on `Member`."""
    return or_(
        Member.role == Role.LEARNER.value,
        and_(Member.role.is_(None), Member.began_at.is_not(None)),
    )


def began(member: Member, now: datetime) -> None:
    """The first study action makes the member a learner, since `now`."""
    if member.began_at is None:
        member.began_at = now


async def studied(
    session: AsyncSession, member: Member, at: datetime, *, began_at: datetime | None = None
) -> None:
    """Everything a study action at `at` means, in one place: the member is a learner
    (since `began_at`, by default `at`), `at` is one of their study days, and whatever
    Cohort had stopped scheduling for them (they were not a learner yet, or dormant) is
    read again at the next sweep."""
    began(member, began_at or at)
    await streaks.record_study_day(session, member, at)
    await upcoming.member_active(session, member, now=at)


def is_dormant(last_activity: datetime, now: datetime) -> bool:
    """Silent since before the last nudge was due: nothing more until they come back."""
    return now - last_activity >= DORMANT_AFTER
