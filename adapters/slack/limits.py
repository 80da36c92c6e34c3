"""Slack's documented limits, in one place, and the check every payload passes before it is
sent.

Each group below is named after the page of Slack's documentation (docs.slack.dev, formerly
api.slack.com) that states its numbers; a number no reference page states says where it
comes from instead. Lengths are in characters. Slack does not say how it counts them, so
`size` counts UTF-16 code units, which is never fewer than code points: text that fits by
our count fits by Slack's.

`violations` lists everything in a message, a list of blocks or a view that Slack would
refuse (or silently truncate); `checked` raises `DoesNotFit` instead of sending such a
payload. `split_mrkdwn` and `shorten` are how text is made to fit: split where a reader
expects a break, shortened only where Slack offers no room for more (a button's label)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final


class Blocks:
    """Block Kit reference: "Blocks", and the page of each block (section, header, context,
    actions, image, input)."""

    PER_MESSAGE: Final = 50
    PER_VIEW: Final = 100  # a modal or a Home tab
    BLOCK_ID: Final = 255
    SECTION_TEXT: Final = 3000
    SECTION_FIELDS: Final = 10  # items
    SECTION_FIELD_TEXT: Final = 2000
    HEADER_TEXT: Final = 150
    CONTEXT_ELEMENTS: Final = 10  # items
    ACTIONS_ELEMENTS: Final = 25  # items
    IMAGE_URL: Final = 3000
    IMAGE_ALT_TEXT: Final = 2000
    INPUT_LABEL: Final = 2000
    INPUT_HINT: Final = 2000
    TYPES: Final = frozenset(
        {
            "actions",
            "context",
            "divider",
            "file",
            "header",
            "image",
            "input",
            "markdown",
            "rich_text",
            "section",
            "video",
        }
    )


class BlockElements:
    """Block Kit reference: "Block elements" (button, select menus, plain-text input)."""

    BUTTON_TEXT: Final = 75
    ACTION_ID: Final = 255  # every interactive element; unique within its block
    BUTTON_VALUE: Final = 2000
    BUTTON_URL: Final = 3000
    SELECT_OPTIONS: Final = 100  # items, in a static select menu
    PLACEHOLDER: Final = 150
    # "Plain-text input element": `max_length` takes 1 to 3,000, `min_length` 0 to 3,000.
    TEXT_INPUT_MAX_LENGTH: Final = 3000  # the largest `max_length` a plain_text_input takes
    TEXT_INPUT_MIN_LENGTH: Final = 3000  # the largest `min_length` it takes


class CompositionObjects:
    """Block Kit reference: "Composition objects" (text object, option object)."""

    TEXT: Final = 3000  # a text object's text, at least 1 character
    OPTION_TEXT: Final = 75
    OPTION_VALUE: Final = 150
    OPTION_DESCRIPTION: Final = 75


class ChatPostMessage:
    """Web API method `chat.postMessage` ("Arguments": `text`, `blocks`, `metadata`), the
    changelog "Truncating really long messages" (2018-04), and the message metadata
    reference."""

    # Past this Slack cuts the text and warns `message_truncated`; Slack suggests keeping a
    # message's text within 4,000. This applies to chat.postEphemeral and response URLs too.
    TEXT: Final = 40_000
    TEXT_SUGGESTED: Final = 4000
    # No reference page states a limit on all of a message's block text together, yet
    # chat.postMessage refuses a long one with `msg_blocks_too_long`: Slack's maintainers
    # put it at about 12,000 characters of text with room for the blocks around it
    # (slackapi/bolt-js #2509, #2867). We keep each message's block text within
    # `BLOCKS_TEXT_BUDGET` and never rely on the rest.
    BLOCKS_TEXT_OBSERVED: Final = 12_000
    BLOCKS_TEXT_BUDGET: Final = 9000
    # Metadata reference ("Payload structure"): event_type is lowercase letters, digits and
    # underscores, starting with a letter; event_payload is an object. No size is stated.
    METADATA_EVENT_TYPE: Final = re.compile(r"[a-z][a-z0-9_]*")


class FilesUpload:
    """Web API method `files.getUploadURLExternal`: `alt_txt`, the image's description for
    screen readers, is refused past 1,000 characters (`alt_txt_too_large`)."""

    ALT_TXT: Final = 1000


class Views:
    """Reference: "Modal views" and "Home tab views" (the view objects `views.open` and
    `views.publish` take); `views.publish` answers `view_too_large` past 250 kB. A modal
    holding an input block needs a `submit` button."""

    BLOCKS: Final = Blocks.PER_VIEW
    MODAL_TITLE: Final = 24
    MODAL_SUBMIT: Final = 24
    MODAL_CLOSE: Final = 24
    PRIVATE_METADATA: Final = 3000
    CALLBACK_ID: Final = 255
    JSON_BYTES: Final = 250_000


class SlashCommands:
    """ "Handling user interaction" and "Enabling interactivity with Slash commands": a
    command is acknowledged within 3 seconds; its `response_url` then takes up to 5
    messages within 30 minutes."""

    ACK_SECONDS: Final = 3
    RESPONSE_URL_USES: Final = 5
    RESPONSE_URL_MINUTES: Final = 30


@dataclass(frozen=True)
class Limit:
    """`requests` per `seconds` on average, with up to `burst` of them at once."""

    requests: int
    seconds: float
    burst: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


class RateLimits:
    """Web API "Rate limits" (per app, per workspace, per method, by tier) and the "Rate
    limiting" section of `chat.postMessage`'s page, which has its own limit per channel and
    per workspace. Past a limit Slack answers 429 with an integer `Retry-After`."""

    # About one message per second to a channel, short bursts above that allowed. Slack
    # names no size for the burst; three is our reading, and our pacing never relies on it.
    CHAT_POST_MESSAGE_PER_CHANNEL: Final = Limit(1, 1.0, burst=3)
    # ... and, across a workspace, "several hundred messages per minute".
    CHAT_POST_MESSAGE_PER_WORKSPACE: Final = Limit(300, 60.0, burst=300)
    # Tiers: at least this many calls a minute per method per workspace, sporadic bursts of
    # up to a minute's worth welcome.
    TIER_1: Final = Limit(1, 60.0, burst=1)
    TIER_2: Final = Limit(20, 60.0, burst=20)
    TIER_3: Final = Limit(50, 60.0, burst=50)
    TIER_4: Final = Limit(100, 60.0, burst=100)
    # auth.test is a special tier: "hundreds of requests per minute".
    AUTH_TEST: Final = Limit(600, 60.0, burst=600)
    # The methods a scheduled delivery calls, each with its per-workspace limit (each
    # method's page names its tier: conversations.open, .history and .join are Tier 3).
    PER_WORKSPACE: Final[Mapping[str, Limit]] = {
        "chat.postMessage": CHAT_POST_MESSAGE_PER_WORKSPACE,
        "conversations.open": TIER_3,
        "conversations.history": TIER_3,
        "conversations.join": TIER_3,
        "auth.test": AUTH_TEST,
        # A picture posted with a scheduled post: the upload flow's two methods, Tier 4.
        "files.getUploadURLExternal": TIER_4,
        "files.completeUploadExternal": TIER_4,
    }
    PER_CHANNEL: Final[Mapping[str, Limit]] = {"chat.postMessage": CHAT_POST_MESSAGE_PER_CHANNEL}


# --- measuring ---------------------------------------------------------------------------


def size(text: str) -> int:
    """The length of `text` as Slack may count it: UTF-16 code units (an emoji beyond the
    Basic Multilingual Plane counts twice)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def texts_in(node: Any) -> Iterator[str]:
    """Every `text` string in a block, element or list of them."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from texts_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts_in(item)


def blocks_text_size(blocks: Sequence[Any]) -> int:
    """All the text of `blocks` together, as chat.postMessage's undocumented total counts."""
    return sum(size(text) for text in texts_in(list(blocks)))


