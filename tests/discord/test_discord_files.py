"""Files sent with a reply, end to end: `/me export` reaches the member who asked, and
only them, as a download in their ephemeral answer; a file Discord would refuse becomes
a short message."""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp

from bot.messages import Actor, Attachment, Image, Place, Platform, Reply
from tests.discord.conftest import DiscordRig, is_ephemeral, text_of
from tests.discord.fake_discord import (
    ANA,
    CHANNEL,
    GUILD,
    FakeDiscord,
    SentFile,
    in_guild,
    slash,
)

EXPORT_NAME = re.compile(r"cohort-export-\d{4}-\d{2}-\d{2}\.json")


def exported(sent: SentFile) -> dict[str, Any]:
    assert EXPORT_NAME.fullmatch(sent.filename), sent.filename
    found: dict[str, Any] = json.loads(sent.data)
    return found


async def test_me_export_hands_the_member_their_data_privately(rig: DiscordRig) -> None:
    await rig.run("done", step="python-basics")
    interaction = await rig.send(slash("me export"))
    answer = await rig.answer(interaction)

    assert is_ephemeral(answer), "a member's data is for their eyes only"
    assert "Your data" in text_of(answer), "the embed stays, with the file below it"
    [call] = rig.fake.with_files()
    assert call.path.startswith(f"/interactions/{interaction}/"), "nowhere but the answer"
    [sent] = call.files
    data = exported(sent)
    assert data["member"]["display_name"] == "Ana"
    assert [row["step_id"] for row in data["step_progress"]] == ["python-basics"]
    [listed] = answer["data"]["attachments"]
    assert listed["filename"] == sent.filename
    assert sent.description == "Everything Cohort holds about you in this community, as JSON."
    assert rig.fake.called("POST", "/channels/") == [], "no channel post carries it"
    assert rig.fake.called("POST", "/users/@me/channels") == [], "no DM either"


async def test_a_slow_export_still_arrives_privately_after_the_deferral(rig: DiscordRig) -> None:
    rig.adapter.defer_after = 0  # as if the database were slow today
    interaction = await rig.send(slash("me export"))
    [edited] = await rig.fake.wait_for(lambda: rig.fake.called("PATCH", "/webhooks/"))
    [deferred] = rig.fake.callbacks(interaction)
    assert deferred["type"] == 5
    assert is_ephemeral(deferred), "the answer replaces a private deferral"
    assert rig.fake.with_files() == [edited]
    [sent] = edited.files
    assert exported(sent)["member"]["display_name"] == "Ana"
    assert rig.fake.called("POST", "/webhooks/") == [], "no public followup"


async def test_a_file_over_the_interactions_size_limit_gets_a_short_message(
    rig: DiscordRig,
) -> None:
    small = {**in_guild(ANA), **slash("me export"), "attachment_size_limit": 64}
    answer = await rig.answer(await rig.fake.interact(small))
    assert is_ephemeral(answer)
    text = text_of(answer)
    assert re.search(r"couldn't send you `cohort-export-[\d-]+\.json`", text), text
    assert "Discord takes at most 64 bytes here" in text
    assert "Here is everything" not in text, "no promise of a file that is not there"
    assert rig.fake.with_files() == []


async def test_a_file_discord_refuses_as_too_large_becomes_a_short_message(
    rig: DiscordRig,
) -> None:
    rig.fake.failures["callback"] = [413]
    interaction = await rig.send(slash("me export"))
    await rig.fake.wait_for(lambda: len(rig.fake.callbacks(interaction)) == 2)
    refused, answered = rig.fake.callbacks(interaction)
    assert refused["data"]["attachments"], "the first answer carried the file"
    assert "Discord refused it as too large" in text_of(answered)
    assert is_ephemeral(answered)
    assert rig.fake.with_files() == []
    still = await rig.run("progress")
    assert "Your progress" in text_of(still), "and the bot carries on"


async def test_a_dm_carries_an_image_and_a_file_together(rig: DiscordRig) -> None:
    reply = Reply(
        title="Your week",
        image=Image(b"\x89PNG-chart", "Steps per week"),
        attachment=Attachment("week.json", b'{"steps": 3}', "Your week, as JSON."),
    )
    ana = Actor(ANA["id"], "Ana")
    await rig.adapter.poster.dm(Place(Platform.DISCORD, GUILD, CHANNEL), ana, reply)
    [dm] = rig.fake.with_files()
    assert dm.path == f"/channels/6{ANA['id'][1:]}/messages"
    assert [(f.filename, f.data) for f in dm.files] == [
        ("cohort.png", b"\x89PNG-chart"),
        ("week.json", b'{"steps": 3}'),
    ]
    assert dm.body["embeds"][0]["image"]["url"] == "attachment://cohort.png"


async def test_the_fake_refuses_uploads_the_way_discord_does(fake: FakeDiscord) -> None:
    """Discord's documented answers: 413 with code 40005 for a file over the limit, and
    400 for an `attachments` entry that names no `files[n]` part."""
    fake.size_limits["small-token"] = 8
    url = f"{fake.api_base}/interactions/1/small-token/callback"

    def form(data: bytes, listed_id: int) -> aiohttp.FormData:
        payload = {"type": 4, "data": {"attachments": [{"id": listed_id, "filename": "a.json"}]}}
        body = aiohttp.FormData()
        body.add_field("payload_json", json.dumps(payload), content_type="application/json")
        body.add_field("files[0]", data, filename="a.json", content_type="application/json")
        return body

    async with aiohttp.ClientSession() as session:
        big = await session.post(url, data=form(b"x" * 9, 0))
        assert (big.status, (await big.json())["code"]) == (413, 40005)
        stray = await session.post(url, data=form(b"{}", 3))
        assert (stray.status, (await stray.json())["code"]) == (400, 50035)
        fits = await session.post(url, data=form(b"{}", 0))
        assert fits.status == 200
    [accepted] = fake.with_files()
    assert accepted.files == [SentFile("a.json", b"{}", "application/json")]
