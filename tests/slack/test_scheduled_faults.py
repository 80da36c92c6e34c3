"""A scheduled post the platform took but whose answer never came back (a timeout, or the
process killed before it marked the post sent) is shown once: the engine's retry carries
the same delivery key, and Discord (`nonce` + `enforce_nonce`) or Slack (message
`metadata`, looked up in the channel's history) finds the first message. End to end: the
engine, the real discord.py and slack-sdk, and fakes that behave as the platforms document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from adapters.slack.app import SlackPoster, make_client
from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock
from bot.db.models import Delivery
from bot.messages import Actor, Place, Platform, Reply
from bot.ports import Poster, Sending
from bot.scheduler import claims
from tests.conftest import Cohort
from tests.slack.conftest import slack_settings
from tests.slack.fake_slack import FakeSlack, Hang

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
DAILY_DUE = WED_0700 + timedelta(hours=1)  # the daily resource, 09:00 in Berlin
SLACK_STUDY = Place(Platform.SLACK, "T1", "C-study")


class Killed(BaseException):
    """The process stopped between the platform taking the post and the "sent" mark."""


class KilledAfterSending:
    def __init__(self, inner: Poster) -> None:
        self.inner = inner

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        await self.inner.post(place, reply, sending)
        raise Killed

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        await self.inner.dm(place, actor, reply, sending)
        raise Killed


async def _group(app: App, clock: ManualClock, place: Place) -> None:
    clock.set(WED_0700)
    cohort = Cohort(app, place=place)
    cohort.admins.add("admin")
    await cohort("/group setup ml-engineer Europe/Berlin", as_="admin")


async def _daily(app: App) -> Delivery:
    async with app.sessions() as session:
        [row] = list(await session.scalars(select(Delivery).where(Delivery.kind == "daily")))
    return row


def _slack_poster(fake: FakeSlack, app: App) -> SlackPoster:
    return SlackPoster(make_client(slack_settings(fake)), app.seals, timeout=0.3)


async def test_slack_a_lost_answer_is_retried_and_shown_once(
    fake_slack: FakeSlack, app: App, clock: ManualClock
) -> None:
    await _group(app, clock, SLACK_STUDY)
    engine = accountability_engine(app, _slack_poster(fake_slack, app), instance="bot-1")
    fake_slack.hangs["C-study"] = Hang()  # Slack keeps the message; the answer never comes
    clock.set(DAILY_DUE)
    assert await engine.run_due() == []
    del fake_slack.hangs["C-study"]
    clock.set(DAILY_DUE + timedelta(seconds=31))
    assert len(await engine.run_due()) == 1
    assert len(fake_slack.posted("C-study")) == 1
    assert (await _daily(app)).status == "sent"


async def test_slack_a_kill_after_slack_took_the_post_leaves_one_message(
    fake_slack: FakeSlack, app: App, clock: ManualClock
) -> None:
    await _group(app, clock, SLACK_STUDY)
    poster = _slack_poster(fake_slack, app)
    dying = accountability_engine(app, KilledAfterSending(poster), instance="bot-1")
    clock.set(DAILY_DUE)
    with pytest.raises(Killed):
        await dying.run_due()
    restarted = accountability_engine(app, poster, instance="bot-2")
    clock.set(DAILY_DUE + claims.LEASE + timedelta(seconds=1))
    assert len(await restarted.run_due()) == 1
    assert len(fake_slack.posted("C-study")) == 1
