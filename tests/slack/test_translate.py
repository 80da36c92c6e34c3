"""Replies as Block Kit, and Slack payloads as the core's types."""

from __future__ import annotations

import re

import pytest

from adapters.slack import limits, translate
from bot.messages import Button, ButtonStyle, Field, Platform, ProgressBar, Reply


def test_markup_becomes_slack_mrkdwn() -> None:
    text = "**Done** [Pro Git](https://git-scm.com/book) & <b>"
    assert translate.mrkdwn(text) == "*Done* <https://git-scm.com/book|Pro Git> &amp; &lt;b&gt;"


def test_a_reply_as_blocks() -> None:
    reply = Reply(
        title="📈 **Your** progress",
        body="**2 of 37** steps",
        fields=(Field("Phase", "Foundations", inline=True), Field("Next", "`dev-tools`")),
        progress=(ProgressBar("Foundations", 2, 7),),
        buttons=(
            Button("Start", "start", {"step": "dev-tools"}, ButtonStyle.PRIMARY),
            Button("Delete", "me forget", {"confirm": "yes"}, ButtonStyle.DANGER),
        ),
    )
    out = translate.blocks(reply)
    assert [b["type"] for b in out] == [
        "header",
        "section",
        "section",
        "section",
        "section",
        "actions",
    ]
    assert out[0]["text"]["text"] == "📈 Your progress"
    assert out[1]["text"]["text"] == "*2 of 37* steps"
    assert out[2]["text"]["text"] == "`███░░░░░░░` Foundations · 2/7"
    assert out[3]["fields"] == [{"type": "mrkdwn", "text": "*Phase*\nFoundations"}]
    assert out[4]["text"]["text"] == "*Next*\n`dev-tools`"
    start, delete = out[5]["elements"]
    assert start["action_id"] == "cohort:start?step=dev-tools"
    assert start["style"] == "primary"
    assert delete["style"] == "danger"


def test_errors_are_marked_and_long_text_is_split_not_clipped() -> None:
    text = " ".join(f"word{n}" for n in range(1000))  # about 7,900 characters
    out = translate.blocks(Reply.error(text))
    assert len(out) == 3
    assert out[0]["text"]["text"].startswith("⚠️ word0 word1")
    assert all(len(b["text"]["text"]) <= limits.Blocks.SECTION_TEXT for b in out)
    shown = " ".join(b["text"]["text"] for b in out)
    assert shown.split() == ["⚠️", *text.split()], "every word, whole and in order"


SLACK_LINK = re.compile(r"<([^|>]*)\|([^>]*)>")


def slack_read(text: str) -> str:
    """What Slack shows for mrkdwn: each link as its title, its three escapes undone."""
    shown = SLACK_LINK.sub(lambda found: found.group(2), text)
    return translate.unescape(shown)


def slack_links(text: str) -> list[tuple[str, str]]:
    """(address, title) of each link in mrkdwn, as Slack reads them."""
    return [(translate.unescape(u), translate.unescape(t)) for u, t in SLACK_LINK.findall(text)]


@pytest.mark.parametrize(
    "url",
    [
        "https://en.wikipedia.org/wiki/Transformer_(deep_learning_architecture)",
        "https://example.org/docs/_private_/page_name_",
        "https://www.youtube.com/watch?v=aircAruvnKk&list=PLZHQ&index=2",
        "https://example.org/search?q=fish&amp;chips",
    ],
)
def test_a_link_reaches_its_whole_address(url: str) -> None:
    text = translate.mrkdwn(f"Read [the page]({url}) first.")
    assert slack_links(text) == [(url, "the page")]
    assert slack_read(text) == "Read the page first."


def test_a_link_title_is_escaped_and_the_address_never_ends_early() -> None:
    written = translate.MRKDWN.link("Q&A <live> | a > b", "https://example.org/a|b>c<d?x=1&y=2")
    assert written == (
        "<https://example.org/a%7Cb%3Ec%3Cd?x=1&amp;y=2|Q&amp;A &lt;live&gt; | a &gt; b>"
    )
    assert slack_links(written) == [
        ("https://example.org/a%7Cb%3Ec%3Cd?x=1&y=2", "Q&A <live> | a > b")
    ]


def test_slash_command_text_is_unescaped_once() -> None:
    sent = {"text": "  log 30m Q&amp;A &lt;notes&gt; a &gt; b &amp;amp; &quot;x&quot;  "}
    assert translate.command_text(sent) == "log 30m Q&A <notes> a > b &amp; &quot;x&quot;"
    assert translate.command_text({"text": "   "}) == "help"


def test_a_title_too_long_for_a_header_is_a_bold_section() -> None:
    title = "A very long title " * 10  # 180 characters
    first = translate.blocks(Reply(title=title, body="body"))[0]
    assert first["type"] == "section"
    assert first["text"]["text"] == f"*{title}*"


def test_fields_come_ten_to_a_section_and_a_long_one_on_its_own() -> None:
    fields = [Field(f"F{n}", "v", inline=True) for n in range(12)]
    fields.insert(5, Field("Long", "w " * 1500, inline=True))
    out = translate.blocks(Reply(fields=tuple(fields)))
    assert [len(b.get("fields", [])) for b in out] == [5, 0, 0, 7]
    assert out[1]["text"]["text"] == "*Long*"  # its value is a line too long to join it
    assert out[2]["text"]["text"].split() == ["w"] * 1500
    assert out[3]["fields"][0]["text"] == "*F5*\nv"


def test_a_long_button_label_is_shortened_at_a_word() -> None:
    label = "Start " + "supercalifragilistic " * 5
    [element] = translate.blocks(Reply(buttons=(Button(label, "next"),)))[0]["elements"]
    text = element["text"]["text"]
    assert len(text) <= limits.BlockElements.BUTTON_TEXT
    assert text.endswith("supercalifragilistic…")


def test_where_and_who_a_slash_command_comes_from() -> None:
    payload = {"team_id": "T1", "channel_id": "C9", "user_id": "U5", "user_name": "ana"}
    place = translate.place_of(payload)
    actor = translate.actor_of(payload, is_admin=True)
    assert (place.platform, place.workspace_id, place.channel_id) == (Platform.SLACK, "T1", "C9")
    assert (actor.user_id, actor.display_name, actor.is_admin) == ("U5", "ana", True)


def test_where_and_who_an_interaction_comes_from() -> None:
    payload = {
        "team": {"id": "T1"},
        "channel": {"id": "C9"},
        "user": {"id": "U5", "username": "ana"},
    }
    assert translate.place_of(payload).channel_id == "C9"
    assert translate.actor_of(payload, is_admin=False).display_name == "ana"


def test_the_checkin_form_and_its_answers() -> None:
    view = translate.checkin_modal("T1/C9.0123456789ab")
    assert view["private_metadata"] == "T1/C9.0123456789ab"
    assert [b["block_id"] for b in view["blocks"]] == ["finished", "next", "blockers", "hours"]
    submitted = {
        "state": {
            "values": {
                "finished": {"finished": {"value": "python-basics"}},
                "next": {"next": {"value": "  "}},
                "hours": {"hours": {"value": "6"}},
            }
        }
    }
    assert translate.checkin_answers(submitted) == {"finished": "python-basics", "hours": "6"}
