"""Every reply fits Discord, whatever its size: long answers are split into more embeds and
more messages, never cut, and every message keeps to the limits discord-api-docs states
(adapters/discord/limits.py). Unit tests of the splitting, then end to end through the
fake Discord, which refuses an oversize message with a 400 as Discord does."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any, cast

import discord
import pytest
from discord import app_commands

from adapters.discord import translate
from adapters.discord.app import SHARED, CheckinForm
from adapters.discord.limits import (
    ApplicationCommands,
    ComponentReference,
    CreateMessage,
    EmbedLimits,
    ReceivingAndResponding,
    embed_characters,
    violations,
)
from adapters.discord.tree import build_commands
from bot.bootstrap import App
from bot.commands.suggest import Suggestion
from bot.markup import literal
from bot.messages import (
    Actor,
    Attachment,
    Button,
    Field,
    Image,
    Invocation,
    Place,
    Platform,
    ProgressBar,
    Reply,
)
from bot.ports import Sending
from bot.roadmap import schema
from bot.seals import PlaceSeals, Purpose
from tests.discord.conftest import DiscordRig, custom_ids, is_ephemeral, text_of
from tests.discord.fake_discord import (
    ANA,
    CHANNEL,
    GUILD,
    Refused,
    _check_message,
    autocomplete,
    slash,
)

NAMES = [
    "Łukasz Żółtowski-Brzęczyszczykiewicz",
    "Zoë Ångström",
    "Smith, Jo",  # a comma inside a name
    "Ｚｅｎ ｍａｓｔｅｒ ＦＵＬＬＷＩＤＴＨ",
    "Nguyễn Thị Minh Khai",
    "Ана-Мария Достоевская",
    "李小龍 の 友達",
    "O'Neil_the*Great [admin]",  # markdown characters, shown as text
    "👩🏽‍💻 Dev Queen",
]
LINK = "[Attention Is All You Need](https://arxiv.org/abs/1706.03762?context=cs_LG)"
SHOWN_ESCAPE = re.compile(r"\\([^A-Za-z0-9\s])")  # Discord shows `\_` as `_`
BIG_SEALS = PlaceSeals(lambda platform: f"a test key for {platform.value}".encode())
# The longest place a Discord seal carries: snowflakes are 64-bit, up to 20 digits.
FAR_PLACE = Place(Platform.DISCORD, "18446744073709551615", "18446744073709551614")


def payloads(reply: Reply, **options: Any) -> list[dict[str, Any]]:
    return [message.payload() for message in translate.messages(reply, **options)]


def embeds_of(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [embed for payload in sent for embed in payload.get("embeds", [])]


def descriptions(sent: list[dict[str, Any]]) -> list[str]:
    return [embed["description"] for embed in embeds_of(sent) if "description" in embed]


def squashed(text: str) -> str:
    """Text as a person reads it, whitespace aside: escapes shown as their characters."""
    return "".join(SHOWN_ESCAPE.sub(r"\1", text).replace(translate.BLANK, "").split())


def reply_text(reply: Reply) -> str:
    """What a reply says, as Discord markdown, in reading order."""
    parts = [reply.title, f"⚠️ {reply.body}" if reply.is_error else reply.body]
    parts += [f"{field.name}\n{field.value}" for field in reply.fields]
    return translate.markdown("\n".join(parts))


def fits_discord(payload: dict[str, Any]) -> None:
    """Our checker finds nothing, and neither does the fake's own (which is Discord's)."""
    assert violations(payload) == []
    _check_message(payload)


def many_lines(count: int) -> str:
    return "\n".join(
        f"{n}. {literal(NAMES[n % len(NAMES)])} finished {LINK} and wrote about it"
        for n in range(count)
    )


# --- the checker -----------------------------------------------------------------------------


def embed(**fields: Any) -> dict[str, Any]:
    return {"type": "rich", **fields}


def button_rows(rows: int, per_row: int, *, label: str = "Go", size: int = 10) -> list[Any]:
    return [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 1, "label": label, "custom_id": f"{r}.{b}".ljust(size, "x")}
                for b in range(per_row)
            ],
        }
        for r in range(rows)
    ]


BROKEN = {
    "content": {"content": "x" * 2001},
    "nonce": {"content": "hi", "nonce": "n" * 26},
    "embeds": {"embeds": [embed(title="t")] * 11},
    "title": {"embeds": [embed(title="t" * 257)]},
    "description": {"embeds": [embed(description="d" * 4097)]},
    "fields": {"embeds": [embed(fields=[{"name": "n", "value": "v"}] * 26)]},
    "field name": {"embeds": [embed(fields=[{"name": "n" * 257, "value": "v"}])]},
    "field value": {"embeds": [embed(fields=[{"name": "n", "value": "v" * 1025}])]},
    "empty field": {"embeds": [embed(fields=[{"name": " ", "value": "v"}])]},
    "footer": {"embeds": [embed(footer={"text": "f" * 2049})]},
    "author": {"embeds": [embed(author={"name": "a" * 257})]},
    "all embeds": {"embeds": [embed(description="d" * 3001)] * 2},
    "action rows": {"components": button_rows(6, 1)},
    "buttons in a row": {"components": button_rows(1, 6)},
    "button label": {"components": button_rows(1, 1, label="l" * 81)},
    "custom id": {"components": button_rows(1, 1, size=101)},
    "same custom id": {
        "components": [{"type": 1, "components": button_rows(1, 1)[0]["components"] * 2}]
    },
    "attachment": {
        "embeds": [embed(title="t")],
        "attachments": [{"id": 0, "description": "d" * 1025}],
    },
    "nothing": {},
}


@pytest.mark.parametrize("payload", BROKEN.values(), ids=BROKEN.keys())
def test_the_checker_finds_each_broken_limit(payload: dict[str, Any]) -> None:
    assert len(violations(payload)) == 1, violations(payload)


def test_the_checker_takes_a_message_at_every_limit() -> None:
    at_limits = {
        "content": "x" * 2000,
        "nonce": "n" * 25,
        "embeds": [
            embed(
                title="t" * 256,
                description="d" * 4096,
                fields=[{"name": "n" * 256, "value": "v" * 1024}],
                footer={"text": "f" * 368},
            )
        ],
        "components": button_rows(5, 5, label="l" * 80, size=100),
        "attachments": [{"id": 0, "description": "d" * 1024}],
    }
    assert violations(at_limits) == []
    assert embed_characters(at_limits["embeds"][0]) == EmbedLimits.TOTAL


# --- splitting --------------------------------------------------------------------------------


def test_a_20000_character_body_arrives_whole_in_messages_that_fit() -> None:
    body = many_lines(230)
    assert len(translate.markdown(body)) > 20_000
    reply = Reply(title="This week", body=body, buttons=(Button("Next", "next"),))
    sent = payloads(reply)
    for payload in sent:
        fits_discord(payload)
    assert 4 <= len(sent) <= 6, "as few messages as the 6,000 characters allow"
    assert all(len(payload["embeds"]) > 1 for payload in sent[:-1]), "several embeds each"
    shown_lines = [line for text in descriptions(sent) for line in text.split("\n")]
    assert shown_lines == translate.markdown(body).split("\n"), "cut only between lines"
    assert [bool(payload.get("components")) for payload in sent] == [False] * (len(sent) - 1) + [
        True
    ], "the buttons go with the last message"


def test_sixty_fields_become_several_embeds_and_keep_their_order() -> None:
    fields = tuple(
        Field(f"Week {n}", f"{literal(NAMES[n % len(NAMES)])}: {'x' * 40}", inline=True)
        for n in range(60)
    )
    sent = payloads(Reply(title="Sixty", fields=fields))
    for payload in sent:
        fits_discord(payload)
    shown = [field for embed in embeds_of(sent) for field in embed["fields"]]
    assert [field["name"] for field in shown] == [f"Week {n}" for n in range(60)]
    assert [field["value"] for field in shown] == [translate.markdown(f.value) for f in fields]
    assert all(len(embed["fields"]) <= EmbedLimits.FIELDS for embed in embeds_of(sent))
    assert len(sent) == 1, "60 short fields fit one message"
    assert len(sent[0]["embeds"]) == 3


def test_a_long_field_goes_on_in_more_fields_cut_between_lines() -> None:
    value = "\n".join(f"✅ {literal(name)}" for name in NAMES * 12)
    sent = payloads(Reply(fields=(Field("Checked in", value),)))
    shown = [field for embed in embeds_of(sent) for field in embed["fields"]]
    assert len(shown) > 1
    assert shown[0]["name"] == "Checked in"
    assert all(field["name"] == translate.BLANK for field in shown[1:])
    assert "\n".join(f["value"] for f in shown) == translate.markdown(value)


def test_a_line_of_long_unicode_names_is_cut_between_names() -> None:
    names = [f"{name} {n}" for n, name in enumerate(NAMES * 60)]
    line = "Checked in: " + ", ".join(literal(name) for name in names)
    sent = payloads(Reply(body=line))
    for payload in sent:
        fits_discord(payload)
    texts = [SHOWN_ESCAPE.sub(r"\1", text) for text in descriptions(sent)]
    assert len(texts) > 2
    for text in texts[:-1]:
        assert text.endswith(","), f"a piece ends after a whole name: …{text[-40:]!r}"
        assert not text.endswith("Smith,"), "not inside a name that holds a comma"
    assert " ".join(texts) == "Checked in: " + ", ".join(names), "every name, in order"


def test_links_near_a_split_point_stay_whole() -> None:
    for shift in range(0, 60, 7):  # move the links across the place a cut must fall
        line = "x" * shift + " " + " ".join([LINK] * 80)
        texts = descriptions(payloads(Reply(body=line)))
        assert len(texts) > 1
        links = [found for text in texts for found in re.findall(r"\[[^\]]*\]\([^)]*\)", text)]
        assert links == [LINK] * 80
        assert all(text.count("[") == text.count("](") for text in texts), "no half link"


def test_a_single_5000_character_word_is_cut_but_not_inside_an_escape() -> None:
    word = "a*" * 2500  # every other character is shown with a backslash
    sent = payloads(Reply(body=word))
    for payload in sent:
        fits_discord(payload)
    texts = descriptions(sent)
    assert len(texts) > 1
    for text in texts:
        assert (len(text) - len(text.rstrip("\\"))) % 2 == 0, "no half escape at the end"
    assert "".join(texts) == translate.markdown(word)


def test_accents_and_emoji_stay_with_their_letters() -> None:
    word = ("e\u0301" + "👩🏽\u200d💻") * 1500  # é as two code points, an emoji of four
    texts = descriptions(payloads(Reply(body=word)))
    assert len(texts) > 1
    assert "".join(texts) == word
    for text in texts[1:]:
        assert text[0] in ("e", "👩")


def test_bold_text_cut_in_two_is_closed_and_opened_again() -> None:
    line = "**" + " ".join(["bold"] * 2000) + "** and plain"
    texts = descriptions(payloads(Reply(body=line)))
    assert len(texts) > 1
    for text in texts:
        assert text.count("**") == 2, text[:20] + "…" + text[-20:]
        assert text.startswith("**")
    assert texts[-1].endswith("** and plain")


def test_paragraphs_and_bars_keep_their_blank_line() -> None:
    reply = Reply(body="First\n\nSecond", progress=(ProgressBar("1. Foundations", 3, 7),))
    [payload] = payloads(reply)
    assert payload["embeds"][0]["description"] == (
        "First\n\nSecond\n\n`████░░░░░░` 1. Foundations · 3/7"
    )


def test_more_than_25_buttons_go_on_in_a_message_of_their_own() -> None:
    choices = tuple(Button(f"B{n}", "start", {"step": f"s{n}"}) for n in range(30))
    reply = Reply(body="Pick one", buttons=choices)
    sent = payloads(reply)
    for payload in sent:
        fits_discord(payload)
    assert len(sent) == 2
    assert [len(payload["components"]) for payload in sent] == [5, 1]
    ids = [custom for payload in sent for custom in custom_ids(payload)]
    assert ids == [button.action_id for button in choices]


def test_an_image_and_a_file_go_with_the_last_message() -> None:
    reply = Reply(
        title="Your year",
        body=many_lines(100),
        image=Image(b"png", "Steps per week: " + "a long description " * 200),
        attachment=Attachment("export.json", b"{}", "Everything " * 200),
    )
    sent = translate.messages(reply)
    assert len(sent) > 1
    assert [bool(message.files) for message in sent] == [False] * (len(sent) - 1) + [True]
    last = sent[-1].payload()
    fits_discord(last)
    assert last["embeds"][-1]["image"]["url"] == "attachment://cohort.png"
    assert len(last["embeds"][-1]["footer"]["text"]) <= EmbedLimits.FOOTER_TEXT
    assert [f.filename for f in sent[-1].files] == ["cohort.png", "export.json"]


REPLY_KINDS: dict[str, Reply] = {
    "ordinary": Reply(
        title="Next up", body="Read **chapter 2**.", buttons=(Button("Done", "done"),)
    ),
    "error": Reply.error("No step called `pythn`. Did you mean `python-basics`?"),
    "huge": Reply(title="T" * 400, body=many_lines(400), ephemeral=True),
    "many fields": Reply(fields=tuple(Field(f"F{n}", "v " * 700) for n in range(60))),
    "many buttons": Reply(
        body="b", buttons=tuple(Button("L" * 100, "done", {"step": f"s{n}"}) for n in range(60))
    ),
    "image and attachment": Reply(
        title="Chart",
        body="x " * 3000,
        image=Image(b"png", "alt " * 600),
        attachment=Attachment("a.json", b"{}", "d " * 700),
    ),
    "empty": Reply(),
}


@pytest.mark.parametrize("reply", REPLY_KINDS.values(), ids=REPLY_KINDS.keys())
def test_every_kind_of_reply_passes_the_checks_before_it_is_sent(reply: Reply) -> None:
    sent = translate.messages(reply)
    for message in sent:
        fits_discord(message.payload())
        assert len(message.files) == 0 or message is sent[-1]
    shown = "".join(text_of(message.payload()) for message in sent)
    if reply.body:
        assert squashed(reply_text(reply)) == squashed(shown), "nothing is lost"


def test_a_message_that_would_break_a_limit_is_never_sent(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The check runs on every message: were splitting ever wrong, the member would get a
    short apology (and the log the reason) rather than Discord a message it refuses."""
    oversize = translate.Outgoing((discord.Embed(description="d" * 5000),))
    real = translate._messages
    monkeypatch.setattr(
        translate,
        "_messages",
        lambda reply, seal: [oversize] if reply.body == "x" else real(reply, seal),
    )
    with caplog.at_level(logging.ERROR, logger="adapters.discord.translate"):
        [sent] = translate.messages(Reply(body="x"))
    assert sent.payload()["embeds"][0]["description"] == "⚠️ " + translate.TOO_BIG
    assert "embeds[0].description has 5000 characters" in caplog.text


