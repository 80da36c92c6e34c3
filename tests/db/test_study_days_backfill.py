"""Revision 0007 fills the study days from the history a database already holds: moved steps
(not resets), logged time and check-ins, each on its member's own calendar, and a history
longer than one slice of reading is filled whole. On SQLite and on PostgreSQL."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from bot.db import migrate
from bot.db.engine import make_engine, make_sessions
from bot.db.models import (
    Checkin,
    Community,
    Group,
    Member,
    ProgressEvent,
    StudyDay,
    StudyLog,
)

T0 = datetime(2026, 11, 18, tzinfo=UTC)


def _backfill_module() -> Any:
    path = migrate.MIGRATIONS_DIR / "versions" / "0007_study_days_backfill.py"
    spec = importlib.util.spec_from_file_location("backfill_0007", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _community(session: Any) -> tuple[int, int, dict[str, int]]:
    community = Community(platform="discord", external_id="g1", name="", created_at=T0)
    session.add(community)
    await session.flush()
    group = Group(community_id=community.id, channel_id="c1", track_id="t", created_at=T0)
    session.add(group)
    ids = {}
    for name, zone in (("ana", "Asia/Tokyo"), ("ben", "America/New_York")):
        member = Member(
            community_id=community.id,
            platform_user_id=f"u-{name}",
            display_name=name,
            timezone=zone,
            joined_at=T0,
        )
        session.add(member)
        await session.flush()
        ids[name] = member.id
    return community.id, group.id, ids


def _event(cid: int, mid: int, kind: str, at: datetime) -> ProgressEvent:
    return ProgressEvent(
        community_id=cid, member_id=mid, track_id="t", step_id="s", kind=kind, occurred_at=at
    )


def _log(cid: int, mid: int, at: datetime, source: str = "log") -> StudyLog:
    return StudyLog(community_id=cid, member_id=mid, minutes=30, source=source, occurred_at=at)


def _checkin(cid: int, gid: int, mid: int, period: str, at: datetime) -> Checkin:
    return Checkin(community_id=cid, group_id=gid, member_id=mid, period=period, submitted_at=at)


async def _days(sessions: Any) -> dict[int, list[date]]:
    async with sessions() as session:
        rows = await session.execute(
            select(StudyDay.member_id, StudyDay.day).order_by(StudyDay.member_id, StudyDay.day)
        )
        found: dict[int, list[date]] = {}
        for member_id, day in rows:
            found.setdefault(member_id, []).append(day)
        return found


async def test_the_upgrade_fills_each_members_local_study_days(any_empty_db_url: str) -> None:
    engine = make_engine(any_empty_db_url)
    sessions = make_sessions(engine)
    try:
        await migrate.upgrade(engine, "0006")
        async with sessions() as session, session.begin():
            cid, gid, ids = await _community(session)
            ana, ben = ids["ana"], ids["ben"]
            session.add_all(
                [
                    # Ana, in Tokyo (UTC+9).
                    _event(
                        cid, ana, "started", T0 + timedelta(hours=14, minutes=30)
                    ),  # 23:30, 18th
                    _event(cid, ana, "done", T0 + timedelta(hours=15, minutes=30)),  # 00:30, 19th
                    _event(cid, ana, "reset", T0 + timedelta(days=2)),  # 09:00, 20th: not study
                    _log(cid, ana, T0 + timedelta(days=4, hours=1), source="focus"),  # 22nd
                    _checkin(cid, gid, ana, "2026-11-20", T0 + timedelta(days=5, hours=20)),  # 24th
                    # Ben, in New York (UTC-5 in November).
                    _log(cid, ben, T0 + timedelta(hours=3)),  # 22:00 on the 17th
                    _log(cid, ben, T0 + timedelta(hours=4)),  # 23:00 on the 17th: the same day
                    _checkin(
                        cid, gid, ben, "2026-11-20", T0 + timedelta(days=1, hours=4, minutes=59)
                    ),
                    _event(cid, ben, "skipped", T0 + timedelta(days=2, hours=5)),  # 00:00, 20th
                    _event(cid, ben, "reset", T0 + timedelta(days=3, hours=12)),  # 21st: not study
                ]
            )
        await migrate.upgrade(engine, "0007")

        assert await _days(sessions) == {
            ana: [date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 22), date(2026, 11, 24)],
            ben: [date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 20)],
        }
        async with sessions() as session:
            communities = set(await session.scalars(select(StudyDay.community_id)))
        assert communities == {cid}

        await migrate.downgrade(engine, "0006")
        assert await _days(sessions) == {}
        async with sessions() as session:
            events = list(await session.scalars(select(ProgressEvent.id)))
        assert len(events) == 5, "the history itself is left alone"
    finally:
        await engine.dispose()


async def test_a_history_longer_than_a_slice_is_filled_whole(any_empty_db_url: str) -> None:
    slice_ = _backfill_module().SLICE
    engine = make_engine(any_empty_db_url)
    sessions = make_sessions(engine)
    count = 2 * slice_  # two thirds of them study: more than one slice of study events
    every = timedelta(hours=5)
    new_york = ZoneInfo("America/New_York")
    try:
        await migrate.upgrade(engine, "0006")
        async with sessions() as session, session.begin():
            cid, _, ids = await _community(session)
            ben = ids["ben"]
            # One event every five hours; each third one a reset, which is not study.
            rows = [
                {
                    "community_id": cid,
                    "member_id": ben,
                    "track_id": "t",
                    "step_id": "s",
                    "kind": "reset" if i % 3 == 2 else "done",
                    "occurred_at": T0 - every * i,
                }
                for i in range(count)
            ]
            await session.execute(insert(ProgressEvent), rows)
        await migrate.upgrade(engine, "0007")
        expected = sorted(
            {(T0 - every * i).astimezone(new_york).date() for i in range(count) if i % 3 != 2}
        )
        assert await _days(sessions) == {ben: expected}
    finally:
        await engine.dispose()
