"""Pictures on Slack, end to end: each goes up through Slack's upload flow
(files.getUploadURLExternal, the bytes, files.completeUploadExternal) with its alt text,
into the channel after a reply the channel sees, or into the member's DM for an ephemeral
one; the App Home shows the card as an image block of that file; and the text reply stays
whole, also when Slack takes no picture."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import app as slack_app
from adapters.slack import limits, translate
from adapters.slack.app import SlackPoster
from bot import cards
from bot.markup import plain_text
from bot.messages import Place, Platform, Reply
from bot.ports import Sending
from tests.cards.examples import WEEK
from tests.cards.support import near, opened, pixel
from tests.slack.conftest import SlackRig
from tests.slack.fake_slack import FakeSlack
from tests.slack.test_limits import huge_reply

HOME_OPENED = {
    "token": "legacy",
    "team_id": "T1",
    "api_app_id": "A1",
    "type": "event_callback",
    "event_id": "Ev1",
    "event_time": 1,
    "event": {"type": "app_home_opened", "user": "U-ana", "channel": "D1", "tab": "home"},
}


def text_of(message: dict[str, Any]) -> str:
    """Every text a person reads in a message or view, context lines included."""
    parts = []
    for block in message.get("blocks", []):
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [f["text"] for f in block.get("fields", [])]
        for element in block.get("elements", []):
            text = element.get("text")
            parts.append(text["text"] if isinstance(text, dict) else str(text or ""))
    return "\n".join(parts)


def upload_steps(fake: FakeSlack) -> list[str]:
    return [c.method for c in fake.calls if c.method.startswith("files.") or c.method == "upload"]


async def test_an_ephemeral_progress_sends_its_card_to_the_members_dm(rig: SlackRig) -> None:
    await rig.slash("done python-basics")
    answer = await rig.slash("progress")

    assert answer["response_type"] == "ephemeral"
    assert "Your progress" in text_of(answer), "the text is all there"
    assert "Your card is on its way to your DMs with me" in text_of(answer)
    [shared] = await rig.fake.wait_for(lambda: rig.fake.files.get("D-U-ana"))
    assert upload_steps(rig.fake) == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    [asked] = rig.fake.called("files.getUploadURLExternal")
    assert asked["alt_txt"].startswith("Progress card for ana on Machine Learning Engineer")
    image = opened(shared.data)
    assert image.size == (800, 500)
    assert near(pixel(image, 2, 2), cards.LIGHT.background), "light, as Slack's own theme"
    assert list(rig.fake.files) == ["D-U-ana"], "never into the channel"


async def test_a_public_leaderboard_shares_its_card_into_the_channel_after_the_text(
    rig: SlackRig,
) -> None:
    await rig.slash("done python-basics")
    await rig.slash("done python-basics", user="U-ben", name="ben")
    await rig.slash("done dev-tools", user="U-ben", name="ben")
    answer = await rig.slash("leaderboard")

    assert answer["response_type"] == "in_channel"
    assert "*ben* · 2 steps" in text_of(answer)
    [shared] = await rig.fake.wait_for(lambda: rig.fake.files.get("C-study"))
    [asked] = [
        c for c in rig.fake.called("files.getUploadURLExternal") if "Leaderboard" in c["alt_txt"]
    ]
    assert "1. ben, 2 steps; 2. ana, 1 step." in asked["alt_txt"]
    assert len(asked["alt_txt"]) <= 1000
    assert opened(shared.data).size[0] == 800
    [shown] = [m for m in rig.fake.posted("C-study") if m.get("files")]
    assert shown["files"][0]["id"] == shared.file_id, "the share is a message of the channel"


async def test_when_slack_takes_no_picture_the_reply_goes_on_alone(rig: SlackRig) -> None:
    rig.fake.upload_limit = 1000  # a workspace that restricts the size of uploads
    answer = await rig.slash("progress")
    assert "Your progress" in text_of(answer)
    # The answer did not wait for the card, so it said the card was coming; now it is not.
    [_, after] = await rig.fake.wait_for(
        lambda: len(rig.fake.responses) == 2 and rig.fake.responses
    )
    assert "couldn't send your card" in text_of(after)
    assert after["response_type"] == "ephemeral"
    assert rig.fake.files == {}


@pytest.mark.usefixtures("cards_cannot_be_drawn")
async def test_a_card_that_cannot_be_drawn_is_said_not_to_come(rig: SlackRig) -> None:
    answer = await rig.slash("progress")
    assert "Your progress" in text_of(answer)
    [_, after] = await rig.fake.wait_for(
        lambda: len(rig.fake.responses) == 2 and rig.fake.responses
    )
    assert "couldn't send your card" in text_of(after)
    assert rig.fake.files == {}
    assert rig.fake.called("conversations.open") == [], "no DM opened for a card not drawn"


async def test_the_answer_comes_before_its_card_and_the_dm_is_opened_once(
    rig: SlackRig,
) -> None:
    rig.fake.latency = 0.3  # every Web API call: a card's upload takes a second or so
    for number in range(1, 4):
        answer = await rig.slash("progress")
        assert "on its way" in text_of(answer)
        assert len(rig.fake.called("files.completeUploadExternal")) == number - 1, (
            "the member has their answer while the card is still uploading"
        )
        await rig.fake.wait_for(lambda n=number: len(rig.fake.files.get("D-U-ana", [])) == n)
    assert len(rig.fake.called("conversations.open")) == 1, "the member's DM is remembered"
    assert [len(files) for files in rig.fake.files.values()] == [3]


async def test_pictures_turned_off_mean_no_uploads(rig: SlackRig) -> None:
    await rig.slash("me images off")
    answer = await rig.slash("progress")
    assert "Your progress" in text_of(answer)
    assert upload_steps(rig.fake) == []


async def test_the_app_home_shows_the_card_as_an_image_of_the_shared_file(rig: SlackRig) -> None:
    await rig.slash("help")
    body = json.dumps(HOME_OPENED)
    assert await rig.post(body, content_type="application/json") == 200
    home = (await rig.fake.wait_for(lambda: rig.fake.called("views.publish")[1:]))[0]
    [image_block] = [b for b in home["view"]["blocks"] if b["type"] == "image"]
    [shared] = rig.fake.files["D-U-ana"]
    assert image_block["slack_file"] == {"id": shared.file_id}
    assert plain_text(image_block["alt_text"]).startswith("Progress card for")

    # A command that changes nothing on the card keeps it, without another upload.
    await rig.slash("help")
    await rig.fake.wait_for(lambda: len(rig.fake.called("views.publish")) == 3)
    kept = rig.fake.called("views.publish")[-1]["view"]["blocks"]
    assert {"type": "image", "slack_file": {"id": shared.file_id}} in [
        {k: b[k] for k in ("type", "slack_file")} for b in kept if b["type"] == "image"
    ]
    # One that changes it leaves the old card out until the home is opened again.
    await rig.slash("done python-basics")
    changed = await rig.fake.wait_for(
        lambda: [h for h in rig.fake.called("views.publish") if "1 of" in text_of(h["view"])]
    )
    assert all(b["type"] != "image" for b in changed[-1]["view"]["blocks"])
    assert len(rig.fake.files["D-U-ana"]) == 1
    again = json.dumps({**HOME_OPENED, "event_id": "Ev2"})  # opened again
    assert await rig.post(again, content_type="application/json") == 200
    await rig.fake.wait_for(lambda: len(rig.fake.files["D-U-ana"]) == 2)
    fresh = {"id": rig.fake.files["D-U-ana"][1].file_id}
    await rig.fake.wait_for(
        lambda: [
            b
            for b in rig.fake.called("views.publish")[-1]["view"]["blocks"]
            if b.get("slack_file") == fresh
        ]
    )


async def test_the_fake_refuses_an_image_of_a_file_never_shared(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=f"{fake_slack.url}/api/")
    alone = await client.files_upload_v2(filename="a.png", content=b"\x89PNG-a", title="a")
    shared = await client.files_upload_v2(
        filename="b.png", content=b"\x89PNG-b", title="b", channel="C-study"
    )

    def home(file_id: str) -> dict[str, Any]:
        image = {"type": "image", "slack_file": {"id": file_id}, "alt_text": "a card"}
        return {"type": "home", "blocks": [image]}

    with pytest.raises(SlackApiError) as refused:  # uploaded alone: only the uploader sees it
        await client.views_publish(user_id="U-ana", view=home(alone["file"]["id"]))
    assert refused.value.response["error"] == "invalid_arguments"
    await client.views_publish(user_id="U-ana", view=home(shared["file"]["id"]))
    with pytest.raises(SlackApiError):  # an image needs its alt text
        await client.views_publish(
            user_id="U-ana",
            view={"type": "home", "blocks": [{"type": "image", "slack_file": {"id": "F1"}}]},
        )


async def test_a_scheduled_post_shares_its_picture_once(
    poster: SlackPoster, fake_slack: FakeSlack
) -> None:
    picture = cards.render(WEEK, cards.LIGHT)
    reply = Reply(title="📊 Weekly summary", body="Here's how the group did.", image=picture)
    place = Place(Platform.SLACK, "T1", "C-study")
    sending = Sending("summary:C-study:2026-11-20")
    await poster.post(place, reply, sending)
    await poster.post(place, reply, Sending(sending.key, attempt=2))  # a resend

    [shared] = fake_slack.files["C-study"]
    assert shared.data == picture.png
    assert shared.filename == f"cohort-{sending.token(16)}.png"
    messages: list[dict[str, Any]] = fake_slack.posted("C-study")
    assert [bool(m.get("files")) for m in messages] == [False, True], "text, then picture"
    [asked] = fake_slack.called("files.getUploadURLExternal")
    assert asked["alt_txt"].startswith("Week at a glance in #ml-study")


async def test_a_long_answer_whose_card_fails_still_says_so_past_the_response_urls_uses(
    rig: SlackRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    week = cards.render(WEEK, cards.LIGHT)
    reply = replace(huge_reply(characters=60_000), image=week)
    assert len(translate.messages(reply)) >= limits.SlashCommands.RESPONSE_URL_USES

    async def long_answer(*_: Any, **__: Any) -> Reply:
        return reply

    monkeypatch.setattr(rig.adapter.core.dispatcher, "run_line", long_answer)
    rig.fake.upload_limit = 1000  # the card is refused
    await rig.slash("summary")
    [notice] = await rig.fake.wait_for(
        lambda: [
            c
            for c in rig.fake.called("chat.postEphemeral")
            if "couldn't send your card" in c["text"]
        ]
    )
    assert notice["user"] == "U-ana"
    assert rig.fake.refused_responses == [], "never a sixth use of the response URL"


async def test_a_dm_that_no_longer_takes_the_card_is_opened_afresh(rig: SlackRig) -> None:
    await rig.slash("progress")
    await rig.fake.wait_for(lambda: rig.fake.files.get("D-U-ana"))
    rig.adapter._dm_channels[("T1", "U-ana")] = "D-gone"  # a conversation Slack closed
    answer = await rig.slash("progress")
    assert "on its way" in text_of(answer)
    await rig.fake.wait_for(lambda: len(rig.fake.files.get("D-U-ana", [])) == 2)
    assert len(rig.fake.called("conversations.open")) == 2
    assert rig.adapter._dm_channels[("T1", "U-ana")] == "D-U-ana"


async def test_what_is_remembered_of_members_is_bounded_and_forgets_the_longest_kept(
    rig: SlackRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slack_app, "MEMBERS_REMEMBERED", 2)
    for user in ("U-ana", "U-bo", "U-cy"):
        await rig.slash("progress", user=user, name=user.removeprefix("U-"))
        await rig.fake.wait_for(lambda dm=f"D-{user}": rig.fake.files.get(dm))
    assert set(rig.adapter._dm_channels) == {("T1", "U-bo"), ("T1", "U-cy")}
    assert set(rig.adapter._home_pictures) == {("T1", "U-bo"), ("T1", "U-cy")}

    await rig.slash("progress")  # Ana's DM was forgotten: Slack is asked for it again
    await rig.fake.wait_for(lambda: len(rig.fake.files.get("D-U-ana", [])) == 2)
    assert len(rig.fake.called("conversations.open")) == 4
    assert set(rig.adapter._dm_channels) == {("T1", "U-cy"), ("T1", "U-ana")}


async def test_a_member_seen_again_is_remembered_longer_than_one_not_seen_since(
    rig: SlackRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slack_app, "MEMBERS_REMEMBERED", 2)
    for user in ("U-ana", "U-bo", "U-ana", "U-cy"):
        before = len(rig.fake.files.get(f"D-{user}", []))
        await rig.slash("progress", user=user, name=user.removeprefix("U-"))
        await rig.fake.wait_for(
            lambda dm=f"D-{user}", n=before: len(rig.fake.files.get(dm, [])) > n
        )
    assert set(rig.adapter._dm_channels) == {("T1", "U-ana"), ("T1", "U-cy")}
    assert len(rig.fake.called("conversations.open")) == 3, "Ana's DM opened once"
