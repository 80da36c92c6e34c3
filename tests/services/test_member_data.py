"""A member's data, whole: `/me export` hands over every row Cohort holds about them and
`/me forget` deletes every one. A new table that holds member data and is left out of
either fails here."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db.models import (
    Base,
    Delivery,
    DeliveryStatus,
    DmDay,
    HelpAsk,
    HelpOffer,
    HelpRequest,
    Member,
    ReviewAnswer,
)
from bot.services.members import MEMBER_DATA
from tests.conftest import Cohort


def _member_tables() -> set[str]:
    return {t.name for t in Base.metadata.sorted_tables if "member_id" in t.c}


def test_every_table_with_member_data_is_exported_and_forgotten() -> None:
    covered = {table.__tablename__ for table in MEMBER_DATA.values()}
    assert covered == _member_tables()


async def _member_id(cohort: Cohort, name: str) -> tuple[int, int]:
    async with cohort.app.sessions() as session:
        member = await session.scalar(select(Member).where(Member.display_name == name))
        assert member is not None
        return member.id, member.community_id


async def _fill_every_table(cohort: Cohort, clock: ManualClock, who: str) -> None:
    await cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    await cohort("/done python-basics built a quiz", as_=who)
    await cohort(f"/group admin add {who}", as_="admin")
    await cohort("/log 45m linear-algebra chapter 2", as_=who)
    await cohort("/focus 25", as_=who)
    await cohort("/checkin blockers: eigenvectors hours: 4", as_=who)
    await cohort(
        "/kaggle submit https://www.kaggle.com/competitions/titanic 0.77 challenge:titanic",
        as_=who,
    )
    await cohort("/me vacation 3", as_=who)
    member_id, community_id = await _member_id(cohort, who)
    now = clock.now()
    async with cohort.app.sessions() as session, session.begin():
        session.add(
            Delivery(
                community_id=community_id,
                member_id=member_id,
                key=f"nudge:m{member_id}:x",
                kind="nudge",
                period="x",
                due_at=now,
                status=DeliveryStatus.SENT.value,
                claimed_at=now,
                claimed_by="test",
                sent_at=now,
            )
        )
        request = await session.scalar(
            select(HelpRequest).where(HelpRequest.member_id == member_id)
        )  # the check-in's blocker asked for help with linear algebra
        assert request is not None
        session.add(
            HelpAsk(
                request_id=request.id,
                member_id=member_id,
                community_id=community_id,
                round=1,
                day=now.date().isoformat(),
                slot=1,
                asked_at=now,
            )
        )
        session.add(
            HelpOffer(
                request_id=request.id,
                member_id=member_id,
                community_id=community_id,
                offered_at=now,
            )
        )
        session.add(
            ReviewAnswer(
                community_id=community_id,
                member_id=member_id,
                track_id="ml-engineer",
                step_id="python-basics",
                question_id="mutable",
                answer="list",
                correct=True,
                answered_at=now,
            )
        )
        session.add(
            DmDay(
                member_id=member_id,
                day=now.date().isoformat(),
                community_id=community_id,
                delivery_key=f"nudge:m{member_id}:x",
                claimed_at=now,
            )
        )


async def _rows_of(cohort: Cohort, member_id: int) -> dict[str, int]:
    counts = {}
    async with cohort.app.sessions() as session:
        for table in Base.metadata.sorted_tables:
            if "member_id" in table.c:
                counts[table.name] = await session.scalar(
                    select(func.count()).select_from(table).where(table.c.member_id == member_id)
                )
    return counts


async def test_export_holds_every_row_about_the_member_and_forget_deletes_them(
    cohort: Cohort, clock: ManualClock
) -> None:
    cohort.admins.add("admin")
    await _fill_every_table(cohort, clock, "ana")
    await _fill_every_table(cohort, clock, "ben")
    ana, _ = await _member_id(cohort, "ana")
    ben, _ = await _member_id(cohort, "ben")
    before = await _rows_of(cohort, ana)
    assert all(before.values()), f"the scenario fills every table: {before}"

    clock.advance(timedelta(minutes=5))
    reply = await cohort("/me export", as_="ana")
    assert reply.ephemeral
    assert reply.attachment is not None
    assert reply.attachment.filename == "cohort-export-2026-11-18.json"
    exported = json.loads(reply.attachment.data)
    assert exported["member"]["display_name"] == "ana"
    assert exported["member"]["timezone"] == "Europe/Berlin"
    for part, table in MEMBER_DATA.items():
        assert len(exported[part]) == before[table.__tablename__], part
    assert exported["step_progress"][0]["note"] == "built a quiz"
    assert exported["study_time"][0]["note"] == "chapter 2"
    assert exported["checkins"][0]["blockers"] == "eigenvectors"
    assert exported["kaggle_attempts"][0]["score"] == 0.77
    assert "ben" not in json.dumps(exported), "nothing about anyone else"

    await cohort("/me forget confirm:yes", as_="ana")
    assert set((await _rows_of(cohort, ana)).values()) == {0}
    assert all((await _rows_of(cohort, ben)).values()), "ben's data is untouched"
