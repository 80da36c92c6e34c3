"""Alembic owns the schema: upgrade from empty, downgrade, the models match, and the bot
refuses a database that is behind. On SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.bootstrap import build_app
from bot.clock import ManualClock
from bot.db import migrate
from bot.db.engine import make_engine
from bot.db.models import Base
from bot.errors import ConfigError
from bot.messages import Place, Platform
from bot.settings import Settings
from tests.conftest import Cohort

TABLES = {
    "communities",
    "upcoming",
    "study_days",
    "streak_marks",
    "groups",
    "members",
    "group_members",
    "step_progress",
    "vacations",
    "checkins",
    "kaggle_attempts",
    "deliveries",
    "group_admins",
    "progress_events",
    "help_requests",
    "help_asks",
    "help_offers",
    "review_cards",
    "review_answers",
    "seen_requests",
    "study_logs",
    "focus_sessions",
    "dm_days",
}


async def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def test_upgrade_from_empty_then_downgrade_to_nothing(any_empty_db_url: str) -> None:
    engine = make_engine(any_empty_db_url)
    try:
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        assert await _tables(any_empty_db_url) == TABLES
        await migrate.downgrade(engine, "base")
        assert await migrate.current_revision(engine) is None
        assert await _tables(any_empty_db_url) == set()
        await migrate.upgrade(engine)
        assert await _tables(any_empty_db_url) == TABLES
    finally:
        await engine.dispose()


async def test_the_models_match_the_migrated_schema(any_empty_db_url: str) -> None:
    engine = make_engine(any_empty_db_url)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()
    assert diff == []


async def test_the_bot_refuses_a_database_that_is_behind(any_empty_db_url: str) -> None:
    engine = make_engine(any_empty_db_url)
    await migrate.upgrade(engine)
    await migrate.downgrade(engine, "base")
    await engine.dispose()

    with pytest.raises(ConfigError, match=r"Run `cohort db upgrade`"):
        await build_app(Settings(database_url=any_empty_db_url))
    app = await build_app(Settings(database_url=any_empty_db_url), migrate_db=True)
    await app.close()
    assert await _tables(any_empty_db_url) == TABLES


async def test_a_new_embedded_database_sets_itself_up(empty_sqlite_url: str) -> None:
    app = await build_app(Settings(database_url=empty_sqlite_url))
    await app.close()
    assert await _tables(empty_sqlite_url) == TABLES


@pytest.mark.postgres
async def test_an_empty_postgres_database_is_not_migrated_without_being_asked(
    empty_postgres_url: str,
) -> None:
    with pytest.raises(ConfigError, match="The database is empty"):
        await build_app(Settings(database_url=empty_postgres_url))


CHILD_TABLES = ("group_members", "step_progress", "study_days", "streak_marks", "upcoming")
# Rows of kinds a revision adds go when it is taken back (with the tables they point at).
SINCE_0009 = {"upcoming": " WHERE kind IN ('posts', 'reminders', 'nudges')"}


async def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return {
                table: int(
                    (
                        await connection.execute(
                            text(f"SELECT count(*) FROM {table}{SINCE_0009.get(table, '')}")
                        )
                    ).scalar_one()
                )
                for table in ("members", "groups", *CHILD_TABLES)
            }
    finally:
        await engine.dispose()


async def test_every_step_down_to_0009_and_up_again_keeps_a_communitys_data(
    any_empty_db_url: str, clock: ManualClock
) -> None:
    """Members' progress, memberships, study days and streaks survive each revision since
    0009, coming down and going back up (a revision that rebuilt a table would delete the
    rows that point at it)."""
    app = await build_app(Settings(database_url=any_empty_db_url), clock=clock, migrate_db=True)
    try:
        cohort = Cohort(app, admins={"admin"})
        await cohort.make_group()
        await cohort("/done python-basics")
        await cohort("/log 30m", as_="ben")
    finally:
        await app.close()
    before = await _counts(any_empty_db_url)
    assert all(before[table] for table in CHILD_TABLES), before
    engine = make_engine(any_empty_db_url)
    try:
        await migrate.downgrade(engine, "0009")
        assert await _counts(any_empty_db_url) == before
        await migrate.upgrade(engine)
        assert await _counts(any_empty_db_url) == before
    finally:
        await engine.dispose()
    # What is scheduled next is still written for a new group and its members (a rebuilt
    # table whose ids started again would lose each new row to a clash).
    app = await build_app(Settings(database_url=any_empty_db_url), clock=clock)
    try:
        place = Place(Platform.DISCORD, "guild-2", "elsewhere")
        cohort = Cohort(app, place=place, admins={"admin"})
        await cohort("/group setup ml-engineer UTC", as_="admin")
        await cohort("/log 30m", as_="cy")
    finally:
        await app.close()
    after = await _counts(any_empty_db_url)
    # the group's posts, and the reminders and nudges of its admin and of cy
    assert after["upcoming"] == before["upcoming"] + 5
