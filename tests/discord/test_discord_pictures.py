"""Pictures on Discord, end to end. A command's answer goes out first, its text whole; its
card, drawn after, follows in an edit of that same message: a multipart attachment
(`files[0]`, with its alt text as the attachment's description) that the embed shows. A
card Discord would not take is left out, never the answer."""

from __future__ import annotations

from typing import Any

from bot import cards
from bot.messages import Place, Platform, Reply
from bot.ports import Sending
from tests.cards.examples import WEEK
from tests.cards.support import near, opened, pixel
from tests.discord.conftest import DiscordRig, is_ephemeral, text_of
from tests.discord.fake_discord import ANA, BEN, CHANNEL, GUILD, SentFile, in_guild, slash


def embedded_picture(message: dict[str, Any]) -> str:
    [embed] = [e for e in message["embeds"] if "image" in e]
    return str(embed["image"]["url"])


async def test_progress_answers_first_and_its_card_follows_in_the_same_message(
    rig: DiscordRig,
) -> None:
    await rig.run("done", step="python-basics")
    interaction = await rig.send(slash("progress"))
    answer = await rig.answer(interaction)

    assert is_ephemeral(answer)
    assert "Your progress" in text_of(answer), "the text is all there at once"
    assert not answer["data"].get("attachments"), "the card is not waited for"
    await rig.settled()
    shown = rig.fake.shown_answer(interaction)
    assert shown is not None
    assert text_of(shown) == text_of(answer), "the same answer, now with its card"
    assert embedded_picture(shown) == "attachment://cohort.png"
    [attached] = shown["attachments"]
    assert attached["filename"] == "cohort.png"
    assert attached["description"].startswith("Progress card for Ana on Machine Learning Engineer")
    [edit] = [c for c in rig.fake.with_files() if c.method == "PATCH"]
    assert edit.path.endswith("/messages/@original"), "the answer itself is edited"
    [sent] = edit.files
    image = opened(sent.data)
    assert image.size == (800, 500)
    assert near(pixel(image, 2, 2), cards.DARK.background), "dark, as Discord's own theme"


async def test_a_public_leaderboard_shows_its_card_in_the_channel(rig: DiscordRig) -> None:
    await rig.run("done", step="python-basics")
    await rig.run("done", step="python-basics", who=BEN)
    await rig.run("done", step="dev-tools", who=BEN)
    interaction = await rig.send(slash("leaderboard"))
    answer = await rig.answer(interaction)
    await rig.settled()

    assert not is_ephemeral(answer)
    shown = rig.fake.shown_answer(interaction)
    assert shown is not None
    assert embedded_picture(shown) == "attachment://cohort.png"
    [attached] = shown["attachments"]
    assert "1. Ben, 2 steps; 2. Ana, 1 step." in attached["description"]


async def test_a_picture_too_large_for_the_interaction_is_left_out_not_the_answer(
    rig: DiscordRig,
) -> None:
    small = {**in_guild(ANA), **slash("progress"), "attachment_size_limit": 2048}
    interaction = await rig.fake.interact(small)
    answer = await rig.answer(interaction)
    await rig.settled()
    assert "Your progress" in text_of(answer)
    assert rig.fake.with_files() == []
    shown = rig.fake.shown_answer(interaction)
    assert shown is not None
    assert shown["edited_timestamp"] is None, "the answer stays as it was"


async def test_a_card_discord_refuses_leaves_the_answer_as_it_was(rig: DiscordRig) -> None:
    rig.fake.failures["edit"] = [413]  # measured larger than the interaction said it takes
    interaction = await rig.send(slash("progress"))
    answer = await rig.answer(interaction)
    await rig.settled()
    shown = rig.fake.shown_answer(interaction)
    assert shown is not None
    assert text_of(shown) == text_of(answer)
    assert not shown["attachments"]
    assert "Your progress" in text_of(await rig.run("progress")), "and the bot answers on"


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
