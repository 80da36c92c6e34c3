"""Pure translation between Slack payloads and the core's types, and Replies as Block Kit.
No I/O here: everything is a function of its arguments, unit-tested on recorded payloads.

A Reply always fits Slack's limits (`adapters.slack.limits`): long text becomes several
sections, broken at line breaks (then between words); inline fields come ten to a section;
a title too long for a header becomes a bold section; and a reply with more than a message
holds becomes several messages in a row, its buttons with the last. Nothing is cut but a
button's label and a form's title and label, which Slack gives no room to split.

`Reply.thread` needs nothing here: on Slack every message can already start a thread."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from adapters.slack.limits import (
    BlockElements,
    Blocks,
    ChatPostMessage,
    CompositionObjects,
    Views,
    blocks_text_size,
    shorten,
    size,
    split_mrkdwn,
    violations,
)
from bot.markup import Style, plain_text, render
from bot.messages import Actor, Button, ButtonStyle, Field, Place, Platform, ProgressBar, Reply
from bot.seals import SealFor

if TYPE_CHECKING:
    from bot.commands.dispatch import FormSpec

log = logging.getLogger(__name__)

BAR_WIDTH = 10
FALLBACK_LIMIT = 300  # the notification text: a line, not the message
HOME_COMMAND = "progress"  # what the App Home shows, and the command that shows all of it

Block = dict[str, Any]


def escape(text: str) -> str:
    """Text Slack shows as it is: no link, mention or channel ping can form in it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SLACK_ESCAPES = re.compile(r"&(amp|lt|gt);")
_UNESCAPED = {"amp": "&", "lt": "<", "gt": ">"}


def unescape(text: str) -> str:
    """Text as the member typed it, from text Slack escaped before sending it to us: Slack's
    three escapes (`&amp;`, `&lt;`, `&gt;`) undone once, and nothing else touched."""
    return _SLACK_ESCAPES.sub(lambda found: _UNESCAPED[found.group(1)], text)


def command_text(command: Mapping[str, Any]) -> str:
    """What the member typed after `/cohort` (`help` when nothing)."""
    return unescape(str(command.get("text") or "")).strip() or "help"


def _link(title: str, url: str) -> str:
    """`<url|title>`: the title escaped like any text; the URL whole, with what would end
    it early (`|`, `>`) or start something else (`<`) percent-encoded and `&` escaped."""
    safe_url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C").replace("&", "&amp;")
    return f"<{safe_url}|{escape(title)}>"


MRKDWN = Style(text=escape, code=lambda text: f"`{escape(text)}`", link=_link, bold="*", italic="_")


def mrkdwn(text: str) -> str:
    """Our reply markup as Slack mrkdwn: **bold** -> *bold*, [t](u) -> <u|t>. Members' text
    is escaped, so it never becomes a link or a mention."""
    return render(text, MRKDWN)


def plain(text: str) -> str:
    """The words of our markup, for Slack's plain_text objects (which it never parses)."""
    return plain_text(text)


def bar_line(bar: ProgressBar) -> str:
    filled = round(BAR_WIDTH * bar.done / bar.total) if bar.total else 0
    label = mrkdwn(bar.label)
    return f"`{'█' * filled}{'░' * (BAR_WIDTH - filled)}` {label} · {bar.done}/{bar.total}"


PLACE_MARK = "#"  # values of buttons sent by DM carry the group's sealed place after it


def button_element(button: Button, seal: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "action_id": button.action_id,
        "text": {
            "type": "plain_text",
            "text": shorten(plain(button.label), BlockElements.BUTTON_TEXT),
            "emoji": True,
        },
        "value": button.action_id + (f"{PLACE_MARK}{seal}" if seal else ""),
    }
    if button.style is ButtonStyle.PRIMARY:
        element["style"] = "primary"
    elif button.style is ButtonStyle.DANGER:
        element["style"] = "danger"
    return element


