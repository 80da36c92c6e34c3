"""Pictures on Discord, end to end: a card travels as a multipart attachment of the answer
(`files[0]`, with its alt text as the attachment's description) and the embed shows it.
The answer waits a moment for its card, so both arrive as one message; a card drawn later
than that follows in an edit of the answer, which never waits longer. The text stays whole
beside it, and whole without it when the card cannot be drawn or Discord would not take it."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot import cards
from bot.messages import Place, Platform, Reply
from bot.ports import Sending
from tests.cards.examples import WEEK
from tests.cards.support import near, opened, pixel
from tests.discord.conftest import DiscordRig, is_ephemeral, text_of
from tests.discord.fake_discord import ANA, BEN, CHANNEL, GUILD, SentFile, in_guild, slash


def embedded_picture(message: dict[str, Any]) -> str:
    message = message.get("data", message)
    [embed] = [e for e in message["embeds"] if "image" in e]
    return str(embed["image"]["url"])


READY_IN_TIME = 30.0  # seconds: however slowly a loaded test machine draws the first card


async def test_progress_arrives_with_its_card_attached_and_shown(rig: DiscordRig) -> None:
    rig.adapter.picture_within = READY_IN_TIME
    await rig.run("done", step="python-basics")
    interaction = await rig.send(slash("progress"))
    answer = await rig.answer(interaction)
    await rig.settled()

    assert is_ephemeral(answer)
    assert "Your progress" in text_of(answer), "the text is all there"
    [call] = rig.fake.with_files()
    assert call.path.startswith(f"/interactions/{interaction}"), "one message, card and all"
    [sent] = call.files
    assert sent.filename == "cohort.png"
    image = opened(sent.data)
    assert image.size == (800, 500)
    assert near(pixel(image, 2, 2), cards.DARK.background), "dark, as Discord's own theme"
    assert embedded_picture(answer) == "attachment://cohort.png"
    assert sent.description is not None
    assert sent.description.startswith("Progress card for Ana on Machine Learning Engineer")
    [listed] = answer["data"]["attachments"]
    assert listed["filename"] == "cohort.png"
    assert rig.fake.called("PATCH", "/webhooks/") == [], "and never edited"


async def test_a_card_drawn_late_follows_in_the_same_message(rig: DiscordRig) -> None:
    rig.adapter.picture_within = 0  # a busy moment: the card is not ready with the answer
    await rig.run("done", step="python-basics")
    interaction = await rig.send(slash("progress"))
    answer = await rig.answer(interaction)

    assert "Your progress" in text_of(answer), "the answer did not wait for its card"
    assert not answer["data"].get("attachments")
    await rig.settled()
    shown = rig.fake.shown_answer(interaction)
    assert shown is not None
    assert text_of(shown) == text_of(answer), "the same answer, now with its card"
    assert embedded_picture(shown) == "attachment://cohort.png"
    [attached] = shown["attachments"]
    assert attached["filename"] == "cohort.png"
    assert attached["description"].startswith("Progress card for Ana on Machine Learning Engineer")
    [edit] = rig.fake.with_files()
    assert edit.method == "PATCH"
    assert edit.path.endswith("/messages/@original"), "the answer itself is edited"


async def test_a_public_leaderboard_shows_its_card_in_the_channel(rig: DiscordRig) -> None:
    rig.adapter.picture_within = READY_IN_TIME
    await rig.run("done", step="python-basics")
    await rig.run("done", step="python-basics", who=BEN)
    await rig.run("done", step="dev-tools", who=BEN)
    interaction = await rig.send(slash("leaderboard"))
    answer = await rig.answer(interaction)

    assert not is_ephemeral(answer)
    assert embedded_picture(answer) == "attachment://cohort.png"
    [call] = [c for c in rig.fake.with_files() if c.path.startswith(f"/interactions/{interaction}")]
    [sent] = call.files
    assert sent.description is not None
    assert "1. Ben, 2 steps; 2. Ana, 1 step." in sent.description


async def test_a_picture_too_large_for_the_interaction_is_left_out_not_the_answer(
    rig: DiscordRig,
) -> None:
    small = {**in_guild(ANA), **slash("progress"), "attachment_size_limit": 2048}
    answer = await rig.answer(await rig.fake.interact(small))
    await rig.settled()
    assert "Your progress" in text_of(answer)
    assert not answer["data"].get("attachments")
    assert rig.fake.with_files() == []


async def test_a_late_card_discord_refuses_leaves_the_answer_as_it_was(
    rig: DiscordRig, caplog: pytest.LogCaptureFixture
) -> None:
    rig.adapter.picture_within = 0
    rig.fake.failures["edit"] = [413]  # measured larger than the interaction said it takes
    interaction = await rig.send(slash("progress"))
    answer = await rig.answer(interaction)
    await rig.settled()
    shown = rig.fake.shown_answer(interaction)
    assert shown is not None
    assert text_of(shown) == text_of(answer)
    assert not shown["attachments"]
    assert "Discord did not take the picture" in caplog.text, "left out, and said why"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "not a failure"


@pytest.mark.usefixtures("cards_cannot_be_drawn")
async def test_a_card_that_cannot_be_drawn_leaves_a_whole_answer(rig: DiscordRig) -> None:
    for late in (False, True):
        rig.adapter.picture_within = 0 if late else READY_IN_TIME
        interaction = await rig.send(slash("progress"))
        answer = await rig.answer(interaction)
        await rig.settled()
        assert "Your progress" in text_of(answer)
        assert not answer["data"].get("attachments")
    assert rig.fake.with_files() == []
    assert rig.fake.called("PATCH", "/webhooks/") == []


async def test_a_member_who_turned_pictures_off_gets_text_only(rig: DiscordRig) -> None:
    off = await rig.run("me images", setting="off")
    assert "No more pictures" in text_of(off)
    answer = await rig.run("progress")
    assert "Your progress" in text_of(answer)
    await rig.settled()
    assert rig.fake.with_files() == []


async def test_a_scheduled_post_carries_the_week_at_a_glance(rig: DiscordRig) -> None:
    picture = cards.render(WEEK, cards.DARK)
    reply = Reply(title="📊 Weekly summary", body="Here's how the group did.", image=picture)
    place = Place(Platform.DISCORD, GUILD, CHANNEL)
    sending = Sending("summary:1:2026-11-20")
    await rig.adapter.poster.post(place, reply, sending)
    await rig.adapter.poster.post(place, reply, Sending(sending.key, attempt=2))

    posts = rig.fake.called("POST", f"/channels/{CHANNEL}/messages")
    assert len(posts) == 2
    [stored] = rig.fake.with_files()[:1]
    files: list[SentFile] = stored.files
    assert [f.data for f in files] == [picture.png]
    assert stored.body["embeds"][0]["image"]["url"] == "attachment://cohort.png"
    assert stored.body["nonce"] == posts[1].body["nonce"], "a resend is the same message"
    assert len(rig.fake.messages_in(CHANNEL)) == 1, "posted once"
