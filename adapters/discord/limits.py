"""Discord's documented limits, in one place, and `violations`, which checks a message we
are about to send against them.

Each class is one page of discord-api-docs (docs.discord.com/developers/...), named after
it, holding the numbers that page states and that Cohort meets. Re-check a number on its
page before relying on a new one. Discord counts characters as Unicode code points (its
API is written in Python; discord-api-docs issue #1315), which is what `len` counts.

Nothing here sends anything; `translate` splits replies to fit and `app` sends them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final


class CreateMessage:
    """resources/message, "Create Message" (JSON/Form Params); Execute Webhook and the
    interaction response's message take the same."""

    CONTENT: Final = 2000  # characters of `content`
    EMBEDS: Final = 10  # "up to 10 rich embeds"
    NONCE: Final = 25  # characters of `nonce`; with `enforce_nonce` unique for a few minutes


class EmbedLimits:
    """resources/message, "Embed Object" > "Embed Limits". Lengths are measured after
    leading and trailing whitespace is trimmed; a field's name and value may not be empty."""

    TITLE: Final = 256
    DESCRIPTION: Final = 4096
    FIELDS: Final = 25  # per embed
    FIELD_NAME: Final = 256
    FIELD_VALUE: Final = 1024
    FOOTER_TEXT: Final = 2048
    AUTHOR_NAME: Final = 256
    # Title, description, field names and values, footer and author name of *all* the
    # embeds of one message together.
    TOTAL: Final = 6000


class AttachmentObject:
    """resources/message, "Attachment Object": a file's description (its alt text)."""

    DESCRIPTION: Final = 1024


class ComponentReference:
    """components/reference: message components as Cohort sends them (without the
    IS_COMPONENTS_V2 flag, which would forbid `content` and `embeds`)."""

    COMPONENTS_V2_FLAG: Final = 1 << 15
    ACTION_ROWS: Final = 5  # "Legacy Message Component Behavior": top-level action rows
    BUTTONS_PER_ROW: Final = 5  # "Action Row"
    CUSTOM_ID: Final = 100  # 1-100 characters, unique within a message
    BUTTON_LABEL: Final = 80
    SELECT_OPTIONS: Final = 25  # "String Select"
    SELECT_PLACEHOLDER: Final = 150
    OPTION_LABEL: Final = 100  # "Select Option Structure": label, value and description
    OPTION_VALUE: Final = 100
    OPTION_DESCRIPTION: Final = 100
    LABEL_TEXT: Final = 45  # "Label": the label above a modal's input
    LABEL_DESCRIPTION: Final = 100
    TEXT_INPUT_VALUE: Final = 4000  # "Text Input": max_length and value
    TEXT_INPUT_PLACEHOLDER: Final = 100


class ReceivingAndResponding:
    """interactions/receiving-and-responding."""

    FIRST_RESPONSE: Final = 3.0  # seconds to answer (or defer) before the token dies
    TOKEN_LIFETIME: Final = 15 * 60.0  # seconds in which followups and edits may be sent
    AUTOCOMPLETE_CHOICES: Final = 25
    MODAL_TITLE: Final = 45
    MODAL_COMPONENTS: Final = 5  # between 1 and 5


class StartThreadFromMessage:
    """resources/channel, "Start Thread from Message" (JSON Params). The thread takes the
    message's id, so a message has at most one thread."""

    NAME: Final = 100  # 1-100 characters
    # Minutes without activity before the thread leaves the channel list; the only values
    # `auto_archive_duration` takes.
    AUTO_ARCHIVE_DURATIONS: Final = (60, 1440, 4320, 10080)


class OpcodesAndStatusCodes:
    """topics/opcodes-and-status-codes, "JSON Error Codes": the codes Cohort acts on."""

    MISSING_PERMISSIONS: Final = 50013
    THREAD_ALREADY_CREATED: Final = 160004  # "A thread has already been created for this message"


class ApplicationCommands:
    """interactions/application-commands."""

    NAME: Final = 32  # 1-32 characters, lowercase where the script has case
    DESCRIPTION: Final = 100  # 1-100 characters
    OPTIONS: Final = 25  # options, subcommands or subcommand groups under one command
    CHOICES: Final = 25
    CHOICE_NAME: Final = 100  # autocomplete answers are choices too
    CHOICE_VALUE: Final = 100  # for a string value
    COMMAND_TOTAL: Final = 8000  # names, descriptions and choice values of one command
    GLOBAL_CHAT_INPUT_COMMANDS: Final = 100


