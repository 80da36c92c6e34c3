"""SQLite reads a group's week of steps through each member's done steps once the bot has
refreshed its statistics, as it does every hour: without them SQLite walked every step
done in the community that week. On a real SQLite file with a generated community."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, text

from benchmarks.generate import NOW, generate
from bot.bootstrap import build_app
from bot.clock import ManualClock
from bot.db.engine import refresh_statistics
from bot.services import leaderboard
from bot.services.leaderboard import Metric
from bot.settings import Settings


async def test_after_the_hourly_refresh_a_week_board_reads_only_its_members_steps(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'community.db'}"
    await generate(url, members=400, groups=4, events=40_000, seed=3)
    app = await build_app(Settings(database_url=url), clock=ManualClock(NOW))
    try:
        async with app.sessions() as session, session.begin():
            await session.execute(text("DELETE FROM sqlite_stat1"))  # as a bot's own file
        await app.engine.dispose()  # SQLite reads what it knows as a connection opens

        statements: list[tuple[str, object]] = []

        def seen(_c: object, _cur: object, sql: str, params: object, *_: object) -> None:
            if "step_progress" in sql and "count(" in sql:
                statements.append((sql, params))

        event.listen(app.engine.sync_engine, "before_cursor_execute", seen)
        async with app.sessions() as session:
            community, group = (
                await session.execute(text("SELECT community_id, id FROM groups LIMIT 1"))
            ).one()
            board = await leaderboard.leaderboard(
                session,
                community_id=community,
                group_id=group,
                metric=Metric.STEPS,
                since=NOW - timedelta(days=7),
                now=NOW,
            )
        assert board, "the group studied this week"
        [(sql, params)] = statements

        await refresh_statistics(app.sessions)

        async with app.engine.connect() as connection:
            plan = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)).all()
        reads = [row[-1] for row in plan if "step_progress" in row[-1]]
        assert reads, plan
        assert all("ix_step_progress_member_done" in read for read in reads), reads
    finally:
        await app.close()
