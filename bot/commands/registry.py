"""Commands are declared once, here, and every adapter builds its native commands from
the declarations: name, help (the handler's docstring), typed options, who may run it."""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.errors import UserError
from bot.messages import OptionValue, Reply

if TYPE_CHECKING:
    from bot.commands.context import CommandContext

Handler = Callable[["CommandContext"], Awaitable[Reply]]


class OptionKind(StrEnum):
    TEXT = "text"  # free text; in typed lines it takes the rest of the line
    WORD = "word"  # one word
    INTEGER = "integer"
    NUMBER = "number"  # a decimal number, like 6.5
    CHOICE = "choice"  # one of `choices`
    STEP = "step"  # a step id; adapters autocomplete it from the roadmap
    TRACK = "track"  # a track id
    MEMBER = "member"  # a member of the community (mention, user id or name)
    TIMEZONE = "timezone"  # an IANA timezone name

    @property
    def may_contain_spaces(self) -> bool:
        return self in {OptionKind.TEXT, OptionKind.STEP, OptionKind.MEMBER}


@dataclass(frozen=True)
class Option:
    name: str
    description: str
    kind: OptionKind = OptionKind.WORD
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 100
    min_value: int | None = None
    max_value: int | None = None

    @property
    def usage(self) -> str:
        shown = "|".join(self.choices) if self.choices else self.name
        return f"<{shown}>" if self.required else f"[{shown}]"

    def convert(self, raw: OptionValue, command: Command) -> OptionValue:
        """The value as the handler gets it; a UserError naming the right form otherwise."""
        if self.kind is OptionKind.INTEGER:
            return self._integer(raw, command)
        if self.kind is OptionKind.NUMBER:
            return str(self._number(raw))
        text = str(raw).strip()
        if len(text) > self.max_length:
            msg = (
                f"The {self.name} is too long ({len(text)} characters); "
                f"keep it under {self.max_length}."
            )
            raise UserError(msg)
        if self.kind is OptionKind.CHOICE:
            lowered = text.lower()
            if lowered not in self.choices:
                options = ", ".join(f"`{c}`" for c in self.choices)
                msg = f"`{text}` is not a {self.name} I know. Use one of {options}."
                raise UserError(msg)
            return lowered
        return text

    def _number(self, raw: OptionValue) -> float:
        try:
            value = float(str(raw).strip().replace(",", "."))
        except ValueError:
            msg = f"The {self.name} must be a number, like `6` or `2.5`."
            raise UserError(msg) from None
        low, high = self.min_value, self.max_value
        if (
            value != value
            or (low is not None and value < low)
            or (high is not None and value > high)
        ):
            msg = f"The {self.name} must be between {low} and {high}."
            raise UserError(msg)
        return value

    def _integer(self, raw: OptionValue, command: Command) -> int:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            msg = f"The {self.name} must be a whole number, like `{command.example_value(self)}`."
            raise UserError(msg) from None
        low, high = self.min_value, self.max_value
        if (low is not None and value < low) or (high is not None and value > high):
            msg = f"The {self.name} must be between {low} and {high}."
            raise UserError(msg)
        return value


@dataclass(frozen=True)
class Command:
    name: str  # space-separated path: "done", "me timezone"
    help: str
    handler: Handler = field(repr=False)
    options: tuple[Option, ...] = ()
    admin_only: bool = False
    examples: tuple[str, ...] = ()

    @property
    def usage(self) -> str:
        return " ".join([f"/{self.name}", *(o.usage for o in self.options)])

    def example_value(self, option: Option) -> str:
        for example in self.examples:
            words = example.split()
            return words[-1] if len(words) > 1 else option.name
        return option.name

    def bind(self, given: Mapping[str, OptionValue]) -> dict[str, OptionValue]:
        known = {o.name: o for o in self.options}
        unknown = [name for name in given if name not in known]
        if unknown:
            msg = f"`/{self.name}` has no option `{unknown[0]}`. Usage: `{self.usage}`."
            raise UserError(msg)
        values: dict[str, OptionValue] = {}
        for option in self.options:
            raw = given.get(option.name)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if option.required:
                    example = f" For example: `{self.examples[0]}`." if self.examples else ""
                    msg = f"`/{self.name}` needs a {option.name}. Usage: `{self.usage}`.{example}"
                    raise UserError(msg)
                continue
            values[option.name] = option.convert(raw, self)
        return values


class CommandSet:
    """The commands one module declares, collected with a decorator."""

    def __init__(self) -> None:
        self.commands: list[Command] = []

    def command(
        self,
        name: str,
        *options: Option,
        admin_only: bool = False,
        examples: Iterable[str] = (),
    ) -> Callable[[Handler], Handler]:
        def declare(handler: Handler) -> Handler:
            doc = (handler.__doc__ or "").strip()
            if not doc:
                msg = f"command {name!r} needs a docstring: its first line is the help text"
                raise ValueError(msg)
            self.commands.append(
                Command(
                    name=name,
                    help=doc.splitlines()[0],
                    handler=handler,
                    options=options,
                    admin_only=admin_only,
                    examples=tuple(examples),
                )
            )
            return handler

        return declare


class Registry:
    def __init__(self, sets: Iterable[CommandSet]) -> None:
        self._commands: dict[str, Command] = {}
        for command_set in sets:
            for command in command_set.commands:
                if command.name in self._commands:
                    msg = f"command {command.name!r} is declared twice"
                    raise ValueError(msg)
                self._commands[command.name] = command

    @property
    def commands(self) -> list[Command]:
        return list(self._commands.values())

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._commands)

    def groups(self) -> dict[str, list[Command]]:
        """Commands under each shared leading phrase ("me", "group", "group schedule")."""
        found: dict[str, list[Command]] = {}
        for command in self._commands.values():
            words = command.name.split()
            for length in range(1, len(words)):
                found.setdefault(" ".join(words[:length]), []).append(command)
        return found

    def get(self, name: str) -> Command:
        wanted = " ".join(name.strip().lstrip("/").lower().split())
        if wanted in self._commands:
            return self._commands[wanted]
        subcommands = self.groups().get(wanted)
        if subcommands:
            names = ", ".join(f"`/{c.name}`" for c in subcommands)
            msg = f"`/{wanted}` needs one more word: {names}."
            raise UserError(msg)
        guesses = difflib.get_close_matches(wanted, list(self._commands), n=1, cutoff=0.6)
        hint = f" Did you mean `/{guesses[0]}`?" if guesses else ""
        msg = f"There's no `/{wanted}` command.{hint} `/help` lists them all."
        raise UserError(msg)

    def resolve(self, words: list[str]) -> tuple[Command, list[str]]:
        """The command the leading words of a typed line name, and the words left over."""
        lowered = [w.lower() for w in words]
        for length in (3, 2, 1):
            name = " ".join(lowered[:length])
            if len(lowered) >= length and name in self._commands:
                return self._commands[name], words[length:]
        groups = self.groups()
        wanted = lowered[0]
        for length in (2, 3):
            if " ".join(lowered[: length - 1]) in groups and len(lowered) >= length:
                wanted = " ".join(lowered[:length])
        return self.get(wanted), []  # get() raises: no command has this name
