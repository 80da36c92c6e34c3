"""Pure translation between Discord and the core's types: Replies as embeds and buttons,
interactions as Places and Actors. No I/O here."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.markup import Style, plain_text, render
from bot.messages import (
    Actor,
    Attachment,
    Button,
    ButtonStyle,
    Place,
    Platform,
    ProgressBar,
    Reply,
)
from bot.seals import SealFor

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
BUTTON_LABEL_LIMIT = 80
BUTTONS_PER_MESSAGE = 25  # five rows of five
CUSTOM_ID_LIMIT = 100
BAR_WIDTH = 10
COLOUR = discord.Colour(0x2A9D8F)
ERROR_COLOUR = discord.Colour(0xE76F51)
IMAGE_NAME = "cohort.png"
FILE_DESCRIPTION_LIMIT = 1024
TOO_LARGE = 40005  # Discord's error code for a request (a file) over its size limit
PLACE_MARK = "#"  # custom ids of buttons sent by DM carry the group's place after it

STYLES = {
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.SECONDARY: discord.ButtonStyle.secondary,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
}


# Characters Discord's markdown gives a meaning anywhere (formatting, links, mentions),
# and those that start a heading, list or quote at the start of a line. A backslash
# before one shows it as itself.
MARKDOWN_SIGNIFICANT = frozenset("\\*_~`|<>[]")
LINE_STARTS = re.compile(r"^(\s*)([#>+-])", re.MULTILINE)


def _escaped(text: str) -> str:
    inline = "".join("\\" + c if c in MARKDOWN_SIGNIFICANT else c for c in text)
    return LINE_STARTS.sub(r"\1\\\2", inline)


MARKDOWN = Style(
    text=_escaped,
    code=lambda text: f"`{text}`",
    link=lambda title, url: f"[{_escaped(title)}]({url})",
)


def markdown(markup: str) -> str:
    """A reply's markup as Discord markdown; members' text stays text."""
    return render(markup, MARKDOWN)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if (len(cut) - len(cut.rstrip("\\"))) % 2:  # never leave half an escape behind
        cut = cut[:-1]
    return cut + "…"


def bar_line(bar: ProgressBar) -> str:
    filled = round(BAR_WIDTH * bar.done / bar.total) if bar.total else 0
    label = markdown(bar.label)
    return f"`{'█' * filled}{'░' * (BAR_WIDTH - filled)}` {label} · {bar.done}/{bar.total}"


def embed(reply: Reply) -> discord.Embed:
    """A Reply as an embed: title, body (Discord reads our **bold** and [links](…) as they
    are), progress bars, fields and an attached image."""
    body = markdown(f"⚠️ {reply.body}" if reply.is_error else reply.body)
    bars = "\n".join(bar_line(b) for b in reply.progress)
    description = "\n\n".join(part for part in (body, bars) if part)
    shown = discord.Embed(
        title=_clip(markdown(reply.title), TITLE_LIMIT) if reply.title else None,
        description=_clip(description, DESCRIPTION_LIMIT) if description else None,
        colour=ERROR_COLOUR if reply.is_error else COLOUR,
    )
    for field in reply.fields[:FIELDS_PER_EMBED]:
        shown.add_field(
            name=_clip(markdown(field.name), FIELD_NAME_LIMIT) or "\u200b",
            value=_clip(markdown(field.value), FIELD_VALUE_LIMIT) or "\u200b",
            inline=field.inline,
        )
    if reply.image is not None:
        shown.set_image(url=f"attachment://{IMAGE_NAME}")
        shown.set_footer(text=_clip(plain_text(reply.image.alt_text), 2048))
    return shown


def files(reply: Reply) -> list[Attachment]:
    """The files a reply sends along: its image (which the embed shows) and its attachment
    (a download in the same message)."""
    sent = []
    if reply.image is not None:
        sent.append(Attachment(IMAGE_NAME, reply.image.png, plain_text(reply.image.alt_text)))
    if reply.attachment is not None:
        sent.append(reply.attachment)
    return [
        Attachment(f.filename, f.data, _clip(f.description, FILE_DESCRIPTION_LIMIT), f.mime_type)
        for f in sent
    ]


def file_too_big(reply: Reply, limit: int) -> Reply | None:
    """What a member reads instead of `reply` when one of its files is larger than Discord
    takes in this interaction (its `attachment_size_limit`); None when every file fits."""
    for sent in files(reply):
        if len(sent.data) > limit:
            return too_big(sent, limit)
    return None


def too_big(sent: Attachment, limit: int | None = None) -> Reply:
    """A short answer for a file Discord will not take; `limit` when we know it."""
    size = file_size(len(sent.data))
    if limit is None:
        why = f"Discord refused it as too large ({size})"
    else:
        why = f"it is {size}, and Discord takes at most {file_size(limit)} here"
    return Reply.error(f"I couldn't send you `{sent.filename}`: {why}.")


def file_size(count: int) -> str:
    """A size as people read it: 512 bytes, 3.4 KB, 10 MB."""
    if count < 1024:
        return f"{count} bytes"
    value, unit = (count / 1024, "KB") if count < 1024**2 else (count / 1024**2, "MB")
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def custom_id(button: Button, seal: str | None = None) -> str | None:
    """The id Discord hands back when the button is pressed; None if it cannot fit.
    Buttons in a DM carry the group's place, sealed by the bot, since a DM belongs to no
    server."""
    value = button.action_id
    if seal is not None:
        value = f"{value}{PLACE_MARK}{seal}"
    return value if len(value) <= CUSTOM_ID_LIMIT else None


def split_custom_id(value: str) -> tuple[str, str | None]:
    """A pressed button's action id, and the sealed place it carried, if any."""
    action_id, mark, seal = value.partition(PLACE_MARK)
    return action_id, (seal if mark else None)


def button_rows(reply: Reply, seal_for: SealFor | None = None) -> list[list[tuple[str, str, Any]]]:
    """(label, custom id, style) of each button, five to a row. Buttons sent by DM carry
    their group's place, sealed for the member and that button's action by `seal_for`;
    one that cannot be sealed is left out rather than sent without its group."""
    shown = []
    for button in reply.buttons[:BUTTONS_PER_MESSAGE]:
        seal = seal_for(button.action_id) if seal_for is not None else None
        if seal_for is not None and seal is None:
            continue
        value = custom_id(button, seal)
        if value is not None:
            shown.append((_clip(button.label, BUTTON_LABEL_LIMIT), value, STYLES[button.style]))
    return [shown[i : i + 5] for i in range(0, len(shown), 5)]


def place_of(guild_id: int | None, channel_id: int | None) -> Place:
    return Place(Platform.DISCORD, str(guild_id or ""), str(channel_id or ""))


def actor_of(user: discord.abc.User, permissions: discord.Permissions) -> Actor:
    """Server members with Manage Server (or Administrator) are community admins."""
    admin = permissions.administrator or permissions.manage_guild
    return Actor(user_id=str(user.id), display_name=user.display_name, is_admin=admin)


CHECKIN_FIELDS = (
    ("finished", "What did you finish?", "Step ids like python-basics are marked done", 500),
    ("next", "What's next?", "", 500),
    ("blockers", "Anything in your way?", "", 500),
    ("hours", "Hours studied this week", "A number, like 6 or 2.5", 10),
)


def checkin_answers(values: dict[str, str]) -> dict[str, str]:
    """The filled-in fields of a submitted check-in form."""
    return {
        name: values[name].strip() for name, *_ in CHECKIN_FIELDS if values.get(name, "").strip()
    }