# --- checking ----------------------------------------------------------------------------


class DoesNotFit(ValueError):
    """A payload Slack would refuse; its message lists why."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def checked(payload: Any) -> Any:
    """`payload` itself, once `violations` finds nothing in it; else `DoesNotFit`."""
    problems = violations(payload)
    if problems:
        raise DoesNotFit(problems)
    return payload


def violations(blocks_or_view: Any) -> list[str]:
    """What Slack would refuse or cut in a payload, each with where it is; empty when it
    fits. Takes a message's blocks (a list), a view (`type` modal or home), or a whole
    message (`text`, `blocks`, `metadata`) as sent to chat.postMessage or a response URL."""
    if isinstance(blocks_or_view, list):
        return _blocks(blocks_or_view, Blocks.PER_MESSAGE, "blocks")
    if not isinstance(blocks_or_view, Mapping):
        return ["a payload must be a list of blocks or an object"]
    if blocks_or_view.get("type") in {"modal", "home"}:
        return _view(blocks_or_view)
    return _message(blocks_or_view)


def _message(message: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    text, blocks = message.get("text"), message.get("blocks")
    if not text and not blocks:
        problems.append("a message needs text or blocks")
    if isinstance(text, str) and size(text) > ChatPostMessage.TEXT:
        problems.append(_too_long("text", text, ChatPostMessage.TEXT))
    if blocks is not None:
        if not isinstance(blocks, list):
            problems.append("blocks: must be a list")
        else:
            problems += _blocks(blocks, Blocks.PER_MESSAGE, "blocks")
            total = blocks_text_size(blocks)
            if total > ChatPostMessage.BLOCKS_TEXT_OBSERVED:
                problems.append(
                    f"blocks: {total:,} characters of text in all, over the "
                    f"{ChatPostMessage.BLOCKS_TEXT_OBSERVED:,} Slack takes in one message"
                )
    metadata = message.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, Mapping) or not isinstance(
            metadata.get("event_payload"), Mapping
        ):
            problems.append("metadata: needs an event_type and an event_payload object")
        elif not ChatPostMessage.METADATA_EVENT_TYPE.fullmatch(str(metadata.get("event_type"))):
            problems.append("metadata.event_type: lowercase letters, digits and underscores")
    return problems


def _view(view: Mapping[str, Any]) -> list[str]:
    blocks = view.get("blocks")
    problems = (
        _blocks(blocks, Views.BLOCKS, "view.blocks")
        if isinstance(blocks, list)
        else ["view.blocks: must be a list"]
    )
    if view.get("type") == "modal":
        problems += _text(view.get("title"), Views.MODAL_TITLE, "view.title", plain=True)
        has_input = any(
            isinstance(block, Mapping) and block.get("type") == "input" for block in _list(blocks)
        )
        if has_input and "submit" not in view:
            problems.append("view.submit: a modal with an input block needs one")
        for button, limit in (("submit", Views.MODAL_SUBMIT), ("close", Views.MODAL_CLOSE)):
            if button in view:
                problems += _text(view[button], limit, f"view.{button}", plain=True)
    problems += _at_most(view, "private_metadata", Views.PRIVATE_METADATA, "view")
    problems += _at_most(view, "callback_id", Views.CALLBACK_ID, "view")
    encoded = len(json.dumps(view, ensure_ascii=False).encode())
    if encoded > Views.JSON_BYTES:
        problems.append(f"view: {encoded:,} bytes, over the {Views.JSON_BYTES:,} Slack takes")
    return problems


def _blocks(blocks: list[Any], most: int, where: str) -> list[str]:
    problems = []
    if len(blocks) > most:
        problems.append(f"{where}: {len(blocks)} blocks, over the {most} Slack takes")
    for index, block in enumerate(blocks):
        at = f"{where}[{index}]"
        if not isinstance(block, Mapping):
            problems.append(f"{at}: must be an object")
            continue
        problems += _block(block, at)
    return problems


def _block(block: Mapping[str, Any], at: str) -> list[str]:
    kind = block.get("type")
    if kind not in Blocks.TYPES:
        return [f"{at}: no block type {kind!r}"]
    problems = _at_most(block, "block_id", Blocks.BLOCK_ID, at)
    if kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(f"{at}: a section needs text or fields")
        if "text" in block:
            problems += _text(block["text"], Blocks.SECTION_TEXT, f"{at}.text")
        if "fields" in block:
            problems += _items(block["fields"], Blocks.SECTION_FIELDS, f"{at}.fields")
            for number, field in enumerate(_list(block["fields"])):
                problems += _text(field, Blocks.SECTION_FIELD_TEXT, f"{at}.fields[{number}]")
        if "accessory" in block:
            problems += _element(block["accessory"], f"{at}.accessory")
    elif kind == "header":
        problems += _text(block.get("text"), Blocks.HEADER_TEXT, f"{at}.text", plain=True)
    elif kind == "context":
        elements = block.get("elements")
        problems += _items(elements, Blocks.CONTEXT_ELEMENTS, f"{at}.elements")
        for number, element in enumerate(_list(elements)):
            if isinstance(element, Mapping) and element.get("type") in {"mrkdwn", "plain_text"}:
                problems += _text(element, CompositionObjects.TEXT, f"{at}.elements[{number}]")
    elif kind == "actions":
        elements = block.get("elements")
        problems += _items(elements, Blocks.ACTIONS_ELEMENTS, f"{at}.elements")
        for number, element in enumerate(_list(elements)):
            problems += _element(element, f"{at}.elements[{number}]")
        ids = [e.get("action_id") for e in _list(elements) if isinstance(e, Mapping)]
        repeated = sorted({str(i) for i in ids if i is not None and ids.count(i) > 1})
        if repeated:
            problems.append(f"{at}.elements: action_id repeated in one block: {repeated}")
    elif kind == "image":
        problems += _at_most(block, "image_url", Blocks.IMAGE_URL, at)
        problems += _at_most(block, "alt_text", Blocks.IMAGE_ALT_TEXT, at)
        if not block.get("alt_text"):
            problems.append(f"{at}: an image needs alt_text")
        if ("image_url" in block) == ("slack_file" in block):
            problems.append(f"{at}: an image needs image_url or slack_file, not both")
        source = block.get("slack_file")
        if "slack_file" in block and (
            not isinstance(source, Mapping) or ("id" in source) == ("url" in source)
        ):
            problems.append(f"{at}.slack_file: give its id or its url, not both")
    elif kind == "input":
        problems += _text(block.get("label"), Blocks.INPUT_LABEL, f"{at}.label", plain=True)
        if "hint" in block:
            problems += _text(block["hint"], Blocks.INPUT_HINT, f"{at}.hint", plain=True)
        problems += _element(block.get("element"), f"{at}.element")
    return problems


def _element(element: Any, at: str) -> list[str]:
    if not isinstance(element, Mapping):
        return [f"{at}: must be an object"]
    problems = _at_most(element, "action_id", BlockElements.ACTION_ID, at)
    kind = element.get("type")
    if kind == "button":
        problems += _text(element.get("text"), BlockElements.BUTTON_TEXT, f"{at}.text", plain=True)
        problems += _at_most(element, "value", BlockElements.BUTTON_VALUE, at)
        problems += _at_most(element, "url", BlockElements.BUTTON_URL, at)
    if "placeholder" in element:
        placeholder = element["placeholder"]
        problems += _text(placeholder, BlockElements.PLACEHOLDER, f"{at}.placeholder", plain=True)
    if kind == "static_select":
        options = element.get("options")
        problems += _items(options, BlockElements.SELECT_OPTIONS, f"{at}.options")
        for number, option in enumerate(_list(options)):
            problems += _option(option, f"{at}.options[{number}]")
    if kind == "plain_text_input" and "max_length" in element:
        most = element["max_length"]
        if not isinstance(most, int) or not 1 <= most <= BlockElements.TEXT_INPUT_MAX_LENGTH:
            limit = BlockElements.TEXT_INPUT_MAX_LENGTH
            problems.append(f"{at}.max_length: between 1 and {limit}")
    if kind == "plain_text_input" and "min_length" in element:
        least = element["min_length"]
        if not isinstance(least, int) or not 0 <= least <= BlockElements.TEXT_INPUT_MIN_LENGTH:
            limit = BlockElements.TEXT_INPUT_MIN_LENGTH
            problems.append(f"{at}.min_length: between 0 and {limit}")
    return problems


def _option(option: Any, at: str) -> list[str]:
    if not isinstance(option, Mapping):
        return [f"{at}: must be an object"]
    problems = _text(option.get("text"), CompositionObjects.OPTION_TEXT, f"{at}.text")
    problems += _at_most(option, "value", CompositionObjects.OPTION_VALUE, at)
    if "description" in option:
        described = option["description"]
        problems += _text(described, CompositionObjects.OPTION_DESCRIPTION, f"{at}.description")
    return problems


def _text(obj: Any, limit: int, at: str, *, plain: bool = False) -> list[str]:
    kinds = {"plain_text"} if plain else {"plain_text", "mrkdwn"}
    if not isinstance(obj, Mapping) or obj.get("type") not in kinds:
        return [f"{at}: must be a {' or '.join(sorted(kinds))} text object"]
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return [f"{at}: must not be empty"]
    return [_too_long(at, text, limit)] if size(text) > limit else []


def _at_most(obj: Mapping[str, Any], key: str, limit: int, at: str) -> list[str]:
    value = obj.get(key)
    if value is None:
        return []
    return [_too_long(f"{at}.{key}", str(value), limit)] if size(str(value)) > limit else []


def _items(items: Any, most: int, at: str) -> list[str]:
    if not isinstance(items, list) or not 1 <= len(items) <= most:
        count = len(items) if isinstance(items, list) else 0
        return [f"{at}: {count} items; Slack takes 1 to {most}"]
    return []


def _list(items: Any) -> list[Any]:
    return items if isinstance(items, list) else []


def _too_long(at: str, text: str, limit: int) -> str:
    return f"{at}: {size(text):,} characters, over the {limit:,} Slack takes"


# --- fitting -----------------------------------------------------------------------------

# What a break must never fall inside: a link or mention (`<url|title>`, `<@U1>`), an
# escape (`&amp;`), a code span, and a bold or italic run (which is how names are shown).
_WHOLE = re.compile(r"<[^<>\n]*>|&(?:amp|lt|gt);|`[^`\n]*`|\*[^*\n<]+\*|_[^_\n<]+_")
# A space after one of these ends an item of a list ("ana, ben", "a · b"): the best break.
_LIST_ENDS = frozenset(",;·|")
ELLIPSIS = "…"


def split_mrkdwn(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit`, none empty, that read as the whole when shown one
    after another: broken at line breaks; a line too long for one piece at a space, after a
    list item where one ends late enough; a word too long for one piece where it must be.
    No break falls inside a link, a mention, an escape, a code span or a bold or italic
    run that fits in a piece. Nothing is dropped but the whitespace at a break."""
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for line in text.split("\n"):
        for part in _split_line(line, limit):
            cost = size(part) + (1 if current else 0)
            if current and used + cost > limit:
                pieces.append("\n".join(current))
                current, used = [], 0
                cost = size(part)
            current.append(part)
            used += cost
    if current:
        pieces.append("\n".join(current))
    return [piece.strip("\n") for piece in pieces if piece.strip()]


