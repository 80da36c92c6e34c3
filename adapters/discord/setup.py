"""Setting Cohort up on Discord: registering its slash commands, and the invite link."""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord.app import log_in, make_client
from adapters.discord.tree import build_commands
from bot.commands.registry import Registry
from bot.messages import OptionValue
from bot.settings import Settings

SCOPES = ("bot", "applications.commands")
# Exactly what posting to a study group's channel takes: see it, write in it, embed links.
PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)


async def _not_served(
    interaction: discord.Interaction, name: str, options: dict[str, OptionValue]
) -> None:
    msg = "this client only registers commands; `cohort run` answers them"
    raise RuntimeError(msg)


async def _no_suggestions(
    interaction: discord.Interaction, command: str, option: str, typed: str
) -> list[app_commands.Choice[str]]:
    return []


async def sync_commands(
    settings: Settings, registry: Registry, *, guild_id: int | None = None
) -> list[str]:
    """Register every command with Discord, globally or to one server (instant, for
    trying changes); returns the top-level command names Discord now has."""
    client = make_client(settings)
    tree = app_commands.CommandTree(client)
    for command in build_commands(registry, _not_served, _no_suggestions):
        tree.add_command(command)
    guild = discord.Object(guild_id) if guild_id is not None else None
    async with client:
        await log_in(client, settings)
        if guild is not None:
            tree.copy_global_to(guild=guild)
        synced = await tree.sync(guild=guild)
    return [command.name for command in synced]


async def application_id(settings: Settings) -> int:
    """The bot's application (client) id, asked of Discord with the token."""
    client = make_client(settings)
    async with client:
        await log_in(client, settings)
        if client.application_id is None:
            msg = "Discord did not say which application this token belongs to"
            raise RuntimeError(msg)
        return client.application_id


def invite_url(client_id: int) -> str:
    return discord.utils.oauth_url(client_id, permissions=PERMISSIONS, scopes=SCOPES)
