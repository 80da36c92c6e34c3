"""A member's own data as a whole: everything Cohort holds about them in one community,
to hand to them (`/me export`) or to delete (`/me forget`)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.db.models import (
    Base,
    Checkin,
    Delivery,
    DmDay,
    FocusSession,
    GroupAdmin,
    GroupMember,
    HelpAsk,
    HelpOffer,
    HelpRequest,
    KaggleAttempt,
    Member,
    ProgressEvent,
    ReviewAnswer,
    ReviewCard,
    StepProgress,
    StreakMark,
    StudyDay,
    StudyLog,
    Upcoming,
    Vacation,
)

# Every table that holds rows about one member, under the name its part of an export
# has. A table with a `member_id` column that is missing here is a test failure: it
# would be neither exported nor forgotten.
MEMBER_DATA: dict[str, type[Base]] = {
    "groups": GroupMember,
    "group_admin_of": GroupAdmin,
    "step_progress": StepProgress,
    "progress_events": ProgressEvent,
    "study_time": StudyLog,
    "focus_sessions": FocusSession,
    "checkins": Checkin,
    "kaggle_attempts": KaggleAttempt,
    "vacations": Vacation,
    "messages_sent_to_you": Delivery,
    "dm_days": DmDay,
    "study_days": StudyDay,
    "streak": StreakMark,  # where your streak stood at your latest study day
    "upcoming_reminders": Upcoming,  # when Cohort next looks at your reminders and nudges
    "help_asked": HelpRequest,  # questions you asked with /stuck or a check-in blocker
    "help_requests_sent_to_you": HelpAsk,  # as a mentor
    "help_offered": HelpOffer,  # requests you said you'd help with
    "review_schedule": ReviewCard,  # when each finished step comes back for review
    "review_answers": ReviewAnswer,
}
SETTINGS = (
    "display_name",
    "timezone",
    "timezone_chosen",
    "privacy",
    "role",
    "reminders",
    "quiet_start",
    "quiet_end",
    "joined_at",
    "began_at",
    "images",
    "mentor",
    "review",
)
# Columns that say nothing about the member and only tie rows together inside Cohort.
INTERNAL = {"community_id", "member_id", "claimed_by"}


async def forget(session: AsyncSession, member: Member) -> None:
    """Delete everything stored about `member` in their community."""
    for table in MEMBER_DATA.values():
        columns = table.__table__.c
        await session.execute(
            delete(table).where(
                columns.community_id == member.community_id, columns.member_id == member.id
            )
        )
    await session.delete(member)
    await session.flush()


async def export(session: AsyncSession, member: Member, *, now: datetime) -> dict[str, Any]:
    """Everything stored about `member` in their community, as plain JSON values."""
    unloaded = inspect(member).unloaded & set(SETTINGS)  # a server default just written
    if unloaded:
        await session.refresh(member, sorted(unloaded))
    found: dict[str, Any] = {
        "exported_at": now.isoformat(),
        "member": {name: _plain(getattr(member, name)) for name in SETTINGS},
    }
    for part, table in MEMBER_DATA.items():
        columns = table.__table__.c
        rows = await session.scalars(
            select(table).where(
                columns.community_id == member.community_id, columns.member_id == member.id
            )
        )
        found[part] = [_row(row) for row in rows]
    return found


def export_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False).encode()


def _row(row: Base) -> dict[str, Any]:
    mapper = inspect(type(row))
    return {
        column.key: _plain(getattr(row, column.key))
        for column in mapper.column_attrs
        if column.key not in INTERNAL
    }


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime | date) else value


async def set_images(session: AsyncSession, member: Member, on: bool) -> None:
    """Turn pictures on or off in the member's own replies (`/me images`)."""
    await session.execute(
        update(Member)
        .where(Member.community_id == member.community_id, Member.id == member.id)
        .values(images=on)
    )
    set_committed_value(member, "images", on)
