"""The boundary types adapters and the core exchange. Small, frozen, platform-free."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol
from urllib.parse import parse_qsl, urlencode

ACTION_PREFIX = "cohort:"
# A button option naming the option its form asks for (see `Button.form`).
FORM_OPTION = "form"


class Platform(StrEnum):
    CONSOLE = "console"
    DISCORD = "discord"
    SLACK = "slack"


@dataclass(frozen=True)
class Place:
    """Where a command was run: one channel of one community (Discord guild, Slack team)."""

    platform: Platform
    workspace_id: str
    channel_id: str


@dataclass(frozen=True)
class Actor:
    """Who ran a command, as the platform knows them."""

    user_id: str
    display_name: str
    is_admin: bool = False


OptionValue = str | int | bool


@dataclass(frozen=True)
class Invocation:
    """One command to run: `name` is the command path ("done", "me timezone")."""

    name: str
    actor: Actor
    place: Place
    options: Mapping[str, OptionValue] = field(default_factory=dict)
    locale: str = "en"
    # True when the place came back from a button or form (sealed by the bot) rather than
    # from the platform itself: such a place is checked against the caller's membership and
    # never runs admin commands.
    carried: bool = False


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class ProgressBar:
    label: str
    done: int
    total: int

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


class ButtonStyle(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    """A button that, when pressed, runs `command` with `options` as the presser.

    With `form`, pressing it first asks for one more option of the command, by that name:
    the platform shows a one-field form (a modal on Discord and Slack), titled with the
    button's label and labelled with the option's description from the registry, and the
    command runs with what was typed. The form's option rides in the action id, so a
    pressed button needs no state kept anywhere."""

    label: str
    command: str
    options: Mapping[str, str] = field(default_factory=dict)
    style: ButtonStyle = ButtonStyle.SECONDARY
    form: str | None = None

    @property
    def action_id(self) -> str:
        """A compact string that platforms carry back when the button is pressed."""
        options = dict(self.options)
        if self.form is not None:
            options[FORM_OPTION] = self.form
        query = urlencode(sorted(options.items()))
        return f"{ACTION_PREFIX}{self.command}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Action:
    """A pressed button's action id, read back: the command, its options, and the option a
    form asks for first (None: it runs at once)."""

    command: str
    options: dict[str, str]
    form: str | None = None


def parse_action_id(action_id: str) -> tuple[str, dict[str, str]] | None:
    """The command and options a button's `action_id` stands for; None if not ours."""
    action = read_action(action_id)
    return None if action is None else (action.command, action.options)


def read_action(action_id: str) -> Action | None:
    """What a button's `action_id` stands for, its form apart; None if not ours."""
    if not action_id.startswith(ACTION_PREFIX):
        return None
    command, _, query = action_id.removeprefix(ACTION_PREFIX).partition("?")
    options = dict(parse_qsl(query, keep_blank_values=True))
    form = options.pop(FORM_OPTION, None)
    return Action(command, options, form or None)


@dataclass(frozen=True)
class Image:
    """A picture a reply carries (a card, `bot.cards`): PNG bytes, and alt text (markup)
    that says what it shows. The reply's text says it all too: a picture is never the only
    place something is said."""

    png: bytes
    alt_text: str


class Sketch(Protocol):
    """A picture a reply will carry, not drawn yet (a card, `bot.services.pictures`).
    Adapters send the answer first and the picture after it, so a member's answer never
    waits on drawing, and the command's database transaction never holds on for it."""

    async def draw(self) -> Image | None:
        """The picture, drawn now; None (logged) when it could not be drawn."""
        ...


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (a member's data export): shown as a download on Discord,
    uploaded to the member's DM on Slack, written to a folder by the console."""

    filename: str  # a plain name like `cohort-export.json`, never a path
    data: bytes
    description: str  # what the file holds, in a sentence
    mime_type: str = "application/json"


@dataclass(frozen=True)
class Reply:
    """What the core answers. Adapters render it natively; `ephemeral` means only the
    person who asked sees it."""

    title: str = ""
    body: str = ""
    fields: tuple[Field, ...] = ()
    progress: tuple[ProgressBar, ...] = ()
    buttons: tuple[Button, ...] = ()
    image: Image | None = None
    sketch: Sketch | None = None  # a picture still to draw (see `Sketch`), instead of `image`
    attachment: Attachment | None = None
    ephemeral: bool = False
    is_error: bool = False
    # A name for a thread opened on this message, where a platform has threads as channels
    # of their own (Discord; a Slack message is a thread's start already, the console has
    # none), so that answers to a post gather under it.
    thread: str | None = None

    @classmethod
    def error(cls, text: str) -> Reply:
        return cls(body=text, ephemeral=True, is_error=True)

    @property
    def has_picture(self) -> bool:
        """Whether the reply carries a picture, drawn or still to draw."""
        return self.image is not None or self.sketch is not None

    def text_only(self) -> Reply:
        """The reply without its picture: its text says everything the picture shows."""
        return replace(self, image=None, sketch=None)

    async def picture(self) -> Image | None:
        """The reply's picture, drawn now if it is still to draw; None when it has none or
        it could not be drawn."""
        if self.image is not None:
            return self.image
        return await self.sketch.draw() if self.sketch is not None else None

    async def drawn(self) -> Reply:
        """The reply with its picture drawn, for where the answer and its picture go out
        together (the console, a scheduled post)."""
        if self.sketch is None:
            return self
        return replace(self, image=await self.sketch.draw(), sketch=None)