def test_our_own_buttons_always_fit_even_by_dm_to_the_longest_place() -> None:
    """The content schema keeps ids short enough (`schema.ID_MAX`) that every button the
    scheduler sends by DM fits with its seal; a longer one would be left out with a warning."""
    longest = "s" * schema.ID_MAX
    nudges = (
        Button("Start it", "start", {"step": longest}),
        Button("Done", "done", {"step": longest}),
        Button("Check in", "checkin"),
        Button("Another 25", "focus", {"minutes": "180"}),
    )
    seal_for = BIG_SEALS.for_dm(FAR_PLACE, "18446744073709551613")
    [message] = translate.messages(Reply(title="t", buttons=nudges), seal_for)
    fits_discord(message.payload())
    shown = [custom for row in message.rows for _, custom, _ in row]
    assert [translate.split_custom_id(c)[0] for c in shown] == [b.action_id for b in nudges]
    for custom, button in zip(shown, nudges, strict=True):
        seal = translate.split_custom_id(custom)[1] or ""
        opened = BIG_SEALS.open(
            seal, Platform.DISCORD, "18446744073709551613", Purpose.DM_BUTTON, button.action_id
        )
        assert opened == FAR_PLACE


def test_a_button_that_cannot_fit_is_left_out_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    too_long = Button("Start it", "start", {"step": "s" * 90})
    with caplog.at_level(logging.WARNING, logger="adapters.discord.translate"):
        [message] = translate.messages(Reply(title="t", buttons=(too_long, Button("Go", "next"))))
    assert [custom for row in message.rows for _, custom, _ in row] == ["cohort:next"]
    assert any("left out" in record.message for record in caplog.records)


