"""A community can run Cohort on its own roadmap."""

from __future__ import annotations

from pathlib import Path

from bot.bootstrap import build_app
from bot.clock import ManualClock
from bot.messages import Actor, Place, Platform
from bot.settings import Settings

OWN_TRACK = """\
id: web-dev
title: Web Developer
summary: HTML to deploys.
phases:
  - id: basics
    title: Basics
    summary: The web's building blocks.
    steps:
      - id: html
        title: HTML
        summary: Structure.
        why: Everything renders from it.
        hours: 10
        skills: [html]
        resources:
          - {type: docs, title: MDN HTML, url: "https://developer.mozilla.org/en-US/docs/Web/HTML"}
"""


async def test_content_dir_replaces_the_shipped_roadmap(
    tmp_path: Path, database_url: str, clock: ManualClock
) -> None:
    (tmp_path / "packs" / "tracks").mkdir(parents=True)
    (tmp_path / "packs" / "tracks" / "web.yaml").write_text(OWN_TRACK, encoding="utf-8")
    settings = Settings(database_url=database_url, content_dir=tmp_path / "packs")
    app = await build_app(settings, clock=clock)
    try:
        actor = Actor("u1", "ana")
        place = Place(Platform.CONSOLE, "w", "c")
        roadmap = await app.dispatcher.run_line("/roadmap", actor=actor, place=place)
        done = await app.dispatcher.run_line("/done html", actor=actor, place=place)
    finally:
        await app.close()
    assert roadmap.title == "🗺️ Web Developer"
    assert "1 of 1 steps" in done.body
