"""Scheduled delivery on Discord, end to end with the real discord.py against the fake: a
retry after a lost answer posts nothing twice, a channel that does not answer holds up no
other, and a fan-out to many channels stays under Discord's global rate limit. Also, that
the fake refuses what Discord refuses, so the other tests can trust it."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord
import pytest
from aiolimiter import AsyncLimiter

from adapters.discord.app import DiscordPoster
from bot.bootstrap import App
from bot.messages import Actor, Place, Platform, Reply
from bot.ports import Sending
from tests.discord.conftest import DiscordRig, text_of
from tests.discord.fake_discord import ANA, CHANNEL, GUILD

ANA_DM = f"6{ANA['id'][1:]}"  # the DM channel the fake opens with Ana
TODAY = Reply(title="Today's resource", body="Read the attention paper.")


def place(channel: str = CHANNEL) -> Place:
    return Place(Platform.DISCORD, GUILD, channel)


def channels(first: int, count: int) -> list[str]:
    return [str(first + n) for n in range(count)]


def impatient(rig: DiscordRig, app: App, *, timeout: float = 0.3) -> DiscordPoster:
    """A poster that gives up on an answer quickly and leaves retrying to the engine."""
    return DiscordPoster(rig.adapter.client, app.seals, retry_delays=(), timeout=timeout)


# --- a retry after a lost answer ------------------------------------------------------------


async def test_a_post_whose_answer_was_lost_is_not_posted_again(rig: DiscordRig, app: App) -> None:
    poster = impatient(rig, app)
    first = Sending("daily:group-1:2026-11-18")
    rig.fake.take_then_hang(CHANNEL)
    with pytest.raises(TimeoutError):
        await poster.post(place(), TODAY, first)
    assert len(rig.fake.messages_in(CHANNEL)) == 1, "Discord took it; the answer was lost"

    await poster.post(place(), TODAY, Sending(first.key, attempt=2))

    [shown] = rig.fake.messages_in(CHANNEL)
    assert "Today's resource" in text_of(shown)
    sent = rig.fake.channel_posts(CHANNEL)
    assert len(sent) == 2, "sent twice, shown once"
    assert {(body["nonce"], body["enforce_nonce"]) for body in sent} == {(first.token(25), True)}


async def test_the_posters_own_retry_after_a_timeout_finds_the_first_message(
    rig: DiscordRig, app: App
) -> None:
    poster = DiscordPoster(rig.adapter.client, app.seals, retry_delays=(0.01,), timeout=0.3)
    rig.fake.take_then_hang(CHANNEL, answer_after=5)  # the answer comes, far too late
    await poster.post(place(), TODAY, Sending("daily:group-1:2026-11-18"))
    assert len(rig.fake.messages_in(CHANNEL)) == 1
    assert len(rig.fake.channel_posts(CHANNEL)) == 2


async def test_a_dm_whose_answer_was_lost_is_not_sent_again(rig: DiscordRig, app: App) -> None:
    poster = impatient(rig, app)
    ana = Actor(ANA["id"], "Ana")
    nudge = Reply(title="Check-in reminder", body="How did your week go?")
    rig.fake.take_then_hang(ANA_DM)
    with pytest.raises(TimeoutError):
        await poster.dm(place(), ana, nudge, Sending("checkin-dm:ana:2026-W47"))

    await poster.dm(place(), ana, nudge, Sending("checkin-dm:ana:2026-W47", attempt=2))

    [shown] = rig.fake.messages_in(ANA_DM)
    assert "Check-in reminder" in text_of(shown)


async def test_different_deliveries_to_one_channel_are_different_messages(
    rig: DiscordRig, app: App
) -> None:
    poster = impatient(rig, app)
    await poster.post(place(), TODAY, Sending("daily:group-1:2026-11-18"))
    await poster.post(place(), TODAY, Sending("daily:group-1:2026-11-19"))
    await poster.post(place(), Reply(body="Welcome!"))  # not a scheduled delivery
    assert len(rig.fake.messages_in(CHANNEL)) == 3


# --- a channel that does not answer --------------------------------------------------------


async def test_a_hung_channel_holds_up_no_other_channel(rig: DiscordRig, app: App) -> None:
    poster = impatient(rig, app, timeout=2.0)
    hung, *others = channels(730000000000000000, 6)
    rig.fake.take_then_hang(hung)  # never answered
    stuck = asyncio.create_task(poster.post(place(hung), TODAY, Sending(f"daily:{hung}")))
    await rig.fake.wait_for(lambda: rig.fake.held)

    await asyncio.gather(*(poster.post(place(c), TODAY, Sending(f"daily:{c}")) for c in others))

    assert all(len(rig.fake.messages_in(c)) == 1 for c in others)
    assert not stuck.done(), "the hung channel was still waiting while the others went out"
    with pytest.raises(TimeoutError):
        await stuck  # and then it failed, for the engine to retry later


# --- pacing under the global rate limit ----------------------------------------------------


async def test_a_fan_out_to_many_channels_stays_under_the_global_limit(
    rig: DiscordRig, app: App
) -> None:
    posts = channels(740000000000000000, 60)
    members = channels(800000000000000100, 20)  # each DM is two requests: open, send
    poster = rig.adapter.poster  # as the adapter wires it: the real pace

    await asyncio.gather(
        *(poster.post(place(c), TODAY, Sending(f"daily:{c}")) for c in posts),
        *(poster.dm(place(), Actor(m, "member"), TODAY, Sending(f"nudge:{m}")) for m in members),
    )

    assert rig.fake.rate_limited["global"] == 0
    assert all(len(rig.fake.messages_in(c)) == 1 for c in posts)
    assert all(len(rig.fake.messages_in(f"6{m[1:]}")) == 1 for m in members)


async def test_every_request_of_the_bot_shares_the_pace_not_only_scheduled_posts(
    rig: DiscordRig, app: App
) -> None:
    """Logging in, looking members up and opening DMs count toward the global limit as
    much as posts do; a fan-out that starts beside them still meets no 429."""
    posts = channels(760000000000000000, 45)
    members = channels(800000000000000300, 10)
    rig.fake.guild_members.setdefault(GUILD, set()).update(members)
    http = rig.adapter.client.http
    await asyncio.gather(
        *(http.static_login("fake-token") for _ in range(10)),  # as a reconnect would
        *(http.get_member(int(GUILD), int(m)) for m in members),
        *(rig.adapter.poster.post(place(c), TODAY, Sending(f"daily:{c}")) for c in posts),
    )
    assert rig.fake.rate_limited["global"] == 0
    assert all(len(rig.fake.messages_in(c)) == 1 for c in posts)


async def test_an_unpaced_burst_meets_the_fakes_global_limit(rig: DiscordRig, app: App) -> None:
    """The fake enforces the global limit, so the test above could fail; discord.py waits
    out the global 429s and everything still arrives once."""
    rig.adapter.pace.limiter = AsyncLimiter(1000, 1)  # as good as no pace
    posts = channels(750000000000000000, 80)
    poster = rig.adapter.poster
    await asyncio.gather(*(poster.post(place(c), TODAY, Sending(f"daily:{c}")) for c in posts))
    assert rig.fake.rate_limited["global"] > 0
    assert all(len(rig.fake.messages_in(c)) == 1 for c in posts)


async def test_discord_py_keeps_to_a_channels_message_bucket(rig: DiscordRig, app: App) -> None:
    rig.fake.channel_limit = (2, 0.3)
    poster = impatient(rig, app, timeout=5)
    for day in range(5):
        await poster.post(place(), Reply(body=f"day {day}"), Sending(f"daily:{day}"))
    assert [m["embeds"][0]["description"] for m in rig.fake.messages_in(CHANNEL)] == [
        f"day {day}" for day in range(5)
    ]
    assert rig.fake.rate_limited["user"] == 0, "it learned the bucket from the headers"


async def test_the_fake_answers_a_full_bucket_with_a_429_discord_py_can_read(
    rig: DiscordRig,
) -> None:
    rig.fake.channel_limit = (2, 5.0)
    url = f"{rig.fake.api_base}/channels/{CHANNEL}/messages"
    headers = {"Authorization": "Bot fake-token"}
    async with aiohttp.ClientSession(headers=headers) as http:
        for n in range(2):
            async with http.post(url, json={"content": f"{n}"}) as taken:
                assert taken.status == 200
                assert taken.headers["X-RateLimit-Remaining"] == str(1 - n)
        async with http.post(url, json={"content": "one too many"}) as refused:
            assert refused.status == 429
            body = await refused.json()
            assert refused.headers["Via"], "without Via discord.py takes a 429 for a ban"
            assert refused.headers["X-RateLimit-Scope"] == "user"
            assert int(refused.headers["Retry-After"]) >= body["retry_after"] > 0
            assert body["global"] is False
    assert len(rig.fake.messages_in(CHANNEL)) == 2
    assert rig.fake.rate_limited == {"user": 1}


# --- what Discord refuses ------------------------------------------------------------------


def embed(**fields: Any) -> dict[str, Any]:
    return {"type": "rich", **fields}


def buttons(rows: int, per_row: int, *, label: str = "Go", id_size: int = 10) -> list[Any]:
    return [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 1, "label": label, "custom_id": f"{r}{b}".ljust(id_size, "x")}
                for b in range(per_row)
            ],
        }
        for r in range(rows)
    ]


OVERSIZED = {
    "content": ({"content": "x" * 2001}, "content"),
    "nonce": ({"content": "hi", "nonce": "n" * 26, "enforce_nonce": True}, "nonce"),
    "embeds": ({"embeds": [embed(title="t")] * 11}, "embeds"),
    "title": ({"embeds": [embed(title="t" * 257)]}, "embeds.0.title"),
    "description": ({"embeds": [embed(description="d" * 4097)]}, "embeds.0.description"),
    "fields": (
        {"embeds": [embed(fields=[{"name": "n", "value": "v"}] * 26)]},
        "embeds.0.fields",
    ),
    "field name": (
        {"embeds": [embed(fields=[{"name": "n" * 257, "value": "v"}])]},
        "embeds.0.fields.0.name",
    ),
    "field value": (
        {"embeds": [embed(fields=[{"name": "n", "value": "v" * 1025}])]},
        "embeds.0.fields.0.value",
    ),
    "footer": ({"embeds": [embed(footer={"text": "f" * 2049})]}, "embeds.0.footer.text"),
    "author": ({"embeds": [embed(author={"name": "a" * 257})]}, "embeds.0.author.name"),
    "all embeds": ({"embeds": [embed(description="d" * 3001)] * 2}, "embeds"),
    "action rows": ({"content": "hi", "components": buttons(6, 1)}, "components"),
    "buttons in a row": (
        {"content": "hi", "components": buttons(1, 6)},
        "components.0.components",
    ),
    "button label": (
        {"content": "hi", "components": buttons(1, 1, label="l" * 81)},
        "components.0.components.0.label",
    ),
    "custom id": (
        {"content": "hi", "components": buttons(1, 1, id_size=101)},
        "components.0.components.0.custom_id",
    ),
}


async def create_message(rig: DiscordRig, payload: dict[str, Any]) -> Any:
    """Create Message with exactly `payload`, through discord.py's own HTTP client."""
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=CHANNEL)
    return await rig.adapter.client.http.request(route, json=payload)


@pytest.mark.parametrize(("payload", "where"), OVERSIZED.values(), ids=OVERSIZED.keys())
async def test_the_fake_refuses_what_discord_refuses(
    rig: DiscordRig, payload: dict[str, Any], where: str
) -> None:
    with pytest.raises(discord.HTTPException) as refused:
        await create_message(rig, payload)
    assert (refused.value.status, refused.value.code) == (400, 50035)
    assert f"In {where}:" in refused.value.text, refused.value.text
    assert rig.fake.messages_in(CHANNEL) == []


async def test_the_fake_takes_a_message_at_every_limit(rig: DiscordRig) -> None:
    at_limits = {
        "content": "x" * 2000,
        "nonce": "n" * 25,
        "enforce_nonce": True,
        "embeds": [  # 256 + 4096 + 256 + 1024 + 368 = 6,000 characters in all
            embed(
                title="t" * 256,
                description="d" * 4096,
                fields=[{"name": "n" * 256, "value": "v" * 1024}],
                footer={"text": "f" * 368},
            )
        ],
        "components": buttons(5, 5, label="l" * 80, id_size=100),
    }
    created = await create_message(rig, at_limits)
    assert rig.fake.messages_in(CHANNEL) == [created]
