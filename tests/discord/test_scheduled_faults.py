"""A scheduled post the platform took but whose answer never came back (a timeout, or the
process killed before it marked the post sent) is shown once: the engine's retry carries
the same delivery key, and Discord (`nonce` + `enforce_nonce`) or Slack (message
`metadata`, looked up in the channel's history) finds the first message. End to end: the
engine, the real discord.py, and a fake that behaves as the platform documents."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.discord.app import DiscordPoster
from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock
from bot.messages import Place, Platform
from bot.scheduler import claims
from tests.discord.conftest import DiscordRig
from tests.discord.fake_discord import CHANNEL, GUILD
from tests.faults import DAILY_DUE, Killed, KilledAfterSending, daily_delivery, group_at


def _discord_poster(rig: DiscordRig, app: App) -> DiscordPoster:
    return DiscordPoster(rig.adapter.client, app.seals, retry_delays=(), timeout=0.3)


async def test_discord_a_lost_answer_is_retried_and_shown_once(
    rig: DiscordRig, app: App, clock: ManualClock
) -> None:
    await group_at(app, clock, Place(Platform.DISCORD, GUILD, CHANNEL))
    engine = accountability_engine(app, _discord_poster(rig, app), instance="bot-1")
    rig.fake.take_then_hang(CHANNEL)
    clock.set(DAILY_DUE)
    assert await engine.run_due() == [], "no answer: the post waits for its retry"
    clock.set(DAILY_DUE + timedelta(seconds=31))  # after the backoff
    assert len(await engine.run_due()) == 1
    assert len(rig.fake.messages_in(CHANNEL)) == 1
    row = await daily_delivery(app)
    assert (row.status, row.attempts) == ("sent", 2)


async def test_discord_a_kill_after_discord_took_the_post_leaves_one_message(
    rig: DiscordRig, app: App, clock: ManualClock
) -> None:
    await group_at(app, clock, Place(Platform.DISCORD, GUILD, CHANNEL))
    poster = _discord_poster(rig, app)
    dying = accountability_engine(app, KilledAfterSending(poster), instance="bot-1")
    clock.set(DAILY_DUE)
    with pytest.raises(Killed):
        await dying.run_due()
    assert (await daily_delivery(app)).status == "claimed", "never marked sent"
    restarted = accountability_engine(app, poster, instance="bot-2")
    clock.set(DAILY_DUE + claims.LEASE + timedelta(seconds=1))
    assert len(await restarted.run_due()) == 1
    assert len(rig.fake.messages_in(CHANNEL)) == 1
    assert len(rig.fake.channel_posts(CHANNEL)) == 2, "sent twice, shown once"
