"""Replies as Discord embeds and buttons, within Discord's limits."""

from __future__ import annotations

from adapters.discord import translate
from adapters.discord.limits import violations
from bot.messages import (
    Attachment,
    Button,
    ButtonStyle,
    Field,
    Image,
    Place,
    Platform,
    ProgressBar,
    Reply,
)
from bot.seals import PlaceSeals, Purpose

GROUP = Place(Platform.DISCORD, "700000000000000001", "710000000000000001")


def test_long_text_is_split_within_discords_limits_not_clipped() -> None:
    reply = Reply(
        title="t" * 300,
        body="b" * 5000,
        fields=tuple(Field(f"f{i}", "v" * 2000, inline=True) for i in range(30)),
    )
    sent = translate.messages(reply)
    payloads = [message.payload() for message in sent]
    assert all(violations(payload) == [] for payload in payloads)
    embeds = [embed for payload in payloads for embed in payload["embeds"]]
    assert embeds[0]["title"] == "t" * 256, "the title's first 256, the rest below it"
    descriptions = "".join(embed.get("description", "") for embed in embeds)
    assert descriptions.replace("\n", "") == "t" * 44 + "b" * 5000
    fields = [field for embed in embeds for field in embed.get("fields", [])]
    assert [f["name"] for f in fields if f["name"] != translate.BLANK] == [
        f"f{i}" for i in range(30)
    ]
    assert "".join(f["value"] for f in fields) == "v" * 2000 * 30
    assert all(f["inline"] for f in fields)
    assert len(sent[0].embeds) > 1, "several embeds in the first message"


def test_progress_bars_follow_the_body_and_errors_are_marked() -> None:
    shown = translate.embed(
        Reply(body="Your week", progress=(ProgressBar("1. Foundations", 3, 7),))
    ).to_dict()
    assert shown["description"] == "Your week\n\n`████░░░░░░` 1. Foundations · 3/7"
    error = translate.embed(Reply.error("No step called `x`.")).to_dict()
    assert error["description"].startswith("⚠️ ")
    assert error["color"] == translate.ERROR_COLOUR.value


def test_an_image_is_attached_and_described() -> None:
    shown = translate.embed(Reply(title="Chart", image=Image(b"png", "Steps per week"))).to_dict()
    assert shown["image"]["url"] == "attachment://cohort.png"
    assert shown["footer"]["text"] == "Steps per week"


def test_an_image_and_an_attachment_both_go_along_described() -> None:
    export = Attachment("export.json", b"{}", "d" * 2000)
    reply = Reply(image=Image(b"png", "Steps per **week**"), attachment=export)
    image, attached = translate.files(reply)
    assert (image.filename, image.data, image.description) == (
        "cohort.png",
        b"png",
        "Steps per week",
    )
    assert (attached.filename, attached.data) == ("export.json", b"{}")
    assert len(attached.description) <= translate.FILE_DESCRIPTION_LIMIT
    assert attached.description.endswith("…")


def test_a_file_over_the_limit_is_answered_in_a_short_message() -> None:
    reply = Reply(title="Your data", attachment=Attachment("export.json", b"x" * 3000, "All"))
    assert translate.file_too_big(reply, 3000) is None
    refusal = translate.file_too_big(reply, 2048)
    assert refusal is not None
    assert refusal.is_error
    assert refusal.ephemeral
    assert refusal.body == (
        "I couldn't send you `export.json`: it is 2.9 KB, and Discord takes at most 2 KB here."
    )
    assert [translate.file_size(n) for n in (512, 10 * 1024**2, 25_500_000)] == [
        "512 bytes",
        "10 MB",
        "24.3 MB",
    ]


def test_buttons_come_five_to_a_row_with_their_styles() -> None:
    buttons = tuple(Button(f"B{i}", "start", {"step": f"s{i}"}) for i in range(7))
    rows = translate.button_rows(
        Reply(buttons=(Button("Go", "next", style=ButtonStyle.PRIMARY), *buttons))
    )
    assert [len(r) for r in rows] == [5, 3]
    assert rows[0][0] == ("Go", "cohort:next", translate.STYLES[ButtonStyle.PRIMARY])


def test_dm_buttons_carry_the_groups_sealed_place_within_discords_limit() -> None:
    seals = PlaceSeals(lambda _platform: b"k" * 32)
    start = Button("Start", "start", {"step": "python-basics"})
    seal = seals.seal(GROUP, "800000000000000001", Purpose.DM_BUTTON, start.action_id)
    value = translate.custom_id(start, seal)
    assert value is not None
    assert len(value) <= translate.CUSTOM_ID_LIMIT
    action, carried = translate.split_custom_id(value)
    assert action == "cohort:start?step=python-basics"
    opened = seals.open(
        carried or "", Platform.DISCORD, "800000000000000001", Purpose.DM_BUTTON, action
    )
    assert opened == GROUP
    assert translate.split_custom_id("cohort:next") == ("cohort:next", None)


def test_a_button_too_long_for_discord_is_left_out_rather_than_broken() -> None:
    huge = Button("Done", "done", {"step": "x" * 120})
    assert translate.custom_id(huge) is None
    assert translate.button_rows(Reply(buttons=(huge,))) == []
    roomy = Button("Done", "done", {"step": "x" * 60})
    assert translate.custom_id(roomy) == roomy.action_id
    seal = PlaceSeals(lambda _platform: b"k" * 32).seal(
        GROUP, "800000000000000001", Purpose.DM_BUTTON, roomy.action_id
    )
    assert translate.custom_id(roomy, seal) is None, "in a DM it could not find its group"
