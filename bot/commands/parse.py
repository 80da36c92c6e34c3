"""Typed command lines (the console, Slack's `/cohort ...`) to a command and its options.

Words fill the command's options in order; the last free-text option takes the rest of
the line. `name:value` sets an option by name, as Discord users are used to; for a
free-text option, `name: several words` runs until the next `name:`.
"""

from __future__ import annotations

from bot.commands.registry import Command, Option, OptionKind, Registry
from bot.errors import UserError
from bot.messages import OptionValue


def parse_command_line(text: str, registry: Registry) -> tuple[Command, dict[str, OptionValue]]:
    words = text.strip().removeprefix("/").split()
    if not words:
        msg = "Type a command, like `/next` or `/help`."
        raise UserError(msg)
    command, rest = registry.resolve(words)
    options = {option.name: option for option in command.options}
    given: dict[str, OptionValue] = {}
    positional: list[str] = []
    open_text: str | None = None  # a named free-text option still taking words
    waiting: str | None = None  # a named option written `name: value`, value still to come
    for word in rest:
        key, sep, value = word.partition(":")
        name = key.lower()
        if sep and name in options and name not in given:
            open_text = name if options[name].kind is OptionKind.TEXT else None
            given[name] = value
            waiting = name if not value and open_text is None else None
        elif waiting is not None:
            given[waiting], waiting = word, None
        elif open_text is not None:
            given[open_text] = f"{given[open_text]} {word}".strip()
        else:
            positional.append(word)
    if waiting is not None:
        msg = f"`{waiting}:` needs a value, like `{waiting}: {_example(options[waiting])}`."
        raise UserError(msg)
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


def _example(option: Option) -> str:
    if option.choices:
        return option.choices[0]
    return "6" if option.kind in {OptionKind.INTEGER, OptionKind.NUMBER} else "value"
