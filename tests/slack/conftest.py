"""A Slack rig: the real slack-bolt app of Cohort, served on 127.0.0.1 and talking to a fake
Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from adapters.slack.app import SlackAdapter, SlackPoster, make_client
from adapters.web import WebServer, web_app
from bot.bootstrap import App
from bot.ops.health import Check, health
from bot.seals import PlaceSeals
from bot.settings import Settings
from tests.slack.fake_slack import (
    SIGNING_SECRET,
    FakeSlack,
    interactive_body,
    signed,
    slash_body,
)

# Scheduled posts give up on a call after this long in tests (tens of seconds in production).
SHORT_TIMEOUT = 1.5


@dataclass
class SlackRig:
    fake: FakeSlack
    adapter: SlackAdapter
    events_url: str

    async def post(
        self,
        body: str,
        headers: dict[str, str] | None = None,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> int:
        async with aiohttp.ClientSession() as session:
            response = await session.post(
                self.events_url,
                data=body,
                headers={"Content-Type": content_type, **(headers or signed(body))},
            )
            return response.status

    async def slash(self, text: str, **who: str) -> dict[str, Any]:
        before = len(self.fake.responses)
        assert await self.post(slash_body(self.fake, text, **who)) == 200
        await self.fake.wait_for(lambda: len(self.fake.responses) > before)
        return self.fake.responses[before]

    async def interact(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Send an interaction (a button press, a form submitted) as Slack does; what the
        app acknowledged it with (a form's errors, say), or {} for a plain ack."""
        body = interactive_body(payload)
        async with aiohttp.ClientSession() as session:
            response = await session.post(
                self.events_url,
                data=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)},
            )
            assert response.status == 200, await response.text()
            answer = await response.json() if response.content_length else {}
            return answer if isinstance(answer, dict) else {}


def facts(counts: dict[str, int]) -> dict[str, int]:
    """Row counts of what members do (`tests.support.row_counts`), not of the requests
    Slack sent (each is remembered a while, against replays)."""
    return {name: n for name, n in counts.items() if name != "seen_requests"}


def text_of(message: dict[str, Any]) -> str:
    parts = []
    for block in message.get("blocks", []):
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [f["text"] for f in block.get("fields", [])]
        parts += [e["text"]["text"] for e in block.get("elements", []) if "text" in e]
    return "\n".join(parts)


async def serve_slack(app: App, fake: FakeSlack) -> tuple[SlackAdapter, WebServer, str]:
    """Cohort's Slack adapter for `app`, talking to `fake`, served on a free loopback port:
    the adapter, its web server and the URL Slack posts events to."""
    settings = Settings(
        database_url=app.settings.database_url,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=f"{fake.url}/api/",
    )
    adapter = SlackAdapter(app, settings)
    web = web_app(
        lambda: health(app.sessions, lambda: Check("scheduler", True, ""), {}), app.metrics
    )
    adapter.add_routes(web)
    server = WebServer(web)
    port = await server.start("127.0.0.1", 0)
    return adapter, server, f"http://127.0.0.1:{port}/slack/events"


@pytest.fixture
async def rig(app: App) -> AsyncIterator[SlackRig]:
    fake = FakeSlack(admins={"U-admin"})
    await fake.start()
    adapter, server, url = await serve_slack(app, fake)
    yield SlackRig(fake, adapter, url)
    await server.stop()
    await adapter.close()
    await fake.stop()


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A fake Slack on its own, for what the poster sends there."""
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


def slack_settings(fake: FakeSlack) -> Settings:
    return Settings(slack_bot_token="xoxb-test", slack_api_url=f"{fake.url}/api/")


@pytest.fixture
def poster(fake_slack: FakeSlack) -> SlackPoster:
    """Cohort's scheduled-post sender, as the adapter builds it, talking to `fake_slack`
    with a short timeout."""
    seals = PlaceSeals(lambda platform: f"test-seal-key-{platform.value}".encode())
    return SlackPoster(make_client(slack_settings(fake_slack)), seals, timeout=SHORT_TIMEOUT)
