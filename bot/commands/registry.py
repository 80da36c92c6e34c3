"""Commands are declared once, here, and every adapter builds its native commands from
the declarations: name, help (the handler's docstring), typed options, who may run it."""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.errors import UserError
from bot.markup import code
from bot.messages import OptionValue, Reply

if TYPE_CHECKING:
    from bot.commands.context import CommandContext

Handler = Callable[["CommandContext"], Awaitable[Reply]]

# Numbers are read strictly: ASCII digits only, so superscripts, other scripts' digits,
# `1_000`, `inf` and `nan` (all of which Python's own parsers accept) get a clear refusal.
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
NUMBER_LENGTH = 40
INTEGER_LIMIT = 2**31 - 1  # the largest value a database INTEGER column holds


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


# A name at the 100-character limit may grow when typed another way (ß in capitals is SS),
# so a member option takes what the normalised name key holds.
MEMBER_TYPED = 200


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
        unusable = unusable_character(text)
        if unusable is not None:
            msg = (
                f"The {self.name} option has an invisible control character "
                f"(U+{ord(unusable):04X}) I can't keep. Type it again without it."
            )
            raise UserError(msg)
        if self.kind is OptionKind.CHOICE:
            lowered = text.lower()
            if lowered not in self.choices:
                options = ", ".join(f"`{c}`" for c in self.choices)
                msg = f"{code(text)} is not a {self.name} I know. Use one of {options}."
                raise UserError(msg)
            return lowered
        return text

    def _number(self, raw: OptionValue) -> float:
        """A finite decimal number written with ASCII digits (a comma may be the decimal
        point). `float()` alone would also take `inf`, `nan`, `1_0` and other scripts' digits."""
        text = "" if isinstance(raw, bool) else str(raw).strip()
        if len(text) > NUMBER_LENGTH or not _NUMBER.fullmatch(text):
            msg = f"The {self.name} must be a number, like `6` or `2.5`."
            raise UserError(msg)
        value = float(text.replace(",", "."))  # too big to hold becomes inf, refused below
        if not math.isfinite(value) or not self._in_range(value):
            raise UserError(self._range_message())
        return value

    def _integer(self, raw: OptionValue, command: Command) -> int:
        """A whole number: an int from a platform, or ASCII digits with an optional sign."""
        if isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        else:
            text = "" if isinstance(raw, bool) else str(raw).strip()
            if not _INTEGER.fullmatch(text):
                example = code(command.example_value(self))
                msg = f"The {self.name} must be a whole number, like {example}."
                raise UserError(msg)
            value = int(text)
        if not self._in_range(value):
            raise UserError(self._range_message())
        return value

    @property
    def _bounds(self) -> tuple[int, int]:
        """The declared bounds; a side left open is what a database integer column holds."""
        low = self.min_value if self.min_value is not None else -INTEGER_LIMIT
        high = self.max_value if self.max_value is not None else INTEGER_LIMIT
        return low, high

    def _in_range(self, value: float) -> bool:
        low, high = self._bounds
        return low <= value <= high

    def _range_message(self) -> str:
        low, high = self._bounds
        return f"The {self.name} must be between {low} and {high}."


def unusable_character(text: str) -> str | None:
    """The first character that cannot be kept as text: a control character other than
    tab and newlines (PostgreSQL text cannot hold NUL at all) or a lone surrogate."""
    for char in text:
        if char not in "\t\n\r" and unicodedata.category(char) in {"Cc", "Cs"}:
            return char
    return None


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
            msg = f"`/{self.name}` has no option {code(unknown[0])}. Usage: `{self.usage}`."
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
            msg = f"`/{wanted}` needs one more word: {names}."  # a known phrase, safe as it is
            raise UserError(msg)
        guesses = difflib.get_close_matches(wanted, list(self._commands), n=1, cutoff=0.6)
        hint = f" Did you mean `/{guesses[0]}`?" if guesses else ""
        msg = f"There's no {code('/' + wanted)} command.{hint} `/help` lists them all."
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