def shorten(text: str, limit: int) -> str:
    """`text` if it fits in `limit`; else as much as fits, ending at a space (or where it
    must, for one long word) and marked with "…". For text Slack gives no room to split."""
    if size(text) <= limit:
        return text
    room = _fitting(text, limit - size(ELLIPSIS))
    space = text.rfind(" ", 0, room + 1)
    cut = space if space > room // 2 else _safe_cut(text, room)
    return text[:cut].rstrip() + ELLIPSIS


def _split_line(line: str, limit: int) -> list[str]:
    parts = []
    rest = line
    while size(rest) > limit:
        cut, skip = _break_in(rest, limit)
        parts.append(rest[:cut].rstrip(" "))
        rest = rest[cut + skip :].lstrip(" ")
    parts.append(rest)
    return parts


def _break_in(line: str, limit: int) -> tuple[int, int]:
    """Where to break `line` (longer than `limit`): the index the first part ends at, and
    how many characters (a space) the break itself takes."""
    room = _fitting(line, limit)
    kept = _kept_whole(line, room, limit)
    spaces = [i for i in range(1, room + 1) if line[i] == " " and not kept[i]]
    after_items = [i for i in spaces if line[i - 1] in _LIST_ENDS]
    if after_items and after_items[-1] >= room // 2:
        return after_items[-1], 1
    if spaces:
        return spaces[-1], 1
    return _safe_cut(line, room, kept), 0


