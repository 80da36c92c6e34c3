"""Autocomplete: what a member is offered while typing a step, track or timezone."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from bot.bootstrap import App, build_app
from bot.clock import ManualClock
from bot.db.models import Community
from bot.messages import Actor, Place, Platform
from bot.roadmap.loader import SHIPPED_CONTENT_DIR
from bot.settings import Settings
from tests.conftest import GENERAL
from tests.roadmap.test_custom_content import OWN_TRACK


async def test_steps_are_filtered_by_id_and_title_as_you_type(app: App) -> None:
    by_id = await app.dispatcher.suggest("done", "step", "python-b", place=GENERAL)
    by_title = await app.dispatcher.suggest("step", "step", "Fundamentals", place=GENERAL)
    assert [s.value for s in by_id] == ["python-basics"]
    assert "python-basics" in [s.value for s in by_title]
    assert by_id[0].label == "Python fundamentals · python-basics"


async def test_an_empty_step_field_offers_the_roadmap_in_order_up_to_25(app: App) -> None:
    offered = await app.dispatcher.suggest("start", "step", "", place=GENERAL)
    assert len(offered) == 25
    assert offered[0].value == app.catalog.default.steps[0].id


async def test_suggesting_writes_nothing(app: App) -> None:
    await app.dispatcher.suggest("done", "step", "py", place=GENERAL)
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Community)) == 0


async def test_timezones_starting_with_the_text_come_first_then_cities(app: App) -> None:
    offered = [
        s.value
        for s in await app.dispatcher.suggest("me timezone", "timezone", "berl", place=GENERAL)
    ]
    assert offered[0] == "Europe/Berlin"
    spaced = [
        s.value
        for s in await app.dispatcher.suggest("me timezone", "timezone", "new y", place=GENERAL)
    ]
    assert "America/New_York" in spaced


async def test_choices_and_options_without_suggestions(app: App) -> None:
    periods = await app.dispatcher.suggest("leaderboard", "period", "m", place=GENERAL)
    assert [s.value for s in periods] == ["month"]
    assert await app.dispatcher.suggest("done", "note", "any", place=GENERAL) == []
    assert await app.dispatcher.suggest("done", "nonsense", "any", place=GENERAL) == []


async def test_steps_come_from_the_track_of_the_group_in_that_channel(
    tmp_path: Path, database_url: str, clock: ManualClock
) -> None:
    packs = tmp_path / "packs"
    shutil.copytree(SHIPPED_CONTENT_DIR, packs)
    (packs / "tracks" / "web.yaml").write_text(OWN_TRACK, encoding="utf-8")
    app = await build_app(Settings(database_url=database_url, content_dir=packs), clock=clock)
    web = Place(Platform.DISCORD, "guild-1", "web-study")
    try:
        admin = Actor("u-admin", "admin", is_admin=True)
        await app.dispatcher.run_line("/group setup web-dev", actor=admin, place=web)
        in_group = await app.dispatcher.suggest("done", "step", "", place=web)
        elsewhere = await app.dispatcher.suggest("done", "step", "", place=GENERAL)
    finally:
        await app.close()
    assert [s.value for s in in_group] == ["html"]
    assert elsewhere[0].value == "python-basics"