def blocks(reply: Reply, seal_for: SealFor | None = None) -> list[Block]:
    """A Reply as Block Kit: a header, the body, progress bars, fields, the image's text and
    buttons, every block within its own limits (`messages` packs them into messages).
    Buttons sent by DM carry their group's place, sealed for the member and that button's
    action by `seal_for`."""
    out: list[Block] = []
    if reply.title:
        title = plain(reply.title)
        if size(title) <= Blocks.HEADER_TEXT:
            header = {"type": "plain_text", "text": title, "emoji": True}
            out.append({"type": "header", "text": header})
        else:
            out += _sections(f"*{mrkdwn(reply.title)}*")
    if reply.body:
        out += _sections(mrkdwn(f"⚠️ {reply.body}" if reply.is_error else reply.body))
    if reply.progress:
        out += _sections("\n".join(bar_line(bar) for bar in reply.progress))
    out += _inline_fields([f for f in reply.fields if f.inline])
    for field in reply.fields:
        if not field.inline:
            out += _sections(_field_text(field))
    if reply.image is not None:
        out += _context(mrkdwn(reply.image.alt_text))
    out += _actions(reply.buttons, seal_for)
    return out


def _sections(text: str) -> list[Block]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in split_mrkdwn(text, Blocks.SECTION_TEXT)
    ]


def _field_text(field: Field) -> str:
    return f"*{mrkdwn(field.name)}*\n{mrkdwn(field.value)}"


def _inline_fields(fields: list[Field]) -> list[Block]:
    """Side-by-side fields, ten to a section; one too long to be a field is a section of
    its own, in its place."""
    out: list[Block] = []
    row: list[Block] = []
    for field in fields:
        text = _field_text(field)
        if size(text) <= Blocks.SECTION_FIELD_TEXT and text.strip():
            row.append({"type": "mrkdwn", "text": text})
            if len(row) == Blocks.SECTION_FIELDS:
                out.append({"type": "section", "fields": row})
                row = []
            continue
        if row:
            out.append({"type": "section", "fields": row})
            row = []
        out += _sections(text)
    if row:
        out.append({"type": "section", "fields": row})
    return out


def _context(text: str) -> list[Block]:
    elements = [
        {"type": "mrkdwn", "text": piece} for piece in split_mrkdwn(text, CompositionObjects.TEXT)
    ]
    most = Blocks.CONTEXT_ELEMENTS
    return [
        {"type": "context", "elements": elements[start : start + most]}
        for start in range(0, len(elements), most)
    ]


def _actions(buttons: tuple[Button, ...], seal_for: SealFor | None) -> list[Block]:
    elements = []
    for button in buttons:
        if size(button.action_id) > BlockElements.ACTION_ID:
            log.error(
                "a button's action id is too long for Slack, so it is left out: %.80s…",
                button.action_id,
            )
            continue
        elements.append(button_element(button, seal_for(button.action_id) if seal_for else None))
    most = Blocks.ACTIONS_ELEMENTS
    return [
        {"type": "actions", "elements": elements[start : start + most]}
        for start in range(0, len(elements), most)
    ]


def fallback_text(reply: Reply) -> str:
    """The notification text Slack shows where blocks cannot be. Slack reads it as
    mrkdwn, so it is escaped like every other text."""
    return escape(shorten(plain(reply.title or reply.body or "Cohort"), FALLBACK_LIMIT))


def messages(reply: Reply, seal_for: SealFor | None = None) -> list[dict[str, Any]]:
    """The Slack messages that show `reply`, in order: one when it fits, else as many as it
    takes, each within a message's blocks and its text budget, the buttons with the last.
    Each has its own notification text ("… (2/3)")."""
    packed = _packed(blocks(reply, seal_for))
    text = fallback_text(reply)
    if len(packed) == 1:
        return [{"text": text, "blocks": packed[0]}]
    count = len(packed)
    return [
        {"text": f"{text} ({number}/{count})", "blocks": part}
        for number, part in enumerate(packed, 1)
    ]


def message(reply: Reply, seal_for: SealFor | None = None) -> dict[str, Any]:
    """`reply` as one message, for a reply known to fit in one; a longer one raises rather
    than lose anything (send `messages(reply)`)."""
    parts = messages(reply, seal_for)
    if len(parts) > 1:
        msg = f"this reply takes {len(parts)} Slack messages; send messages(reply)"
        raise ValueError(msg)
    return parts[0]


