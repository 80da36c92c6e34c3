"""Slash commands: declared once in a registry, dispatched the same way on every platform."""

from bot.commands import checkin, group, leaderboard, me, progress, roadmap, study, together
from bot.commands import help as help_commands
from bot.commands.registry import Registry


def build_registry() -> Registry:
    return Registry(
        [
            roadmap.commands,
            progress.commands,
            study.commands,
            leaderboard.commands,
            me.commands,
            checkin.commands,
            together.commands,
            group.commands,
            help_commands.commands,
        ]
    )
