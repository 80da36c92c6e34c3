"""A streak is read from where it stood at the member's latest study day (their mark) and the
days since, so it must say exactly what counting every study day from the start says: over
weeks of study with missed days, freezes and vacations, after a move across the date line,
and for the marks the upgrade fills from study days already stored."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db import migrate
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Community, Member, StreakMark, StudyDay, Vacation
from bot.services import streaks
from bot.services.streaks import FREEZE_EVERY, FREEZES_HELD, NONE, Streak, walk
from bot.timeutil import local_date
from tests.conftest import START, Cohort

DAY = timedelta(days=1)
FIRST = date(2026, 1, 1)


def counted(
    studied: set[date], away: set[date], first: date, today: date, last: date | None = None
) -> Streak:
    """The rule as the README states it, one day after another from `first` to `last` (or
    `today`): the oracle the marks are compared with."""
    length, freezes, saved = 0, 0, []
    day = first
    while day <= (last or today):
        if day in studied:
            length += 1
            if length % FREEZE_EVERY == 0:
                freezes = min(FREEZES_HELD, freezes + 1)
        elif day not in away and day != today:
            if length and freezes:
                freezes -= 1
                saved.append(day)
            else:
                length, freezes, saved = 0, 0, []
        day += DAY
    return Streak(length, freezes, tuple(saved))


days_in_range = st.sets(st.integers(0, 59).map(lambda n: FIRST + n * DAY), max_size=60)


@given(studied=days_in_range, away=days_in_range, split=st.integers(0, 59))
def test_a_streak_carried_from_a_mark_equals_counting_from_the_start(
    studied: set[date], away: set[date], split: int
) -> None:
    today = FIRST + 59 * DAY
    whole = counted(studied, away, FIRST, today)
    assert walk(NONE, FIRST, today, studied=studied, away=away, today=today) == whole
    # A mark is kept at a study day: the latest one up to the split.
    marked = [day for day in studied if day <= FIRST + split * DAY]
    if marked:
        middle = max(marked)
        mark = walk(NONE, FIRST, middle, studied=studied, away=away)
        carried = walk(mark, middle + DAY, today, studied=studied, away=away, today=today)
        assert carried == whole


async def _member(cohort: Cohort, name: str) -> Member:
    async with cohort.app.sessions() as session:
        found = await session.scalar(select(Member).where(Member.platform_user_id == f"u-{name}"))
        assert found is not None
        return found


async def _counted_from_everything(cohort: Cohort, name: str, now: datetime) -> Streak:
    """The member's streak counted from all their study days and vacations."""
    member = await _member(cohort, name)
    tz = ZoneInfo(member.timezone)
    async with cohort.app.sessions() as session:
        studied = set(
            await session.scalars(select(StudyDay.day).where(StudyDay.member_id == member.id))
        )
        away: set[date] = set()
        for starts, ends in await session.execute(
            select(Vacation.starts_at, Vacation.ends_at).where(Vacation.member_id == member.id)
        ):
            day = local_date(starts, tz)
            while day <= local_date(min(ends, now), tz):
                away.add(day)
                day += DAY
    today = local_date(now, tz)
    # After a move west, the latest study day can be later than today where they are now.
    last = max([today, *studied])
    return counted(studied, away, min(studied, default=today), today, last)


async def _read(cohort: Cohort, name: str, now: datetime) -> Streak:
    member = await _member(cohort, name)
    async with cohort.app.sessions() as session:
        return await streaks.current_streak(session, member, now)


async def test_ten_weeks_of_uneven_study_read_the_same_as_counting_every_day(
    cohort: Cohort, clock: ManualClock
) -> None:
    """Three members study on chance days for ten weeks (one of them now and then on
    vacation); every evening each one's streak, as /progress reads it, is the streak counted
    from all their days."""
    await cohort.make_group()
    rng = random.Random(12)
    habits = {"ana": 0.9, "ben": 0.6, "cara": 0.75}
    for name in habits:
        assert not (await cohort("/progress", as_=name)).is_error
    for day in range(70):
        clock.set(START + day * DAY)
        for name, chance in habits.items():
            if name == "cara" and day % 23 == 5:
                assert not (await cohort("/me vacation 3", as_=name)).is_error
            if rng.random() < chance:
                assert not (await cohort("/log 20m", as_=name)).is_error
        evening = START + day * DAY + timedelta(hours=10)
        for name in habits:
            assert await _read(cohort, name, evening) == await _counted_from_everything(
                cohort, name, evening
            ), f"{name} on day {day}"
    longest = await _read(cohort, "ana", clock.now())
    assert longest.days > FREEZE_EVERY, "the scenario reaches the freezes"


async def test_the_streak_board_agrees_with_progress(cohort: Cohort, clock: ManualClock) -> None:
    await cohort.make_group()
    for day in range(9):
        clock.set(START + day * DAY)
        await cohort("/log 30m", as_="ana")
        if day != 4:  # ben misses one day: a freeze after his first seven would have saved it
            await cohort("/log 30m", as_="ben")
    board = (await cohort("/leaderboard all streak")).body.splitlines()
    assert board == ["🥇 **ana** · 9 days", "🥈 **ben** · 4 days"]
    assert "4 days streak" in (await cohort("/progress", as_="ben")).body


