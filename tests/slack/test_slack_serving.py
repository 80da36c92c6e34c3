"""Serving Slack for real: Socket Mode, `cohort run` as a process, and the manifest."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from urllib.parse import parse_qsl

import aiohttp
import yaml

from adapters.slack.app import SlackAdapter
from bot.bootstrap import App
from bot.settings import Settings
from tests.slack.fake_slack import SIGNING_SECRET, FakeSlack, signed, slash_body
from tests.slack.test_slack_app import text_of
from tests.support import free_port


async def test_a_socket_mode_round_trip(app: App) -> None:
    fake = FakeSlack()
    await fake.start()
    settings = Settings(
        database_url=app.settings.database_url,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SIGNING_SECRET,
        slack_app_token="xapp-test",
        slack_api_url=f"{fake.url}/api/",
    )
    adapter = SlackAdapter(app, settings)
    try:
        await adapter.connect_socket_mode()
        payload = dict(parse_qsl(slash_body(fake, "next")))
        await fake.send_envelope(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": payload,
            }
        )
        acks = await fake.wait_for(lambda: fake.socket_acks)
        responses = await fake.wait_for(lambda: fake.responses)
    finally:
        await adapter.close()
        await fake.stop()
    assert acks[0]["envelope_id"] == "env-1"
    assert fake.called("apps.connections.open")
    assert "Next up: Python fundamentals" in text_of(responses[0])


async def test_cohort_run_serves_slack_over_http_until_sigterm(
    tmp_path: Path, database_url: str
) -> None:
    fake = FakeSlack()
    await fake.start()
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("COHORT_", "SLACK_", "DISCORD_"))
    }
    env.update(
        COHORT_DATABASE_URL=database_url,
        COHORT_HTTP_PORT=str(port),
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=f"{fake.url}/api/",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(200):
                try:
                    health = await session.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            assert health.status == 200
            body = slash_body(fake, "done python-basics")
            answer = await session.post(
                f"http://127.0.0.1:{port}/slack/events",
                data=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)},
            )
            assert answer.status == 200
        responses = await fake.wait_for(lambda: fake.responses)
        assert "finished *Python fundamentals*" in text_of(responses[0])
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
        await fake.stop()
    assert process.returncode == 0, stderr.decode()
    assert "stopping" in stderr.decode()


def test_the_manifest_has_the_command_scopes_and_urls() -> None:
    from adapters.slack.manifest import manifest_yaml

    http = yaml.safe_load(manifest_yaml(url="https://cohort.example.org/", socket_mode=False))
    sock = yaml.safe_load(manifest_yaml(url=None, socket_mode=True))
    [command] = http["features"]["slash_commands"]
    assert command["command"] == "/cohort"
    assert command["url"] == "https://cohort.example.org/slack/events"
    assert http["settings"]["interactivity"]["request_url"] == command["url"]
    assert http["settings"]["event_subscriptions"]["request_url"] == command["url"]
    assert http["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert {"commands", "chat:write", "files:write", "im:write", "users:read"} <= set(
        http["oauth_config"]["scopes"]["bot"]
    )
    assert http["features"]["app_home"]["home_tab_enabled"] is True
    assert sock["settings"]["socket_mode_enabled"] is True
    assert "url" not in sock["features"]["slash_commands"][0]
