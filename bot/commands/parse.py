"""Typed command lines (the console, Slack's `/cohort ...`) to a command and its options.

Words fill the command's options in order; the last free-text option takes the rest of
the line. `name:value` sets an option by name, as Discord users are used to.
"""

from __future__ import annotations

from bot.commands.registry import Command, OptionKind, Registry
from bot.errors import UserError
from bot.messages import OptionValue


def parse_command_line(text: str, registry: Registry) -> tuple[Command, dict[str, OptionValue]]:
    words = text.strip().removeprefix("/").split()
    if not words:
        msg = "Type a command, like `/next` or `/help`."
        raise UserError(msg)
    command, rest = registry.resolve(words)
    names = {option.name for option in command.options}
    given: dict[str, OptionValue] = {}
    positional: list[str] = []
    for word in rest:
        key, sep, value = word.partition(":")
        if sep and key.lower() in names and value and key.lower() not in given:
            given[key.lower()] = value
        else:
            positional.append(word)
    free = [o for o in command.options if o.name not in given]
    for index, option in enumerate(free):
        if not positional:
            break
        is_last = index == len(free) - 1
        if option.kind is OptionKind.TEXT or (is_last and option.kind.may_contain_spaces):
            given[option.name] = " ".join(positional)
            positional = []
        else:
            given[option.name] = positional.pop(0)
    if positional:
        msg = f"`/{command.name}` got more than it takes. Usage: `{command.usage}`."
        raise UserError(msg)
    return command, given
