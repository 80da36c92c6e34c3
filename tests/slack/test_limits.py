"""Every reply fits what Slack takes: text split where a reader expects a break (never
inside a word, a name, a link or an escape), fields ten to a section, more than a message
holds as several messages with the buttons on the last, the App Home within 100 blocks;
and `violations` finds what Slack would refuse. End to end through the fake Slack, a huge
slash-command answer and a huge scheduled post arrive whole: nothing refused, nothing lost."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.slack import limits, translate
from adapters.slack.app import SlackPoster
from adapters.slack.limits import Blocks, split_mrkdwn, violations
from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock
from bot.messages import Actor, Button, Field, Place, Platform, ProgressBar, Reply
from bot.ports import Sending
from tests.slack.conftest import SlackRig
from tests.slack.fake_slack import FakeSlack, interactive_body, slash_body

SECTION = Blocks.SECTION_TEXT
STUDY = Place(Platform.SLACK, "T1", "C-study")
ANA = Actor("U-ana", "ana")
NAMES = [
    "Zbigniew Żółć-Brzęczyszczykiewicz",
    "Ｚｏë Łukasiewicz-Ángström",
    "Nguyễn Thị Minh Khai 🧑🏽‍💻",
    "Ἀθηνᾶ Παλλάς-Ωμέγα",
]
SLACK_LINK = re.compile(r"<([^|>]*)\|([^>]*)>")


def slack_read(text: str) -> str:
    """What Slack shows for mrkdwn: each link as its title, its three escapes undone."""
    return translate.unescape(SLACK_LINK.sub(lambda found: found.group(2), text))


def texts(message: dict[str, Any]) -> Iterator[str]:
    for block in message.get("blocks", []):
        if isinstance(block.get("text"), dict):
            yield block["text"]["text"]
        yield from (field["text"] for field in block.get("fields", []))
        yield from (e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str))


def shown(messages: list[dict[str, Any]]) -> str:
    """Everything the messages show, in order, as one text."""
    return "\n".join(slack_read(text) for message in messages for text in texts(message))


def action_ids(messages: list[dict[str, Any]]) -> list[str]:
    return [
        element["action_id"]
        for message in messages
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def long_body(characters: int) -> str:
    """Lines of bold unicode names, links with query strings and text that needs escaping."""
    lines: list[str] = []
    number = 0
    while sum(len(line) + 1 for line in lines) < characters:
        name = NAMES[number % len(NAMES)]
        url = f"https://en.wikipedia.org/wiki/Transformer_(deep_learning)?n={number}&x=_y_"
        lines.append(f"**{name} {number}** finished [the paper]({url}) & Q&A <{number}> a > b")
        number += 1
    return "\n".join(lines)


def body_as_shown(body: str) -> list[str]:
    """The words of `long_body` as Slack shows them."""
    return slack_read(translate.mrkdwn(body)).split()


def huge_reply(*, ephemeral: bool = True, characters: int = 20_000) -> Reply:
    return Reply(
        title="Weekly summary",
        body=long_body(characters),
        fields=tuple(Field(f"{NAMES[n % 4]} {n}", f"{n} steps", inline=True) for n in range(60)),
        buttons=tuple(Button(f"Step {n}", "step", {"step": f"s-{n}"}) for n in range(40)),
        ephemeral=ephemeral,
    )


# --- splitting text -------------------------------------------------------------------


def test_a_20000_character_body_becomes_sections_split_at_line_breaks() -> None:
    body = long_body(20_000)
    pieces = split_mrkdwn(translate.mrkdwn(body), SECTION)
    assert len(pieces) >= 8
    assert all(0 < limits.size(piece) <= SECTION for piece in pieces)
    lines = translate.mrkdwn(body).split("\n")
    assert [line for piece in pieces for line in piece.split("\n")] == lines, "whole lines"


def test_one_long_line_is_split_between_words_never_inside_a_name_or_link() -> None:
    items = [
        f"*{NAMES[n % 4]} {n}* <https://example.org/a_(b)?n={n}&amp;m=1|x y>" for n in range(300)
    ]
    line = ", ".join(items)
    pieces = split_mrkdwn(line, SECTION)
    assert len(pieces) > 1
    assert all(limits.size(piece) <= SECTION for piece in pieces)
    assert " ".join(pieces) == line
    for piece in pieces:
        assert piece.count("*") % 2 == 0, "a bold name is never split"
        assert piece.count("<") == piece.count(">"), "a link is never split"
        assert piece.endswith(">,") or piece == pieces[-1], "breaks fall after a list item"


def test_a_link_near_the_split_point_moves_whole_to_the_next_piece() -> None:
    link = "<https://en.wikipedia.org/wiki/Transformer_(deep_learning)?a=1&amp;b=2|the page>"
    for before in range(2960, 3001, 7):
        line = "x" * before + " " + link + " tail"
        first, second = split_mrkdwn(line, SECTION)
        assert first == "x" * before
        assert second == f"{link} tail"


def test_an_escape_is_never_cut() -> None:
    text = "&amp;" * 1000  # one 5,000-character word of escapes
    pieces = split_mrkdwn(text, SECTION)
    assert "".join(pieces) == text
    assert all(re.fullmatch(r"(&amp;)+", piece) for piece in pieces)


def test_a_5000_character_word_is_cut_only_because_it_must_be() -> None:
    word = "".join(chr(0x61 + n % 26) for n in range(5000))
    pieces = split_mrkdwn(f"before {word} after", SECTION)
    assert pieces[0] == "before"
    assert "".join(pieces[1:-1]) + pieces[-1].removesuffix(" after") == word
    assert all(limits.size(piece) <= SECTION for piece in pieces)


def test_long_unicode_words_are_cut_between_characters_as_slack_counts_them() -> None:
    emoji = "🧑🏽‍💻" * 700  # astral characters count twice; modifiers and joiners cling
    accents = "e\u0301" * 2000
    for word in (emoji, accents):
        pieces = split_mrkdwn(word, SECTION)
        assert "".join(pieces) == word
        assert all(limits.size(piece) <= SECTION for piece in pieces)
        assert all(not clings(piece[0]) for piece in pieces)


def clings(char: str) -> bool:
    """An accent, a joiner or an emoji modifier: part of the character before it."""
    return unicodedata.combining(char) > 0 or char in "\u200d\ufe0f" or "🏻" <= char <= "🏿"


def test_shorten_ends_at_a_word_with_an_ellipsis() -> None:
    assert limits.shorten("short", 75) == "short"
    text = "Start " + "Łukasiewicz " * 10
    shortened = limits.shorten(text, 75)
    assert len(shortened) <= 75
    assert shortened.endswith("Łukasiewicz…")


# --- replies as messages ----------------------------------------------------------------


def test_60_fields_come_ten_to_a_section_in_order() -> None:
    reply = Reply(fields=tuple(Field(f"F{n}", f"v{n}", inline=True) for n in range(60)))
    [message] = translate.messages(reply)
    sections = message["blocks"]
    assert [len(b["fields"]) for b in sections] == [10] * 6
    names = [f["text"].split("\n")[0] for b in sections for f in b["fields"]]
    assert names == [f"*F{n}*" for n in range(60)]


def test_40_buttons_come_25_to_a_row_with_the_last_message() -> None:
    reply = huge_reply()
    parts = translate.messages(reply)
    assert len(parts) > 1
    rows = [b for b in parts[-1]["blocks"] if b["type"] == "actions"]
    assert [len(row["elements"]) for row in rows] == [25, 15]
    assert action_ids(parts) == [b.action_id for b in reply.buttons], "each button, once"
    assert parts[-1]["blocks"][0]["type"] != "actions", "buttons never arrive alone"


def test_more_than_50_blocks_become_several_messages_that_each_fit() -> None:
    reply = Reply(
        title="Everyone",
        fields=tuple(Field(f"{NAMES[n % 4]} {n}", "x " * 20) for n in range(130)),
        progress=tuple(ProgressBar(f"Phase {n}", n, 12) for n in range(12)),
        buttons=(Button("More", "roadmap"),),
    )
    parts = translate.messages(reply)
    assert len(parts) >= 3
    assert all(violations(part) == [] for part in parts)
    assert all(len(part["blocks"]) <= Blocks.PER_MESSAGE for part in parts)
    assert [part["text"] for part in parts] == [
        f"Everyone ({n}/{len(parts)})" for n in range(1, len(parts) + 1)
    ]
    everything = shown(parts)
    assert all(f"{NAMES[n % 4]} {n}" in everything for n in range(130))


def test_a_huge_reply_loses_no_text() -> None:
    reply = huge_reply()
    parts = translate.messages(reply)
    assert all(violations(part) == [] for part in parts)
    words = shown(parts).split()
    body = body_as_shown(reply.body)
    start = words.index(body[0])
    assert words[start : start + len(body)] == body, "the body, every word in order"
    for field in reply.fields:
        assert field.name in shown(parts)


def test_the_app_home_ends_with_and_n_more_instead_of_cutting() -> None:
    reply = Reply(
        title="Your progress",
        fields=tuple(Field(f"Step {n}", "done") for n in range(150)),
        buttons=(Button("Next step", "next"),),
    )
    view = translate.home_view(reply)
    assert violations(view) == []
    blocks = view["blocks"]
    assert len(blocks) == Blocks.PER_VIEW
    more = blocks[-2]["elements"][0]["text"]
    left_out = 150 - (Blocks.PER_VIEW - 3)  # the header, the closing line and the buttons
    assert more == f"…and {2 * left_out} more lines. `/cohort progress` shows everything."
    assert blocks[-1]["type"] == "actions", "its buttons stay"
    assert blocks[-3]["text"]["text"] == f"*Step {150 - left_out - 1}*\ndone", "whole blocks"


# --- the checker --------------------------------------------------------------------------


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str = "Go", action_id: str = "a") -> dict[str, Any]:
    label = {"type": "plain_text", "text": text}
    return {"type": "button", "text": label, "action_id": action_id, "value": "v"}


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ([section("x")] * 51, "blocks: 51 blocks, over the 50"),
        ([section("x" * 3001)], "blocks[0].text: 3,001 characters, over the 3,000"),
        ([section("🙂" * 1501)], "blocks[0].text: 3,002 characters"),
        ([section(" ")], "blocks[0].text: must not be empty"),
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "blocks[0].text: 151 characters",
        ),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
            "blocks[0].fields: 11 items",
        ),
        ([{"type": "actions", "elements": [button()] * 26}], "blocks[0].elements: 26 items"),
        ([{"type": "actions", "elements": [button("L" * 76)]}], "elements[0].text: 76"),
        ([{"type": "actions", "elements": [button(), button()]}], "action_id repeated"),
        ({"text": "t" * 40_001}, "text: 40,001 characters"),
        ({"text": "t", "blocks": [section("x" * 3000)] * 5}, "15,000 characters of text"),
        (
            {"text": "t", "metadata": {"event_type": "Cohort Delivery", "event_payload": {}}},
            "metadata.event_type",
        ),
        ({"type": "home", "blocks": [section("x")] * 101}, "view.blocks: 101 blocks"),
        (
            {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}, "blocks": []},
            "view.title: 25 characters",
        ),
        (
            {"type": "home", "blocks": [section("x" * 3000)] * 90},
            "bytes, over the 250,000",
        ),
    ],
)
def test_violations_names_what_slack_would_refuse(payload: Any, problem: str) -> None:
    found = violations(payload)
    assert any(problem in p for p in found), found
    with pytest.raises(limits.DoesNotFit):
        limits.checked(payload)


def test_what_cohort_sends_as_it_is_has_no_violations() -> None:
    assert violations(translate.checkin_modal("T1/C9.seal")) == []
    assert violations(translate.message(Reply(title="Hi", body="**there**"))) == []
    assert violations({"type": "home", "blocks": [section("x")] * 100}) == []


# --- end to end through the fake Slack -------------------------------------------------


def payloads_sent(fake: FakeSlack) -> list[dict[str, Any]]:
    """Every message and view Cohort sent the fake, each as it was sent."""
    sent = list(fake.responses) + [
        {key: value for key, value in call.items() if key not in {"channel", "user"}}
        for method in ("chat.postMessage", "chat.postEphemeral")
        for call in fake.called(method)
    ]
    return sent + [call["view"] for m in ("views.open", "views.publish") for call in fake.called(m)]


def assert_nothing_refused(fake: FakeSlack) -> None:
    assert fake.refused_responses == []
    for payload in payloads_sent(fake):
        assert violations(payload) == [], payload.get("text")


async def test_a_huge_slash_command_answer_arrives_whole(
    rig: SlackRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = huge_reply()

    async def huge_answer(*_: Any, **__: Any) -> Reply:
        return reply

    monkeypatch.setattr(rig.adapter.core.dispatcher, "run_line", huge_answer)
    first = await rig.slash("summary")
    parts = len(translate.messages(reply))
    answers = await rig.fake.wait_for(
        lambda: rig.fake.responses if len(rig.fake.responses) == parts else None
    )
    assert answers[0] == first
    assert all(a["response_type"] == "ephemeral" for a in answers)
    assert_nothing_refused(rig.fake)
    words = shown(answers).split()
    body = body_as_shown(reply.body)
    start = words.index(body[0])
    assert words[start : start + len(body)] == body
    assert action_ids(answers[-1:]) == [b.action_id for b in reply.buttons]


async def test_an_answer_longer_than_five_messages_goes_on_through_the_web_api(
    rig: SlackRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = huge_reply(ephemeral=False, characters=60_000)
    parts = translate.messages(reply)
    assert len(parts) > limits.SlashCommands.RESPONSE_URL_USES

    async def huge_answer(*_: Any, **__: Any) -> Reply:
        return reply

    monkeypatch.setattr(rig.adapter.core.dispatcher, "run_line", huge_answer)
    await rig.slash("summary")
    posted = await rig.fake.wait_for(
        lambda: (
            rig.fake.posted("C-study")
            if len(rig.fake.posted("C-study")) == len(parts) - 5
            else None
        )
    )
    assert len(rig.fake.responses) == limits.SlashCommands.RESPONSE_URL_USES
    assert_nothing_refused(rig.fake)
    received = [*rig.fake.responses, *posted]
    assert [m["text"] for m in received] == [p["text"] for p in parts], "all, in order"
    assert shown(received) == shown(parts)


async def test_a_huge_scheduled_post_arrives_whole_and_once(
    fake_slack: FakeSlack, poster: SlackPoster
) -> None:
    reply = huge_reply(ephemeral=False)
    parts = translate.messages(reply)
    await poster.post(STUDY, reply, Sending("weekly:C-study:2026-W47", 1))
    posted = fake_slack.posted("C-study")
    assert len(fake_slack.called("chat.postMessage")) == len(posted) == len(parts) > 1
    assert_nothing_refused(fake_slack)
    assert shown(posted) == shown(parts)
    assert [m["metadata"]["event_payload"] for m in posted] == [
        {"key": "weekly:C-study:2026-W47", "part": n, "parts": len(parts)}
        for n in range(1, len(parts) + 1)
    ]

    await poster.post(STUDY, reply, Sending("weekly:C-study:2026-W47", 2))
    assert len(fake_slack.posted("C-study")) == len(parts), "a resend finds every part"

    lost = fake_slack.messages["C-study"].pop(1)  # as if the second part never arrived
    await poster.post(STUDY, reply, Sending("weekly:C-study:2026-W47", 3))
    again = fake_slack.posted("C-study")
    assert len(again) == len(parts)
    assert again[-1]["blocks"] == lost["blocks"], "only the missing part is sent again"


async def test_a_huge_dm_arrives_whole_with_its_buttons_last(
    fake_slack: FakeSlack, poster: SlackPoster
) -> None:
    reply = huge_reply(ephemeral=False)
    await poster.dm(STUDY, ANA, reply, Sending("nudge:U-ana:2026-W47", 1))
    posted = fake_slack.posted("D-U-ana")
    assert len(posted) == len(translate.messages(reply))
    assert_nothing_refused(fake_slack)
    assert action_ids(posted[-1:]) == [b.action_id for b in reply.buttons]
    values = [
        e["value"] for b in posted[-1]["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert all("#" in value for value in values), "each DM button carries its sealed group"


async def test_every_kind_of_reply_passes_the_checker(
    rig: SlackRig, app: App, clock: ManualClock
) -> None:
    """Slash answers, a button's answer, the check-in form and its confirmation, the App
    Home, a scheduled post and a DM, all as Cohort sent them."""
    clock.set(datetime(2026, 11, 18, 7, 0, tzinfo=UTC))
    admin = {"user": "U-admin", "name": "admin"}
    for text in ("group setup ml-engineer Europe/Berlin", "log 30m", "roadmap", "help"):
        await rig.slash(text, **admin)
    for text in ("progress", "step python-basics", "next", "leaderboard all", "me"):
        await rig.slash(text)
    press = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "channel": {"id": "C-study"},
        "user": {"id": "U-ana", "username": "ana"},
        "trigger_id": "trigger-2",
        "response_url": f"{rig.fake.url}/respond/press",
        "actions": [{"action_id": "cohort:done?step=python-basics", "type": "button"}],
    }
    before = len(rig.fake.responses)
    assert await rig.post(interactive_body(press)) == 200
    await rig.fake.wait_for(lambda: len(rig.fake.responses) > before)
    assert await rig.post(slash_body(rig.fake, "checkin")) == 200
    [opened] = await rig.fake.wait_for(lambda: rig.fake.called("views.open"))
    submitted = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U-ana", "username": "ana"},
        "view": dict(
            opened["view"],
            team_id="T1",
            state={"values": {"finished": {"finished": {"value": "python-basics"}}}},
        ),
    }
    assert await rig.post(interactive_body(submitted)) == 200
    await rig.fake.wait_for(lambda: rig.fake.called("chat.postEphemeral"))
    engine = accountability_engine(app, rig.adapter.poster, instance="slack-test")
    clock.set(datetime(2026, 11, 18, 8, 0, tzinfo=UTC))
    await engine.run_due()  # the daily resource
    clock.set(datetime(2026, 11, 21, 16, 0, tzinfo=UTC))
    await engine.run_due()  # Saturday: reminders by DM
    await rig.fake.wait_for(lambda: rig.fake.called("views.publish"))

    for method in ("chat.postMessage", "chat.postEphemeral", "views.open", "views.publish"):
        assert rig.fake.called(method), method
    assert any(call["channel"].startswith("D-") for call in rig.fake.called("chat.postMessage"))
    assert_nothing_refused(rig.fake)
