"""Scheduled posts on Slack, end to end with slack-sdk against the fake Slack: a resend
never posts twice, a stalled channel or workspace holds up nobody else, sends are paced
under Slack's rate limits, and Slack refuses what it would refuse."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import DELIVERY_EVENT, SlackPoster
from adapters.slack.rate_limits import CHAT_POST_MESSAGE_PER_CHANNEL, SlackPacer
from bot.messages import Actor, Button, Field, Place, Platform, Reply
from bot.ports import Sending
from tests.slack.conftest import slack_settings, text_of
from tests.slack.fake_slack import FakeSlack, Hang

STUDY = Place(Platform.SLACK, "T1", "C-study")
ANA = Actor("U-ana", "ana")
DAILY = Reply(title="Today's resource", body="Read *Python Crash Course*, chapter 2.")


def keys(messages: list[dict[str, Any]]) -> list[str]:
    return [m["metadata"]["event_payload"]["key"] for m in messages]


async def test_a_post_slack_took_whose_answer_was_lost_is_not_posted_again(
    fake_slack: FakeSlack, poster: SlackPoster
) -> None:
    fake_slack.hangs["C-study"] = Hang()  # Slack keeps the message, the answer never comes
    with pytest.raises(TimeoutError):
        await poster.post(STUDY, DAILY, Sending("daily:C-study:2026-11-18", 1))
    assert len(fake_slack.posted("C-study")) == 1

    del fake_slack.hangs["C-study"]
    await poster.post(STUDY, DAILY, Sending("daily:C-study:2026-11-18", 2))
    await poster.post(STUDY, DAILY, Sending("daily:C-study:2026-11-18", 3))

    [message] = fake_slack.posted("C-study")
    assert message["metadata"] == {
        "event_type": DELIVERY_EVENT,
        "event_payload": {"key": "daily:C-study:2026-11-18"},
    }
    assert "Today's resource" in text_of(message)
    assert fake_slack.called("conversations.history"), "the resend looked before posting"


async def test_a_dm_slack_took_whose_answer_was_lost_is_not_sent_again(
    fake_slack: FakeSlack, poster: SlackPoster
) -> None:
    reminder = Reply(title="A nudge", body="You haven't logged anything this week.")
    fake_slack.hangs["D-U-ana"] = Hang()
    with pytest.raises(TimeoutError):
        await poster.dm(STUDY, ANA, reminder, Sending("nudge:U-ana:2026-W47", 1))
    fake_slack.hangs.clear()
    await poster.dm(STUDY, ANA, reminder, Sending("nudge:U-ana:2026-W47", 2))

    assert keys(fake_slack.posted("D-U-ana")) == ["nudge:U-ana:2026-W47"]
    assert fake_slack.posted("C-study") == []


async def test_a_resend_whose_first_attempt_never_arrived_posts_once(
    fake_slack: FakeSlack, poster: SlackPoster
) -> None:
    fake_slack.hangs["C-study"] = Hang(taken=False)  # lost before Slack saw it
    with pytest.raises(TimeoutError):
        await poster.post(STUDY, DAILY, Sending("daily:C-study:2026-11-19", 1))
    assert fake_slack.posted("C-study") == []

    fake_slack.hangs.clear()
    await poster.post(STUDY, DAILY, Sending("daily:C-study:2026-11-19", 2))
    await poster.post(STUDY, DAILY, Sending("daily:C-study:2026-11-19", 3))
    assert keys(fake_slack.posted("C-study")) == ["daily:C-study:2026-11-19"]


async def test_other_deliveries_in_the_channel_do_not_count_as_this_one(
    fake_slack: FakeSlack, poster: SlackPoster
) -> None:
    await poster.post(STUDY, DAILY, Sending("daily:C-study:2026-11-18", 1))
    await poster.post(STUDY, DAILY, Sending("daily:C-study:2026-11-19", 2))
    assert keys(fake_slack.posted("C-study")) == [
        "daily:C-study:2026-11-18",
        "daily:C-study:2026-11-19",
    ]


async def test_a_5xx_answer_is_resent_only_after_looking(
    fake_slack: FakeSlack, poster: SlackPoster
) -> None:
    fake_slack.joined.add("C-study")
    fake_slack.failures["chat.postMessage"] = [500]
    await poster.post(STUDY, DAILY, Sending("daily:C-study:2026-11-20", 1))
    assert keys(fake_slack.posted("C-study")) == ["daily:C-study:2026-11-20"]
    assert len(fake_slack.called("conversations.history")) == 1


async def test_a_public_channel_is_joined_to_read_it_before_resending(
    fake_slack: FakeSlack, poster: SlackPoster
) -> None:
    assert "C-study" not in fake_slack.joined  # posting there needs no membership
    await poster.post(STUDY, DAILY, Sending("daily:C-study:2026-11-21", 2))
    assert fake_slack.called("conversations.join") == [{"channel": "C-study"}]
    assert len(fake_slack.posted("C-study")) == 1


@pytest.mark.parametrize("stalled", ["C-stuck", "T2"], ids=["channel", "workspace"])
async def test_a_stalled_channel_or_workspace_holds_up_nobody_else(
    fake_slack: FakeSlack, poster: SlackPoster, stalled: str
) -> None:
    fake_slack.latency = 0.05
    fake_slack.channel_teams["C-stuck"] = "T2"
    fake_slack.hangs[stalled] = Hang()
    stuck = asyncio.create_task(
        poster.post(Place(Platform.SLACK, "T2", "C-stuck"), DAILY, Sending("stuck", 1))
    )
    elsewhere = [Place(Platform.SLACK, f"T{n % 2 + 1}", f"C-group-{n}") for n in range(6)]
    others = [poster.post(p, DAILY, Sending(f"daily:{p.channel_id}", 1)) for p in elsewhere]
    others.append(poster.dm(STUDY, ANA, DAILY, Sending("nudge:U-ana", 1)))

    await asyncio.gather(*others)

    assert not stuck.done(), "everyone else was served while the stalled post still waited"
    for place in elsewhere:
        assert keys(fake_slack.posted(place.channel_id)) == [f"daily:{place.channel_id}"]
    assert keys(fake_slack.posted("D-U-ana")) == ["nudge:U-ana"]
    with pytest.raises(TimeoutError):
        await stuck


async def test_a_burst_to_one_channel_is_paced_under_slacks_limit(
    fake_slack: FakeSlack, poster: SlackPoster
) -> None:
    count = CHAT_POST_MESSAGE_PER_CHANNEL.burst + 2  # more than Slack lets through at once
    sends = [poster.post(STUDY, DAILY, Sending(f"post:{n}", 1)) for n in range(count)]
    await asyncio.gather(*sends)
    assert fake_slack.throttled == []
    assert sorted(keys(fake_slack.posted("C-study"))) == [f"post:{n}" for n in range(count)]


async def test_the_fake_answers_an_unpaced_burst_with_429_and_retry_after(
    fake_slack: FakeSlack,
) -> None:
    burst = CHAT_POST_MESSAGE_PER_CHANNEL.burst
    async with aiohttp.ClientSession() as session:
        answers = []
        for n in range(burst + 2):
            async with session.post(
                f"{fake_slack.url}/api/chat.postMessage", json={"channel": "C-x", "text": str(n)}
            ) as response:
                answers.append((response.status, response.headers, await response.json()))
    assert [status for status, _, _ in answers[:burst]] == [200] * burst
    status, headers, body = answers[burst]
    assert status == 429
    assert headers["Retry-After"].isdigit()
    assert body == {"ok": False, "error": "ratelimited"}
    assert len(fake_slack.throttled) == sum(1 for s, _, _ in answers if s == 429)
    assert len(fake_slack.posted("C-x")) == burst


async def test_a_429_is_waited_out_and_posts_once(
    fake_slack: FakeSlack, poster: SlackPoster
) -> None:
    # Slack's Retry-After (plus slack-sdk's jitter) counts toward a call's time limit
    patient = SlackPoster(poster.client, poster.seals, timeout=5)
    fake_slack.failures["chat.postMessage"] = [429]
    await patient.post(STUDY, DAILY, Sending("daily:C-study:2026-11-22", 1))
    assert len(fake_slack.throttled) == 1
    assert keys(fake_slack.posted("C-study")) == ["daily:C-study:2026-11-22"]


async def test_our_largest_replies_fit_in_what_slack_accepts(
    fake_slack: FakeSlack, poster: SlackPoster
) -> None:
    huge = Reply(
        title="T" * 500,
        body="B" * 10_000,
        fields=tuple(Field(f"name {n}" * 50, "v" * 3000, inline=True) for n in range(20)),
        buttons=tuple(Button("L" * 200, "step", {"step": f"s{n}"}) for n in range(30)),
    )
    await poster.post(STUDY, huge, Sending("huge", 1))
    await poster.dm(STUDY, ANA, huge, Sending("huge-dm", 1))
    for channel in ("C-study", "D-U-ana"):
        parts = fake_slack.posted(channel)
        assert len(parts) > 1, "split into several messages, none refused"
        shown = "".join(text_of(part) for part in parts)
        assert shown.count("B") >= 10_000, "no text lost"
        assert sum(text_of(part).count("v" * 100) for part in parts) >= 20 * 30


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str = "Go", action_id: str = "a", value: str = "v") -> dict[str, Any]:
    label = {"type": "plain_text", "text": text}
    return {"type": "button", "text": label, "action_id": action_id, "value": value}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def fields(count: int, size: int = 10) -> dict[str, Any]:
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * size}] * count}


def context(count: int) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * count}


def header(size: int) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": "h" * size}}


# (what, largest Slack accepts, one step over)
LIMITS = {
    "blocks in a message": ([section("s")] * 50, [section("s")] * 51),
    "section text": ([section("s" * 3000)], [section("s" * 3001)]),
    "empty section text": ([section("s")], [section("")]),
    "section fields": ([fields(10)], [fields(11)]),
    "section field text": ([fields(1, 2000)], [fields(1, 2001)]),
    "header text": ([header(150)], [header(151)]),
    "context elements": ([context(10)], [context(11)]),
    "actions elements": ([actions(*[button()] * 25)], [actions(*[button()] * 26)]),
    "button text": ([actions(button("b" * 75))], [actions(button("b" * 76))]),
    "action_id": ([actions(button(action_id="a" * 255))], [actions(button(action_id="a" * 256))]),
    "button value": ([actions(button(value="v" * 2000))], [actions(button(value="v" * 2001))]),
}


@pytest.mark.parametrize("what", list(LIMITS))
async def test_slack_refuses_blocks_over_its_limits(fake_slack: FakeSlack, what: str) -> None:
    largest, over = LIMITS[what]
    client = AsyncWebClient(token="xoxb-test", base_url=slack_settings(fake_slack).slack_api_url)
    await client.chat_postMessage(channel="C-a", text="fallback", blocks=largest)
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="C-b", text="fallback", blocks=over)
    assert refused.value.response["error"] == "invalid_blocks"
    assert len(fake_slack.posted("C-a")) == 1
    assert fake_slack.posted("C-b") == []


async def test_slack_refuses_message_text_over_40000_characters(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=slack_settings(fake_slack).slack_api_url)
    await client.chat_postMessage(channel="C-a", text="x" * 40_000)
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="C-b", text="x" * 40_001)
    assert refused.value.response["error"] == "msg_too_long"
    assert fake_slack.posted("C-b") == []


async def test_history_is_newest_first_windowed_and_shows_metadata_only_when_asked(
    fake_slack: FakeSlack,
) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=slack_settings(fake_slack).slack_api_url)
    fake_slack.joined.add("C-a")
    fake_slack.rate_limited = False
    for n in range(4):
        metadata = {"event_type": "cohort_delivery", "event_payload": {"key": f"k{n}"}}
        await client.chat_postMessage(channel="C-a", text=f"m{n}", metadata=metadata)
    stamps = [m["ts"] for m in fake_slack.posted("C-a")]

    plain = await client.conversations_history(channel="C-a")
    assert [m["text"] for m in plain["messages"]] == ["m3", "m2", "m1", "m0"]
    assert all("metadata" not in m for m in plain["messages"])

    window = await client.conversations_history(
        channel="C-a", oldest=stamps[0], limit=2, include_all_metadata=True
    )
    assert [m["metadata"]["event_payload"]["key"] for m in window["messages"]] == ["k3", "k2"]
    assert window["has_more"] is True
    between = await client.conversations_history(
        channel="C-a", oldest=stamps[0], latest=stamps[3], include_all_metadata=True
    )
    assert [m["text"] for m in between["messages"]] == ["m2", "m1"]

    with pytest.raises(SlackApiError) as outside:
        await client.conversations_history(channel="C-not-joined")
    assert outside.value.response["error"] == "not_in_channel"


async def test_idle_channel_limiters_are_forgotten_and_busy_ones_kept() -> None:
    pacer = SlackPacer(channels=10, workspaces=10)
    busy = pacer.channel("T1", "C-busy", "chat.postMessage")
    await busy.acquire()
    for n in range(500):
        pacer.channel("T1", f"C-{n}", "chat.postMessage")
    assert pacer.tracked <= 10 + 1
    assert pacer.channel("T1", "C-busy", "chat.postMessage") is busy, "its pace is kept"
