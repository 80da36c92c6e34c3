"""A Discord rig: the real discord.py client of Cohort, connected to a fake Discord."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import discord
import pytest
from discord.gateway import DiscordWebSocket

from adapters.discord.app import DiscordAdapter
from bot.bootstrap import App
from bot.settings import Settings
from tests.discord.fake_discord import ANA, FakeDiscord, in_guild, slash


@pytest.fixture(autouse=True)
def _library_defaults() -> Iterator[None]:
    """Adapters point discord.py at the fake; put its defaults back afterwards."""
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


def discord_settings(fake: FakeDiscord, database_url: str, **more: Any) -> Settings:
    return Settings(
        database_url=database_url,
        discord_token="fake-token",
        discord_api_base=fake.api_base,
        discord_gateway_url=fake.gateway_url,
        **more,
    )


@dataclass
class DiscordRig:
    fake: FakeDiscord
    adapter: DiscordAdapter

    async def settled(self) -> None:
        """Wait until every answer under way is finished: its picture shown too."""
        assert await self.adapter.core.work.idle(within=10), "an answer never finished"

    async def send(
        self, payload: dict[str, Any], *, who: dict[str, Any] = ANA, admin: bool = False
    ) -> str:
        return await self.fake.interact({**in_guild(who, admin=admin), **payload})

    async def answer(self, interaction_id: str) -> dict[str, Any]:
        """The first callback the bot made for an interaction."""
        found = await self.fake.wait_for(lambda: self.fake.callbacks(interaction_id))
        return found[0]  # type: ignore[no-any-return]

    async def run(
        self, path: str, *, who: dict[str, Any] = ANA, admin: bool = False, **options: Any
    ) -> dict[str, Any]:
        return await self.answer(await self.send(slash(path, **options), who=who, admin=admin))


SHOWN_ESCAPE = re.compile(r"\\([^\w\s])")  # Discord shows `\*` as `*`


def text_of(callback: dict[str, Any]) -> str:
    """The text a person reads in a message: markdown escapes shown as their characters."""
    data = callback.get("data", callback)
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    return SHOWN_ESCAPE.sub(r"\1", "\n".join(p for p in parts if p))


def custom_ids(callback: dict[str, Any]) -> list[str]:
    data = callback.get("data", callback)
    return [b["custom_id"] for row in data.get("components") or [] for b in row["components"]]


def is_ephemeral(callback: dict[str, Any]) -> bool:
    return bool((callback.get("data", callback).get("flags") or 0) & 64)


async def start_adapter(app: App, fake: FakeDiscord, **settings: Any) -> DiscordAdapter:
    adapter = DiscordAdapter(
        app, discord_settings(fake, app.settings.database_url, **settings), ready_timeout=0.05
    )
    await adapter.start()
    return adapter


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def rig(app: App, fake: FakeDiscord) -> AsyncIterator[DiscordRig]:
    adapter = await start_adapter(app, fake)
    yield DiscordRig(fake, adapter)
    await adapter.close()
