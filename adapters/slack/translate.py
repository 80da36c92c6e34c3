"""Pure translation between Slack payloads and the core's types, and Replies as Block Kit.
No I/O here: everything is a function of its arguments, unit-tested on recorded payloads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.markup import Style, plain_text, render
from bot.messages import Actor, Button, ButtonStyle, Place, Platform, ProgressBar, Reply
from bot.seals import SealFor

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
BAR_WIDTH = 10

Block = dict[str, Any]


def escape(text: str) -> str:
    """Text Slack shows as it is: no link, mention or channel ping can form in it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(title: str, url: str) -> str:
    safe_url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{safe_url}|{escape(title)}>"


MRKDWN = Style(text=escape, code=lambda text: f"`{escape(text)}`", link=_link, bold="*", italic="_")


def mrkdwn(text: str) -> str:
    """Our reply markup as Slack mrkdwn: **bold** -> *bold*, [t](u) -> <u|t>. Members' text
    is escaped, so it never becomes a link or a mention."""
    return render(text, MRKDWN)


def plain(text: str) -> str:
    """The words of our markup, for Slack's plain_text objects (which it never parses)."""
    return plain_text(text)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_line(bar: ProgressBar) -> str:
    filled = round(BAR_WIDTH * bar.done / bar.total) if bar.total else 0
    return f"`{'█' * filled}{'░' * (BAR_WIDTH - filled)}` {bar.label} · {bar.done}/{bar.total}"


PLACE_MARK = "#"  # values of buttons sent by DM carry the group's sealed place after it


def button_element(button: Button, seal: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "action_id": button.action_id,
        "text": {"type": "plain_text", "text": _clip(button.label, 75), "emoji": True},
        "value": button.action_id + (f"{PLACE_MARK}{seal}" if seal else ""),
    }
    if button.style is ButtonStyle.PRIMARY:
        element["style"] = "primary"
    elif button.style is ButtonStyle.DANGER:
        element["style"] = "danger"
    return element


def blocks(reply: Reply, seal_for: SealFor | None = None) -> list[Block]:
    """A Reply as Block Kit: a header, the body, fields, progress bars and buttons.
    Buttons sent by DM carry their group's place, sealed for the member and that
    button's action by `seal_for`."""
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
        elements = [
            button_element(b, seal_for(b.action_id) if seal_for else None)
            for b in reply.buttons[:25]
        ]
        out.append({"type": "actions", "elements": elements})
    return out


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, SECTION_LIMIT)}}


def fallback_text(reply: Reply) -> str:
    """The notification text Slack shows where blocks cannot be. Slack reads it as
    mrkdwn, so it is escaped like every other text."""
    return escape(_clip(plain(reply.title or reply.body or "Cohort"), 300))


def message(reply: Reply, seal_for: SealFor | None = None) -> dict[str, Any]:
    return {"text": fallback_text(reply), "blocks": blocks(reply, seal_for)}


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


def home_view(reply: Reply) -> dict[str, Any]:
    return {"type": "home", "blocks": blocks(reply)}