def _packed(all_blocks: list[Block]) -> list[list[Block]]:
    """`all_blocks` in runs that each fit one message; the trailing buttons stay with the
    last of the rest, so they never arrive alone or ahead of what they act on."""
    cut = len(all_blocks)
    while cut and all_blocks[cut - 1]["type"] == "actions":
        cut -= 1
    content, buttons = all_blocks[:cut], all_blocks[cut:]
    runs: list[list[Block]] = []
    for block in content:
        if not runs or not _fits(runs[-1] + [block]):
            runs.append([])
        runs[-1].append(block)
    if not buttons:
        return runs or [[]]
    if runs and _fits(runs[-1] + buttons):
        runs[-1] += buttons
    elif runs and len(runs[-1]) > 1 and _fits([runs[-1][-1], *buttons]):
        last = runs[-1].pop()
        runs.append([last, *buttons])
    else:
        for start in range(0, len(buttons), Blocks.PER_MESSAGE):
            runs.append(buttons[start : start + Blocks.PER_MESSAGE])
    return runs


def _fits(run: list[Block]) -> bool:
    return (
        len(run) <= Blocks.PER_MESSAGE
        and blocks_text_size(run) <= ChatPostMessage.BLOCKS_TEXT_BUDGET
    )


def carried_seal(action: Mapping[str, Any]) -> str | None:
    """The sealed place a pressed button's value carries, if any."""
    _, mark, seal = str(action.get("value") or "").partition(PLACE_MARK)
    return seal if mark else None


def is_direct_message(payload: Mapping[str, Any]) -> bool:
    """Whether an action was pressed in a DM with the bot (Slack DM ids start with D)."""
    channel = payload.get("channel") or {}
    return isinstance(channel, Mapping) and str(channel.get("id", "")).startswith("D")


def place_of(payload: Mapping[str, Any]) -> Place:
    """Where a slash command, action or view came from."""
    team = payload.get("team_id") or (payload.get("team") or {}).get("id") or ""
    channel = payload.get("channel_id") or (payload.get("channel") or {}).get("id") or ""
    return Place(Platform.SLACK, str(team), str(channel))


def actor_of(payload: Mapping[str, Any], *, is_admin: bool) -> Actor:
    user = payload.get("user")
    if isinstance(user, Mapping):
        user_id = str(user.get("id", ""))
        name = str(user.get("name") or user.get("username") or user_id)
    else:
        user_id = str(payload.get("user_id", ""))
        name = str(payload.get("user_name") or user_id)
    return Actor(user_id=user_id, display_name=name, is_admin=is_admin)


CHECKIN_VIEW = "cohort:checkin-modal"
CHECKIN_FIELDS = (
    ("finished", "What did you finish?", "Step ids like python-basics are marked done"),
    ("next", "What's next?", ""),
    ("blockers", "Anything in your way?", ""),
    ("hours", "Hours studied this week", "A number, like 6 or 2.5"),
)


def checkin_modal(seal: str) -> dict[str, Any]:
    """The check-in form. The group's place rides along, sealed for the member, so the
    answer reaches the right group and nobody else's."""
    return {
        "type": "modal",
        "callback_id": CHECKIN_VIEW,
        "private_metadata": seal,
        "title": {"type": "plain_text", "text": "Weekly check-in"},
        "submit": {"type": "plain_text", "text": "Check in"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": name,
                "optional": True,
                "label": {"type": "plain_text", "text": label},
                **({"hint": {"type": "plain_text", "text": hint}} if hint else {}),
                "element": {
                    "type": "plain_text_input",
                    "action_id": name,
                    "multiline": name != "hours",
                },
            }
            for name, label, hint in CHECKIN_FIELDS
        ],
    }


def checkin_answers(view: Mapping[str, Any]) -> dict[str, str]:
    """The filled-in fields of a submitted check-in form."""
    values = (view.get("state") or {}).get("values") or {}
    answers = {}
    for name, _, _ in CHECKIN_FIELDS:
        value = ((values.get(name) or {}).get(name) or {}).get("value")
        if value and str(value).strip():
            answers[name] = str(value).strip()
    return answers


FORM_VIEW = "cohort:form-modal"  # a button's one-field form (`Button.form`)
FORM_FIELD = "typed"  # its input's block and action id
FORM_MULTILINE_OVER = 200  # an answer allowed to be longer gets a text area, not one line
FORM_FALLBACK_TITLE = "Cohort"


def form_metadata(action_id: str, seal: str) -> str:
    """What a one-field form carries back: the pressed button's action and the place it
    was pressed for, sealed for the member and that action."""
    return json.dumps({"action": action_id, "place": seal}, separators=(",", ":"))


