"""At DEBUG, with Discord and Slack both connected, no secret reaches a log line: not the
tokens from the settings, not an interaction token Discord sends, not a password in a URL,
in the text format and in the JSON one."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
import discord
import pytest
from aiohttp import web
from discord.gateway import DiscordWebSocket
from sqlalchemy.engine import make_url

from adapters.discord.app import DiscordAdapter
from adapters.slack.app import SlackAdapter
from adapters.web import WebServer, web_app
from bot.bootstrap import build_app
from bot.clock import ManualClock
from bot.ops.health import Check, health
from bot.ops.logs import RedactingFormatter, setup_logging
from bot.settings import Settings
from tests.discord.fake_discord import ANA, BOT_USER, FakeDiscord, in_guild, slash
from tests.slack.fake_slack import FakeSlack, signed, slash_body


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# Shaped like the real thing: a bot token is base64(user id).base64(time).HMAC, an
# interaction token base64("interaction:<id>:<random>"); Slack's carry their prefixes.
DISCORD_TOKEN = f"{_b64('1098765432109876543')}.GhT3xq.kX9mZp2Lq8vR4tY7wN1sB6cD0fE3gH5jK9lAqW"
INTERACTION_TOKEN = _b64(
    "interaction:1187654321098765432:Wm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8"
)
SLACK_BOT_TOKEN = "xoxb-2718281828-3141592653589-Zq7Wc9Lm2Nx4Vb6Rt8Yh1Kd3"
SLACK_SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"
SLACK_APP_TOKEN = "xapp-1-A0KCOHORT1-4242424242424-9c1b2e7f4a6d8e0b3c5f7a9d1e3b5c7f9a1d3e5b"
DB_PASSWORD = "Tr0ub4dor-and-3"
CONFIGURED_DB = f"postgresql+asyncpg://cohort:{DB_PASSWORD}@db.internal:5432/cohort"


class RealTokenDiscord(FakeDiscord):
    """The fake Discord, taking the real-shaped bot token of this test at login."""

    async def _me(self, request: web.Request, body: Any) -> web.Response:
        if request.headers.get("Authorization") != f"Bot {DISCORD_TOKEN}":
            return web.Response(status=401, text="401: Unauthorized")
        user = {**BOT_USER, "flags": 0, "mfa_enabled": False, "verified": True}
        return web.Response(body=json.dumps(user).encode(), content_type="application/json")


@pytest.fixture(autouse=True)
def _logging_and_library_defaults() -> Iterator[None]:
    """setup_logging installs its handler and levels, slack-bolt copies the root level into
    its loggers, and the adapters point discord.py at the fake: put all back afterwards."""
    manager = logging.Logger.manager
    levels = {name: logger.level for name, logger in _loggers(manager)}
    root_level = logging.getLogger().level
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler.formatter, RedactingFormatter):
            root.removeHandler(handler)
    root.setLevel(root_level)
    for name, logger in _loggers(manager):
        logger.setLevel(levels.get(name, logging.NOTSET))


def _loggers(manager: logging.Manager) -> list[tuple[str, logging.Logger]]:
    return [(n, lg) for n, lg in list(manager.loggerDict.items()) if isinstance(lg, logging.Logger)]


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[RealTokenDiscord, FakeSlack]]:
    discord_fake, slack_fake = RealTokenDiscord(), FakeSlack()
    await discord_fake.start()
    await slack_fake.start()
    yield discord_fake, slack_fake
    await discord_fake.stop()
    await slack_fake.stop()


async def _slack_over_http(adapter: SlackAdapter, fake: FakeSlack) -> None:
    core = adapter.core
    web = web_app(lambda: health(core.sessions, lambda: Check("s", True, ""), {}), core.metrics)
    adapter.add_routes(web)
    server = WebServer(web)
    port = await server.start("127.0.0.1", 0)
    try:
        body = slash_body(fake, "progress")
        signature = signed(body, secret=SLACK_SIGNING_SECRET)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **signature}
        async with aiohttp.ClientSession() as session:
            answer = await session.post(
                f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
            )
            assert answer.status == 200, "the signed request was accepted"
        await fake.wait_for(lambda: fake.responses)
    finally:
        await server.stop()


async def _slack_over_socket_mode(adapter: SlackAdapter, fake: FakeSlack) -> None:
    await adapter.connect_socket_mode()
    before = len(fake.responses)
    payload = dict(parse_qsl(slash_body(fake, "next")))
    await fake.send_envelope(
        {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": payload,
        }
    )
    await fake.wait_for(lambda: len(fake.responses) > before)


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_no_secret_reaches_a_debug_line_with_every_platform_connected(
    fakes: tuple[RealTokenDiscord, FakeSlack],
    database_url: str,
    clock: ManualClock,
    log_format: str,
) -> None:
    discord_fake, slack_fake = fakes
    settings = Settings(
        database_url=CONFIGURED_DB,
        log_level="DEBUG",
        log_format=log_format,
        discord_token=DISCORD_TOKEN,
        discord_api_base=discord_fake.api_base,
        discord_gateway_url=discord_fake.gateway_url,
        slack_bot_token=SLACK_BOT_TOKEN,
        slack_signing_secret=SLACK_SIGNING_SECRET,
        slack_app_token=SLACK_APP_TOKEN,
        slack_api_url=f"{slack_fake.url}/api/",
    )
    out = io.StringIO()
    setup_logging(settings, stream=out)
    secrets = [DISCORD_TOKEN, INTERACTION_TOKEN, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET]
    secrets += [SLACK_APP_TOKEN, DB_PASSWORD]
    # The bot runs on the test's database; on PostgreSQL that password must not show either.
    if make_url(database_url).password:
        secrets.append(str(make_url(database_url).password))
    app = await build_app(settings.model_copy(update={"database_url": database_url}), clock=clock)
    discord_adapter = DiscordAdapter(app, settings, ready_timeout=0.05)
    slack_adapter = SlackAdapter(app, settings)
    try:
        # A careless line that dumps the whole configuration, the database URL included.
        logging.getLogger("cohort.test").debug("settings: %r", settings)
        await discord_adapter.start()
        interaction = await discord_fake.interact(
            {**in_guild(ANA), **slash("next"), "token": INTERACTION_TOKEN}
        )
        answered = await discord_fake.wait_for(lambda: discord_fake.callbacks(interaction))
        assert "Python fundamentals" in json.dumps(answered[0])
        await _slack_over_http(slack_adapter, slack_fake)
        await _slack_over_socket_mode(slack_adapter, slack_fake)
    finally:
        await discord_adapter.close()
        await slack_adapter.close()
        await app.close()

    text = out.getvalue()
    lines = text.splitlines()
    if log_format == "json":
        assert all(json.loads(line)["level"] for line in lines), "every line is still JSON"
    # The secrets did cross the log: the gateway event and the callback URL are there.
    assert "INTERACTION_CREATE" in text
    assert f"/interactions/{interaction}/[redacted]/callback" in text
    assert "Running listener: on_command" in text, "slack-bolt ran the commands"
    leaks = [(secret, line) for line in lines for secret in secrets if secret in line]
    assert not leaks, sorted({s for s, _ in leaks})


def test_anything_shaped_like_a_secret_is_redacted_from_a_logged_payload() -> None:
    """Secrets that are not in the settings (another workspace's token, a proxy password)
    are recognised by their field name or their shape."""
    payload = {
        "team_id": "T1",
        "token": "verification-token-value",
        "access_token": "oauth-access-value",
        "bot_token": "bot-token-value",
        "app_token": "app-token-value",
        "signing_secret": "signing-secret-value",
        "password": "password-value",
        "client_secret": "client-secret-value",
        "headers": {"Authorization": "Bot authorization-header-value"},
        "note": (
            f"xoxp-{'1' * 12}-shaped-user-token xapp-1-A0-shaped-app-token "
            f"{_b64('2098765432109876543')}.GhT3xq.shaped-discord-token-part-three "
            "https://hooks.slack.com/commands/T1/42/shaped-response-url-secret "
            "https://proxy-user:proxy-password-value@proxy.internal:3128"
        ),
        "tokens_used": 5,
    }
    form = {
        "token": "form-token-value",
        "team_id": "T1",
        "response_url": "https://hooks.slack.com/commands/T1/42/shaped-response-url-secret",
        "trigger_id": "1337.42",
    }
    hidden = ["value", "shaped"]
    for log_format in ("text", "json"):
        out = io.StringIO()
        setup_logging(Settings(log_level="DEBUG", log_format=log_format), stream=out)
        log = logging.getLogger("discord.gateway")
        log.debug("WebSocket Event: %s", payload)
        log.debug("form %s", urlencode(form))
        log.debug("json %s", json.dumps(payload))
        text = out.getvalue()
        for word in hidden:
            assert word not in text, (log_format, text)
        assert "T1" in text
        assert "tokens_used" in text
        assert "hooks.slack.com/[redacted]" in text
        assert "hooks.slack.com%2F[redacted]&trigger_id=1337.42" in text
        assert "proxy-user:[redacted]@proxy.internal" in text
