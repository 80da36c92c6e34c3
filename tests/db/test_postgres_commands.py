"""The same commands on a real PostgreSQL server: progress, streaks, leaderboards."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.bootstrap import build_app
from bot.clock import ManualClock
from bot.settings import Settings
from tests.conftest import Cohort

pytestmark = pytest.mark.postgres


async def test_a_study_week_on_postgres(empty_postgres_url: str, clock: ManualClock) -> None:
    app = await build_app(Settings(database_url=empty_postgres_url), clock=clock, migrate_db=True)
    cohort = Cohort(app)
    try:
        await cohort.make_group()
        await cohort("/done python-basics", as_="ana")
        await cohort("/done python-basics", as_="ben")
        clock.advance(timedelta(days=1))
        await cohort("/done dev-tools", as_="ana")
        await cohort("/me privacy hidden", as_="cy")
        await cohort("/done dev-tools", as_="cy")
        board = await cohort("/leaderboard")
        streaks = await cohort("/leaderboard all streak")
        mine = await cohort("/progress", as_="ana")
        forget = await cohort("/me forget confirm:yes", as_="ben")
        after = await cohort("/leaderboard all")
    finally:
        await app.close()
    assert board.body.splitlines() == ["🥇 **ana** · 2 steps", "🥈 **ben** · 1 step"]
    assert streaks.body.splitlines() == ["🥇 **ana** · 2 days", "🥈 **ben** · 1 day"]
    assert "**2 of 40 steps done" in mine.body
    assert "deleted" in forget.body
    assert after.body.splitlines() == ["🥇 **ana** · 2 steps"]
