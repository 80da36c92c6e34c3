"""Pure translation between Slack payloads and the core's types, and Replies as Block Kit.
No I/O here: everything is a function of its arguments, unit-tested on recorded payloads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.messages import Actor, Button, ButtonStyle, Place, Platform, ProgressBar, Reply

LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
HEADER_LIMIT = 150
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
BAR_WIDTH = 10

Block = dict[str, Any]


def mrkdwn(text: str) -> str:
    """Our reply markup as Slack mrkdwn: **bold** -> *bold*, [t](u) -> <u|t>."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", escaped)
    return BOLD.sub(r"*\1*", escaped)


def plain(text: str) -> str:
    return BOLD.sub(r"\1", LINK.sub(r"\1", text))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_line(bar: ProgressBar) -> str:
    filled = round(BAR_WIDTH * bar.done / bar.total) if bar.total else 0
    return f"`{'█' * filled}{'░' * (BAR_WIDTH - filled)}` {bar.label} · {bar.done}/{bar.total}"


def button_element(button: Button) -> Block:
    element: Block = {
        "type": "button",
        "action_id": button.action_id,
        "text": {"type": "plain_text", "text": _clip(button.label, 75), "emoji": True},
        "value": button.action_id,
    }
    if button.style is ButtonStyle.PRIMARY:
        element["style"] = "primary"
    elif button.style is ButtonStyle.DANGER:
        element["style"] = "danger"
    return element


def blocks(reply: Reply) -> list[Block]:
    """A Reply as Block Kit: a header, the body, fields, progress bars and buttons."""
    out: list[Block] = []
    if reply.title:
        out.append(
            {
                "type": "header",
                "text": {
                    "type": "plain_text",
                    "text": _clip(plain(reply.title), HEADER_LIMIT),
                    "emoji": True,
                },
            }
        )
    if reply.body:
        text = f"⚠️ {reply.body}" if reply.is_error else reply.body
        out.append(_section(mrkdwn(text)))
    if reply.progress:
        out.append(_section("\n".join(bar_line(b) for b in reply.progress)))
    inline = [f for f in reply.fields if f.inline]
    for start in range(0, len(inline), 10):
        out.append(
            {
                "type": "section",
                "fields": [
                    {
                        "type": "mrkdwn",
                        "text": _clip(f"*{mrkdwn(f.name)}*\n{mrkdwn(f.value)}", FIELD_LIMIT),
                    }
                    for f in inline[start : start + 10]
                ],
            }
        )
    for field in reply.fields:
        if not field.inline:
            out.append(_section(f"*{mrkdwn(field.name)}*\n{mrkdwn(field.value)}"))
    if reply.image is not None:
        out.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": mrkdwn(reply.image.alt_text)}],
            }
        )
    if reply.buttons:
        out.append({"type": "actions", "elements": [button_element(b) for b in reply.buttons[:25]]})
    return out


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, SECTION_LIMIT)}}


def fallback_text(reply: Reply) -> str:
    """The notification text Slack shows where blocks cannot be."""
    return _clip(plain(reply.title or reply.body or "Cohort"), 300)


def message(reply: Reply) -> dict[str, Any]:
    return {"text": fallback_text(reply), "blocks": blocks(reply)}


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


def checkin_modal(channel_id: str) -> dict[str, Any]:
    """The check-in form. The channel rides along so the answer reaches the right group."""
    return {
        "type": "modal",
        "callback_id": CHECKIN_VIEW,
        "private_metadata": channel_id,
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


def home_view(reply: Reply) -> dict[str, Any]:
    return {"type": "home", "blocks": blocks(reply)}