def form_metadata_of(view: Mapping[str, Any]) -> tuple[str, str] | None:
    """The action and sealed place a submitted form says it carries; None when it says
    nothing readable. (Neither counts before the seal is checked.)"""
    try:
        carried = json.loads(str(view.get("private_metadata") or ""))
    except ValueError:
        return None
    if not isinstance(carried, dict):
        return None
    action, seal = carried.get("action"), carried.get("place")
    if not isinstance(action, str) or not isinstance(seal, str):
        return None
    return action, seal


def button_label(action: Mapping[str, Any]) -> str:
    """The label of a pressed button, as Slack sends it back with the press."""
    text = action.get("text")
    label = text.get("text") if isinstance(text, Mapping) else None
    return str(label) if label else ""


def form_modal(title: str, spec: FormSpec, metadata: str) -> dict[str, Any]:
    """A button's one-field form: titled with the button's label and labelled with the
    option's description, each fitted to Slack's room, taking as much text as the command
    does (or as much as Slack allows, if less)."""
    longest = max(1, min(spec.max_length, BlockElements.TEXT_INPUT_MAX_LENGTH))
    shown_title = plain(title).strip() or FORM_FALLBACK_TITLE
    label = plain(spec.label).strip() or spec.option
    return {
        "type": "modal",
        "callback_id": FORM_VIEW,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": shorten(shown_title, Views.MODAL_TITLE)},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": FORM_FIELD,
                "label": {"type": "plain_text", "text": shorten(label, Blocks.INPUT_LABEL)},
                "element": {
                    "type": "plain_text_input",
                    "action_id": FORM_FIELD,
                    "max_length": longest,
                    "multiline": longest > FORM_MULTILINE_OVER,
                    "focus_on_load": True,
                },
            }
        ],
    }


def form_answer(view: Mapping[str, Any]) -> str:
    """What was typed in a submitted one-field form, trimmed ("" when nothing)."""
    values = (view.get("state") or {}).get("values") or {}
    value = ((values.get(FORM_FIELD) or {}).get(FORM_FIELD) or {}).get("value")
    return str(value).strip() if value else ""


def picture_block(file_id: str, alt_text: str) -> Block:
    """An image block showing a picture already uploaded to Slack (`slack_file`)."""
    alt = shorten(plain(alt_text), Blocks.IMAGE_ALT_TEXT)
    return {"type": "image", "slack_file": {"id": file_id}, "alt_text": alt}


def home_view(
    reply: Reply, command: str = HOME_COMMAND, picture: str | None = None
) -> dict[str, Any]:
    """The member's App Home, with the picture Slack holds as file `picture` (the reply's
    card) below its header. A Home tab holds 100 blocks and 250 kB: what does not fit
    makes way for a closing line, "…and N more lines", naming the command that shows them
    all (its buttons stay)."""
    all_blocks = blocks(replace(reply, image=None))  # the text says what the card shows
    if picture is not None and reply.image is not None:
        at = 1 if all_blocks and all_blocks[0]["type"] == "header" else 0
        all_blocks.insert(at, picture_block(picture, reply.image.alt_text))
    view = {"type": "home", "blocks": all_blocks}
    if _view_fits(view):
        return view
    cut = len(all_blocks)
    while cut and all_blocks[cut - 1]["type"] == "actions":
        cut -= 1
    content, buttons = all_blocks[:cut], all_blocks[cut:]
    kept = len(content)
    while kept:
        kept -= 1
        more = _more_line(content[kept:], command)
        view = {"type": "home", "blocks": [*content[:kept], more, *buttons]}
        if _view_fits(view):
            break
    return view


def _view_fits(view: dict[str, Any]) -> bool:
    return not violations(view)


def _more_line(left_out: list[Block], command: str) -> Block:
    lines = sum(len(text.split("\n")) for block in left_out for text in _shown_texts(block))
    noun = "line" if lines == 1 else "lines"
    text = f"…and {lines} more {noun}. `/cohort {command}` shows everything."
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _shown_texts(block: Block) -> list[str]:
    if block["type"] == "section":
        texts = [block["text"]["text"]] if "text" in block else []
        return texts + [field["text"] for field in block.get("fields", [])]
    if block["type"] in {"header"}:
        return [block["text"]["text"]]
    return [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