class RateLimits:
    """topics/rate-limits."""

    # "Global Rate Limit": 50 requests a second per bot, whatever the route. Interaction
    # endpoints (answers to commands, followups) are not counted.
    GLOBAL_REQUESTS_PER_SECOND: Final = 50
    GLOBAL_WINDOW: Final = 1.0  # seconds
    # "Invalid Request Limit": 10,000 answers of 401, 403 or 429 in 10 minutes from one IP
    # address get it restricted for a while.
    INVALID_REQUESTS_PER_WINDOW: Final = 10_000
    INVALID_REQUESTS_WINDOW: Final = 10 * 60.0  # seconds


def violations(payload: Mapping[str, Any]) -> list[str]:
    """Every way `payload`, one message as Discord receives it (`content`, `embeds`,
    `components`, `attachments`, `nonce`), breaks a documented limit; empty when it fits.

    Lengths are counted before trimming, so this is never laxer than Discord."""
    check = _Check()
    check.too_long("content", payload.get("content"), CreateMessage.CONTENT)
    nonce = payload.get("nonce")
    if nonce is not None:
        check.too_long("nonce", str(nonce), CreateMessage.NONCE)
    embeds = payload.get("embeds") or []
    check.too_many("embeds", embeds, CreateMessage.EMBEDS)
    for n, embed in enumerate(embeds):
        check.embed(f"embeds[{n}]", embed)
    total = sum(embed_characters(embed) for embed in embeds)
    if total > EmbedLimits.TOTAL:
        check.found.append(f"embeds have {total} characters together; at most {EmbedLimits.TOTAL}")
    if not (payload.get("flags") or 0) & ComponentReference.COMPONENTS_V2_FLAG:
        check.action_rows(payload.get("components") or [])
    for n, attachment in enumerate(payload.get("attachments") or []):
        check.too_long(
            f"attachments[{n}].description",
            attachment.get("description"),
            AttachmentObject.DESCRIPTION,
        )
    shown = ("content", "embeds", "components", "attachments", "sticker_ids", "poll")
    if not any(payload.get(key) for key in shown):
        check.found.append("the message is empty")
    return check.found


def embed_characters(embed: Mapping[str, Any]) -> int:
    """The characters of one embed that count toward the 6,000 of a message."""
    texts = [embed.get("title"), embed.get("description")]
    texts += [(embed.get("footer") or {}).get("text"), (embed.get("author") or {}).get("name")]
    for field in embed.get("fields") or []:
        texts += [field.get("name"), field.get("value")]
    return sum(len(text) for text in texts if isinstance(text, str))


class _Check:
    def __init__(self) -> None:
        self.found: list[str] = []

    def too_long(self, path: str, text: Any, limit: int) -> None:
        if isinstance(text, str) and len(text) > limit:
            self.found.append(f"{path} has {len(text)} characters; at most {limit}")

    def too_many(self, path: str, items: Sequence[Any], limit: int) -> None:
        if len(items) > limit:
            self.found.append(f"{path} has {len(items)} items; at most {limit}")

    def embed(self, path: str, embed: Mapping[str, Any]) -> None:
        self.too_long(f"{path}.title", embed.get("title"), EmbedLimits.TITLE)
        self.too_long(f"{path}.description", embed.get("description"), EmbedLimits.DESCRIPTION)
        fields = embed.get("fields") or []
        self.too_many(f"{path}.fields", fields, EmbedLimits.FIELDS)
        for f, field in enumerate(fields):
            for key, limit in (
                ("name", EmbedLimits.FIELD_NAME),
                ("value", EmbedLimits.FIELD_VALUE),
            ):
                text = field.get(key)
                if not isinstance(text, str) or not text.strip():
                    self.found.append(f"{path}.fields[{f}].{key} is empty")
                self.too_long(f"{path}.fields[{f}].{key}", text, limit)
        footer = (embed.get("footer") or {}).get("text")
        self.too_long(f"{path}.footer.text", footer, EmbedLimits.FOOTER_TEXT)
        author = (embed.get("author") or {}).get("name")
        self.too_long(f"{path}.author.name", author, EmbedLimits.AUTHOR_NAME)

    def action_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.too_many("components", rows, ComponentReference.ACTION_ROWS)
        seen: set[str] = set()
        for r, row in enumerate(rows):
            buttons = row.get("components") or []
            self.too_many(f"components[{r}]", buttons, ComponentReference.BUTTONS_PER_ROW)
            for b, button in enumerate(buttons):
                path = f"components[{r}][{b}]"
                self.too_long(f"{path}.label", button.get("label"), ComponentReference.BUTTON_LABEL)
                custom_id = button.get("custom_id")
                if custom_id is None:
                    continue  # a link button
                if not 1 <= len(custom_id) <= ComponentReference.CUSTOM_ID:
                    self.found.append(
                        f"{path}.custom_id has {len(custom_id)} characters; "
                        f"1 to {ComponentReference.CUSTOM_ID}"
                    )
                if custom_id in seen:
                    self.found.append(f"{path}.custom_id {custom_id!r} is used twice")
                seen.add(custom_id)
