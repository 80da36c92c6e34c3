"""A scheduled post the platform took but whose answer never came back (a timeout, or the
process killed before it marked the post sent) is shown once: the engine's retry carries
the same delivery key, and Discord (`nonce` + `enforce_nonce`) or Slack (message
`metadata`, looked up in the channel's history) finds the first message. End to end: the
engine, the real slack-sdk, and a fake that behaves as the platform documents."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.slack.app import SlackPoster, make_client
from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock
from bot.messages import Place, Platform
from bot.scheduler import claims
from tests.faults import DAILY_DUE, Killed, KilledAfterSending, daily_delivery, group_at
from tests.slack.conftest import slack_settings
from tests.slack.fake_slack import FakeSlack, Hang

SLACK_STUDY = Place(Platform.SLACK, "T1", "C-study")


def _slack_poster(fake: FakeSlack, app: App) -> SlackPoster:
    return SlackPoster(make_client(slack_settings(fake)), app.seals, timeout=0.3)


async def test_slack_a_lost_answer_is_retried_and_shown_once(
    fake_slack: FakeSlack, app: App, clock: ManualClock
) -> None:
    await group_at(app, clock, SLACK_STUDY)
    engine = accountability_engine(app, _slack_poster(fake_slack, app), instance="bot-1")
    fake_slack.hangs["C-study"] = Hang()  # Slack keeps the message; the answer never comes
    clock.set(DAILY_DUE)
    assert await engine.run_due() == []
    del fake_slack.hangs["C-study"]
    clock.set(DAILY_DUE + timedelta(seconds=31))
    assert len(await engine.run_due()) == 1
    assert len(fake_slack.posted("C-study")) == 1
    assert (await daily_delivery(app)).status == "sent"


async def test_slack_a_kill_after_slack_took_the_post_leaves_one_message(
    fake_slack: FakeSlack, app: App, clock: ManualClock
) -> None:
    await group_at(app, clock, SLACK_STUDY)
    poster = _slack_poster(fake_slack, app)
    dying = accountability_engine(app, KilledAfterSending(poster), instance="bot-1")
    clock.set(DAILY_DUE)
    with pytest.raises(Killed):
        await dying.run_due()
    restarted = accountability_engine(app, poster, instance="bot-2")
    clock.set(DAILY_DUE + claims.LEASE + timedelta(seconds=1))
    assert len(await restarted.run_due()) == 1
    assert len(fake_slack.posted("C-study")) == 1