# --- what else Cohort sends: the command tree, the form, autocomplete ---------------------------


def test_every_command_fits_discords_application_command_limits(app: App) -> None:
    async def never(*_: Any) -> Any:
        raise AssertionError

    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)
    commands = build_commands(app.registry, never, never)
    for command in commands:
        tree.add_command(command)
    payloads = [command.to_dict(tree) for command in commands]
    assert len(payloads) <= ApplicationCommands.GLOBAL_CHAT_INPUT_COMMANDS

    def walk(node: dict[str, Any], check: Callable[[dict[str, Any]], None]) -> None:
        check(node)
        for option in node.get("options", []):
            walk(option, check)

    def check(node: dict[str, Any]) -> None:
        assert 1 <= len(node["name"]) <= ApplicationCommands.NAME
        assert node["name"] == node["name"].lower()
        assert 1 <= len(node["description"]) <= ApplicationCommands.DESCRIPTION, node["name"]
        assert len(node.get("options", [])) <= ApplicationCommands.OPTIONS
        for choice in node.get("choices") or []:
            assert len(choice["name"]) <= ApplicationCommands.CHOICE_NAME
            assert len(str(choice["value"])) <= ApplicationCommands.CHOICE_VALUE
        assert len(node.get("choices") or []) <= ApplicationCommands.CHOICES

    def characters(node: dict[str, Any]) -> int:
        own = len(node["name"]) + len(node["description"])
        own += sum(len(c["name"]) + len(str(c["value"])) for c in node.get("choices") or [])
        return own + sum(characters(option) for option in node.get("options", []))

    for payload in payloads:
        walk(payload, check)
        assert characters(payload) <= ApplicationCommands.COMMAND_TOTAL


