"""The Discord command tree, built from the core registry. Each registry command becomes a
slash command, subcommand or sub-subcommand ("group schedule daily") with typed options;
step, track and timezone options autocomplete; choices become Discord choices."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import discord
from discord import app_commands

from adapters.discord.limits import ApplicationCommands
from adapters.discord.translate import shorten
from bot.commands.registry import Command, Option, OptionKind, Registry
from bot.messages import OptionValue

# What the adapter does with a command once Discord has parsed it, and with a keystroke.
Answer = Callable[[discord.Interaction, str, dict[str, OptionValue]], Awaitable[None]]
Complete = Callable[[discord.Interaction, str, str, str], Awaitable[list[app_commands.Choice[str]]]]

SHOW = "show"  # a command that also names a group ("kaggle") is that group's "show"
ADMIN_PERMISSIONS = discord.Permissions(manage_guild=True)
AUTOCOMPLETED = {OptionKind.STEP, OptionKind.TRACK, OptionKind.TIMEZONE}

TopLevel = app_commands.Command[Any, ..., Any] | app_commands.Group


def discord_path(command: Command, registry: Registry) -> list[str]:
    """The words a member types on Discord for a registry command."""
    words = command.name.split()
    return [*words, SHOW] if command.name in registry.groups() else words


def build_commands(registry: Registry, answer: Answer, complete: Complete) -> list[TopLevel]:
    groups: dict[str, app_commands.Group] = {}
    top: list[TopLevel] = []
    for command in registry.commands:
        words = discord_path(command, registry)
        parent: app_commands.Group | None = None
        for depth in range(1, len(words)):
            path = " ".join(words[:depth])
            if path not in groups:
                groups[path] = _group(path, registry, parent)  # a subgroup joins its parent
                if parent is None:
                    top.append(groups[path])
            parent = groups[path]
        slash: app_commands.Command[Any, ..., Any] = app_commands.Command(
            name=words[-1],
            description=_clip(command.help),
            callback=_callback(command, answer, complete),
            parent=parent,
            allowed_contexts=None if parent else app_commands.AppCommandContext(guild=True),
        )
        if parent is None:
            slash.guild_only = True
            top.append(slash)
        else:
            parent.add_command(slash)
    return top


def _group(path: str, registry: Registry, parent: app_commands.Group | None) -> app_commands.Group:
    """A group lists what is under it; a top-level group holding any admin command needs
    Manage Server by default (a server can open it to other roles in its settings)."""
    depth = len(path.split())
    paths = [discord_path(c, registry) for c in registry.commands]
    below = sorted({p[depth] for p in paths if p[:depth] == path.split() and len(p) > depth})
    description = _clip(f"/{path}: " + ", ".join(below))
    name = path.split()[-1]
    if parent is not None:
        return app_commands.Group(name=name, description=description, parent=parent)
    admin = any(c.admin_only for c in registry.groups()[path])
    return app_commands.Group(
        name=name,
        description=description,
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
        default_permissions=ADMIN_PERMISSIONS if admin else None,
    )


def _callback(command: Command, answer: Answer, complete: Complete) -> Callable[..., Any]:
    """A callback whose signature declares the command's options, which is how discord.py
    learns a command's parameters."""

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        given = {name: _core_value(v) for name, v in values.items() if v is not None}
        await answer(interaction, command.name, given)

    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    for option in sorted(command.options, key=lambda o: not o.required):
        annotation = _annotation(option)
        parameters.append(
            inspect.Parameter(
                option.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=annotation if option.required else annotation | None,
                default=inspect.Parameter.empty if option.required else None,
            )
        )
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    described = app_commands.describe(**{o.name: _clip(o.description) for o in command.options})
    decorated = described(callback)
    choices = {
        o.name: [app_commands.Choice(name=c, value=c) for c in o.choices]
        for o in command.options
        if o.kind is OptionKind.CHOICE
    }
    if choices:
        decorated = app_commands.choices(**choices)(decorated)
    completers = {
        o.name: _completer(command.name, o.name, complete)
        for o in command.options
        if o.kind in AUTOCOMPLETED
    }
    if completers:
        decorated = app_commands.autocomplete(**completers)(decorated)
    return decorated


def _completer(
    command: str, option: str, complete: Complete
) -> Callable[[discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]:
    async def completer(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await complete(interaction, command, option, current)

    return completer


def _annotation(option: Option) -> Any:
    if option.kind is OptionKind.INTEGER:
        if option.min_value is not None and option.max_value is not None:
            return app_commands.Range[int, option.min_value, option.max_value]
        return int
    if option.kind is OptionKind.NUMBER:
        if option.min_value is not None and option.max_value is not None:
            return app_commands.Range[float, option.min_value, option.max_value]
        return float
    if option.kind is OptionKind.MEMBER:
        return discord.User
    if option.kind is OptionKind.CHOICE:
        return str
    return app_commands.Range[str, 1, option.max_length]


def _core_value(value: Any) -> OptionValue:
    if isinstance(value, discord.abc.User):
        return str(value.id)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, bool | int | str):
        return value
    return str(value)


def _clip(text: str) -> str:
    """A description within Discord's limit, ending after a whole word."""
    return shorten(text, ApplicationCommands.DESCRIPTION)