def _safe_cut(text: str, room: int, kept: bytearray | None = None) -> int:
    """The last index up to `room` where a word too long for any piece may be cut: not
    inside something kept whole, nor before a combining mark or a joiner."""
    inside = kept if kept is not None else _kept_whole(text, room, room)
    for cut in range(room, 0, -1):
        if not inside[cut] and not _clings(text[cut]):
            return cut
    return max(room, 1)


def _kept_whole(text: str, room: int, limit: int) -> bytearray:
    """For each index up to `room`, 1 if a break there would fall inside something kept
    whole (one that fits in `limit`; a longer one cannot be kept whole anywhere)."""
    inside = bytearray(room + 1)
    for match in _WHOLE.finditer(text, 0, room + 1 + limit):
        start, end = match.span()
        if start >= room:
            break
        if size(match.group()) <= limit:
            inside[start + 1 : min(end, room + 1)] = b"\x01" * (min(end, room + 1) - start - 1)
    return inside


def _clings(char: str) -> bool:
    """Whether `char` belongs to the character before it (an accent, a joiner, a variation
    selector, an emoji modifier)."""
    return (
        unicodedata.combining(char) > 0
        or char in "\u200d\ufe0e\ufe0f"
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def _fitting(text: str, limit: int) -> int:
    """How many characters from the start of `text` fit in `limit`."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)