async def test_the_check_in_form_fits_discords_modal_limits() -> None:
    form = CheckinForm(cast(Any, None), Place(Platform.DISCORD, GUILD, CHANNEL))
    shown = form.to_dict()
    assert len(shown["title"]) <= ReceivingAndResponding.MODAL_TITLE
    assert 1 <= len(shown["components"]) <= ReceivingAndResponding.MODAL_COMPONENTS
    for label in shown["components"]:
        assert len(label["label"]) <= ComponentReference.LABEL_TEXT
        assert len(label.get("description") or "") <= ComponentReference.LABEL_DESCRIPTION
        assert label["component"]["max_length"] <= ComponentReference.TEXT_INPUT_VALUE
        assert len(label["component"]["custom_id"]) <= ComponentReference.CUSTOM_ID


async def test_autocomplete_offers_at_most_25_choices_that_fit(
    rig: DiscordRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def many(*_: Any, **__: Any) -> list[Suggestion]:
        long = " ".join(NAMES) * 3
        return [Suggestion(f"{n} {long}", f"step-{n}") for n in range(40)] + [
            Suggestion("a value too long to send", "v" * 101)
        ]

    monkeypatch.setattr(rig.adapter.core.dispatcher, "suggest", many)
    answer = await rig.answer(await rig.send(autocomplete("done", "step", "s")))
    choices = answer["data"]["choices"]
    assert len(choices) == ReceivingAndResponding.AUTOCOMPLETE_CHOICES
    assert [c["value"] for c in choices] == [f"step-{n}" for n in range(25)]
    assert all(len(c["name"]) <= ApplicationCommands.CHOICE_NAME for c in choices)
    assert all(c["name"].endswith("…") for c in choices)


# --- end to end: everything arrives, nothing is refused, no text is lost ------------------------


def huge_reply(*, ephemeral: bool = False) -> Reply:
    return Reply(
        title="Week 46 in ML study group",
        body=many_lines(150),
        fields=tuple(
            Field(f"Checked in ({n})", ", ".join(literal(name) for name in NAMES * 8))
            for n in range(4)
        ),
        buttons=(Button("Check in", "checkin"), Button("What should I do next?", "next")),
        ephemeral=ephemeral,
    )


def assert_whole(reply: Reply, bodies: list[dict[str, Any]]) -> None:
    assert squashed(reply_text(reply)) == squashed("".join(text_of(body) for body in bodies))


async def answer_to(
    rig: DiscordRig, monkeypatch: pytest.MonkeyPatch, reply: Reply, *, deferred: bool
) -> list[dict[str, Any]]:
    """Run a slash command whose reply is `reply`; every message the bot sent for it."""

    async def answered_with(_: Invocation) -> Reply:
        if deferred:
            await asyncio.sleep(0.05)  # long enough to be deferred first
        return reply

    monkeypatch.setattr(rig.adapter.core.dispatcher, "run", answered_with)
    if deferred:
        rig.adapter.defer_after = 0
    interaction = await rig.send(slash("progress"))
    expected = len(translate.messages(reply))

    def sent() -> list[dict[str, Any]]:
        token = f"token-{interaction}"
        bodies = [call.body for call in rig.fake.calls if token in call.path]
        shown = [b.get("data", b) for b in bodies if isinstance(b, dict)]
        return [body for body in shown if body.get("embeds") or body.get("components")]

    await rig.fake.wait_for(lambda: len(sent()) >= expected)
    assert len(sent()) == expected, "every message was sent"
    for body in sent():
        fits_discord(body)  # so the fake took it
    return sent()


@pytest.mark.parametrize("deferred", [False, True], ids=["at once", "deferred"])
async def test_a_huge_slash_command_answer_arrives_whole(
    rig: DiscordRig, monkeypatch: pytest.MonkeyPatch, deferred: bool
) -> None:
    reply = huge_reply()
    assert len(translate.messages(reply)) > 2
    bodies = await answer_to(rig, monkeypatch, reply, deferred=deferred)
    assert_whole(reply, bodies)
    assert not any(is_ephemeral(body) for body in bodies), "a public answer stays public"
    assert custom_ids(bodies[-1]) == ["cohort:checkin", "cohort:next"]
    assert all(custom_ids(body) == [] for body in bodies[:-1])
    if deferred:
        [edit] = rig.fake.called("PATCH", "/webhooks/")
        assert text_of(edit.body) == SHARED
    else:
        first = rig.fake.calls[-len(bodies)].body
        assert first["type"] == 4, "the first message answers the interaction itself"


async def test_a_huge_private_answer_stays_private(
    rig: DiscordRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = huge_reply(ephemeral=True)
    bodies = await answer_to(rig, monkeypatch, reply, deferred=True)
    assert_whole(reply, bodies)
    followups = [call.body for call in rig.fake.called("POST", "/webhooks/")]
    assert len(followups) == len(bodies) - 1, "the first replaces the deferral"
    assert all(is_ephemeral(body) for body in followups), "followups only the asker sees"


async def test_a_huge_scheduled_post_arrives_whole_and_once(rig: DiscordRig) -> None:
    # Sizes only: the channel's message bucket would just make this wait (discord.py keeps
    # to it; test_discord_delivery shows that).
    rig.fake.channel_limit = None
    reply = huge_reply()
    place = Place(Platform.DISCORD, GUILD, CHANNEL)
    sending = Sending("weekly:group-1:2026-W46")
    await rig.adapter.poster.post(place, reply, sending)
    shown = rig.fake.messages_in(CHANNEL)
    assert len(shown) == len(translate.messages(reply)) > 2
    assert len(rig.fake.channel_posts(CHANNEL)) == len(shown), "nothing refused"
    for post in rig.fake.channel_posts(CHANNEL):
        fits_discord(post)
    assert_whole(reply, shown)
    assert custom_ids(shown[-1]) == ["cohort:checkin", "cohort:next"]
    nonces = [post["nonce"] for post in rig.fake.channel_posts(CHANNEL)]
    assert len(set(nonces)) == len(nonces), "each message its own nonce"
    assert all(len(nonce) <= CreateMessage.NONCE for nonce in nonces)

    await rig.adapter.poster.post(place, reply, Sending(sending.key, attempt=2))
    assert rig.fake.messages_in(CHANNEL) == shown, "a resend finds every message"


async def test_a_huge_dm_arrives_whole_with_its_sealed_buttons_last(rig: DiscordRig) -> None:
    reply = Reply(
        title="Missing you",
        body=many_lines(150),
        buttons=(Button("Start it", "start", {"step": "python-basics"}),),
    )
    ana = Actor(ANA["id"], "Ana")
    await rig.adapter.poster.dm(Place(Platform.DISCORD, GUILD, CHANNEL), ana, reply)
    dm = rig.fake.messages_in(f"6{ANA['id'][1:]}")
    assert len(dm) == len(translate.messages(reply)) > 1
    assert_whole(reply, dm)
    [pressed] = custom_ids(dm[-1])
    assert pressed.startswith(f"cohort:start?step=python-basics#{GUILD}/{CHANNEL}.")


def test_unsplit_the_same_reply_would_be_refused() -> None:
    """The end-to-end tests mean something: as one message, the fake (like Discord) would
    answer the huge reply with a 400."""
    sent = translate.messages(huge_reply())
    one = {"embeds": [embed for message in sent for embed in message.payload()["embeds"]]}
    assert violations(one)
    with pytest.raises(Refused):
        _check_message(one)