async def test_a_move_west_across_the_date_line_counts_the_streak_again(
    cohort: Cohort, clock: ManualClock
) -> None:
    """Ana studies in Tokyo on Wednesday and on Friday morning, flies to Honolulu, where it is
    still Thursday, and studies again: the day she adds comes before her latest one, and her
    streak is the one counted from every day she has (three in a row)."""
    await cohort.make_group(timezone="Asia/Tokyo")
    clock.set(START)  # 19:00 on Wednesday in Tokyo
    await cohort("/log 30m")
    clock.set(START.replace(day=20, hour=0, minute=30))  # 09:30 on Friday in Tokyo
    await cohort("/log 30m")
    assert (await _read(cohort, "ana", clock.now())).days == 1, "Thursday was missed"
    await cohort("/me timezone Pacific/Honolulu")
    clock.set(START.replace(day=20, hour=1))  # 15:00 on Thursday in Honolulu
    await cohort("/log 30m")
    now = clock.now()
    assert await _read(cohort, "ana", now) == await _counted_from_everything(cohort, "ana", now)
    assert (await _read(cohort, "ana", now)).days == 3


async def test_a_day_the_mark_missed_is_counted_at_the_next_study_day(
    cohort: Cohort, clock: ManualClock
) -> None:
    """A study day stored without its mark being carried (written by another transaction of
    the same member's that committed meanwhile, or by a process from before the marks) is
    counted, with every day, at the member's next study day."""
    await cohort.make_group()
    await cohort("/log 30m")  # Wednesday
    member = await _member(cohort, "ana")
    async with cohort.app.sessions() as session, session.begin():
        session.add(StudyDay(member_id=member.id, day=START.date() + DAY, community_id=1))
    clock.set(START + 2 * DAY)
    await cohort("/log 30m")  # Friday: Thursday is there, and the streak runs three days
    assert (await _read(cohort, "ana", clock.now())).days == 3


async def test_a_recount_keeps_a_streak_longer_than_a_year(
    clock: ManualClock, cohort: Cohort
) -> None:
    """A streak of more than 400 days, counted again from every stored day (its days were
    written without the mark), stays whole: no look-back cuts it."""
    await cohort.make_group()
    await cohort("/log 30m")
    member = await _member(cohort, "ana")
    first = START.date()
    async with cohort.app.sessions() as session, session.begin():
        session.add_all(
            StudyDay(member_id=member.id, day=first + n * DAY, community_id=member.community_id)
            for n in range(1, 405)
        )
    clock.set(START + 405 * DAY)
    await cohort("/log 30m")
    assert (await _read(cohort, "ana", clock.now())).days == 406


async def test_the_upgrade_marks_each_streak_from_the_stored_days(any_empty_db_url: str) -> None:
    now = datetime(2026, 11, 21, 12, tzinfo=UTC)
    engine = make_engine(any_empty_db_url)
    sessions = make_sessions(engine)
    try:
        await migrate.upgrade(engine, "0008")
        async with sessions() as session, session.begin():
            community = Community(platform="discord", external_id="g1", name="", created_at=now)
            session.add(community)
            await session.flush()
            ids = {}
            for name in ("ana", "ben", "cara"):
                member = Member(
                    community_id=community.id,
                    platform_user_id=f"u-{name}",
                    display_name=name,
                    timezone="Europe/Berlin",
                    joined_at=now - 60 * DAY,
                )
                session.add(member)
                await session.flush()
                ids[name] = member.id
            today = date(2026, 11, 21)
            plan = {
                # 20 days in a row up to yesterday: two freezes held.
                "ana": [today - n * DAY for n in range(1, 21)],
                # 10 days, one missed day a freeze covered, then 3 more.
                "ben": [today - n * DAY for n in range(1, 4)]
                + [today - n * DAY for n in range(5, 12)],
                # studied long ago only: no streak now.
                "cara": [today - 40 * DAY],
            }
            for name, days in plan.items():
                session.add_all(
                    StudyDay(member_id=ids[name], day=day, community_id=community.id)
                    for day in days
                )
            session.add(
                Vacation(
                    community_id=community.id,
                    member_id=ids["ana"],
                    starts_at=now - 30 * DAY,
                    ends_at=now - 28 * DAY,
                )
            )
        await migrate.upgrade(engine, "0009")
        async with sessions() as session:
            zones = {mid: ZoneInfo("Europe/Berlin") for mid in ids.values()}
            read = await streaks.streaks(session, community.id, zones, now)
            marks = {mark.member_id: mark for mark in await session.scalars(select(StreakMark))}
        assert read[ids["ana"]] == Streak(20, 2, ())
        assert read[ids["ben"]] == Streak(10, 0, (today - 4 * DAY,))
        assert read[ids["cara"]].days == 0
        assert marks[ids["ana"]].through == today - DAY
        await migrate.downgrade(engine, "0008")
        async with sessions() as session:
            assert len(list(await session.scalars(select(StudyDay.day)))) == 31
    finally:
        await engine.dispose()
