"""Several Cohort processes on one database, all running the scheduler, send each
scheduled post exactly once. Real `cohort run` processes, a real database, the fake
Discord counting what arrives."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.bootstrap import build_app
from bot.clock import ManualClock, SystemClock
from bot.messages import Place, Platform
from bot.services import tenancy
from bot.settings import Settings
from tests.discord.fake_discord import GUILD, FakeDiscord
from tests.support import free_port

INSTANCES = 3
GROUPS = 12


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


async def _groups_due_now(database_url: str) -> list[str]:
    """Study groups whose daily resource fell due a minute ago, in UTC."""
    now = SystemClock().now()
    if now.hour == 0 and now.minute < 3:  # keep "a minute ago" on today's date
        await asyncio.sleep((3 - now.minute) * 60 - now.second)
        now = SystemClock().now()
    due = now - timedelta(minutes=1)
    app = await build_app(
        Settings(database_url=database_url), clock=ManualClock(now - timedelta(hours=1))
    )
    channels = [str(720000000000000000 + i) for i in range(GROUPS)]
    try:
        async with app.sessions() as session, session.begin():
            place = Place(Platform.DISCORD, GUILD, channels[0])
            community = await tenancy.ensure_community(session, place, now=app.clock.now())
            for channel in channels:
                group = await tenancy.create_group(
                    session,
                    community,
                    channel_id=channel,
                    name=f"#study-{channel[-2:]}",
                    track_id=app.catalog.default.id,
                    timezone="UTC",
                    now=app.clock.now(),
                )
                group.daily_time = f"{due:%H:%M}"
                group.checkin_weekday = (now.weekday() + 3) % 7  # nothing else due today
                group.kaggle_cadence = "off"
    finally:
        await app.close()
    return channels


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_three_processes_deliver_each_post_exactly_once(
    db: str, request: pytest.FixtureRequest, fake: FakeDiscord, tmp_path: Path
) -> None:
    url = request.getfixturevalue("sqlite_url" if db == "sqlite" else "migrated_postgres_url")
    channels = await _groups_due_now(url)
    fake.post_delay = 0.2  # sends take a while, so the three schedulers overlap
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("COHORT_", "SLACK_", "DISCORD_"))
    }
    env.update(
        COHORT_DATABASE_URL=url,
        DISCORD_TOKEN="fake-token",
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
    )
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            cwd=tmp_path,
            env={**env, "COHORT_HTTP_PORT": str(free_port())},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(INSTANCES)
    ]
    try:
        await fake.wait_ready(shards=INSTANCES)
        await fake.wait_for(lambda: sum(len(fake.channel_posts(c)) for c in channels) >= GROUPS, 60)
        await asyncio.sleep(3)  # long enough for a duplicate to show up
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        logs = [(await asyncio.wait_for(p.communicate(), 30))[1].decode() for p in processes]
    assert [p.returncode for p in processes] == [0] * INSTANCES, logs
    posts = Counter(c.path.split("/")[2] for c in fake.called("POST", "/channels/"))
    assert posts == Counter(dict.fromkeys(channels, 1)), "every group's post, once"
