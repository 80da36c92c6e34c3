"""Members' commands go first: while one is being answered, a fan-out says its posts one at
a time with a pause for it (bounded, so that a steady stream of commands never stops the
posts)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.bootstrap import App
from bot.messages import Place
from tests.scheduler.conftest import Desk

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)
GROUPS = 4


async def _groups_with_a_post_due(desk: Desk) -> None:
    desk.clock.set(WED_0700)
    for n in range(GROUPS):
        place = Place(desk.cohort.place.platform, desk.cohort.place.workspace_id, f"room-{n}")
        await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin", place=place)
    desk.clock.set(WED_0700.replace(hour=8))  # every group's daily resource is due


async def test_posts_wait_while_a_members_command_is_answered(desk: Desk, app: App) -> None:
    await _groups_with_a_post_due(desk)
    desk.engine.commands_first_within = 30.0  # as long as the command takes, here
    async with app.work.track():  # a member's command, being answered
        run = asyncio.create_task(desk.engine.run_due())
        await asyncio.sleep(0.3)
        assert len(desk.poster.sent) <= 1, "the posts after the first wait for the command"
    await asyncio.wait_for(run, timeout=10)
    assert len(desk.poster.sent) == GROUPS, "and all go out once it is answered"


async def test_a_command_that_never_ends_holds_the_posts_back_only_briefly(
    desk: Desk, app: App
) -> None:
    await _groups_with_a_post_due(desk)
    async with app.work.track():  # stuck
        await asyncio.wait_for(desk.engine.run_due(), timeout=10)
        assert len(desk.poster.sent) == GROUPS
