"""A study group with a schedule, a recording poster in place of a platform, and an
engine driven by a manual clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pytest

from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock
from bot.messages import Actor, Place, Reply
from bot.ports import Sending
from bot.scheduler.engine import AccountabilityEngine, run_through
from tests.conftest import Cohort


@dataclass(frozen=True)
class Posted:
    at: datetime
    place: Place
    reply: Reply
    to: str | None = None  # the member's name for a DM

    @property
    def kind(self) -> str:
        return self.reply.title


@dataclass
class RecordingPoster:
    """A platform that records what it was asked to post, and can be made to fail."""

    clock: ManualClock
    sent: list[Posted] = field(default_factory=list)
    failures_left: int = 0

    def _maybe_fail(self) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("platform returned 503")

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        self._maybe_fail()
        self.sent.append(Posted(self.clock.now(), place, reply))

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        self._maybe_fail()
        self.sent.append(Posted(self.clock.now(), place, reply, to=actor.display_name))

    def titled(self, prefix: str) -> list[Posted]:
        return [p for p in self.sent if p.reply.title.startswith(prefix)]


@dataclass
class Desk:
    """Commands, the engine and the clock of one study group."""

    cohort: Cohort
    engine: AccountabilityEngine
    poster: RecordingPoster
    clock: ManualClock

    async def run_until(self, instant: datetime) -> None:
        """Let time pass to `instant`, running the engine at every due moment on the way,
        as the scheduler's triggers would."""
        await run_through(self.engine, self.clock, instant)


@pytest.fixture
def poster(clock: ManualClock) -> RecordingPoster:
    return RecordingPoster(clock)


@pytest.fixture
def desk(app: App, cohort: Cohort, poster: RecordingPoster, clock: ManualClock) -> Desk:
    cohort.admins.add("admin")
    return Desk(cohort, accountability_engine(app, poster, instance="test"), poster, clock)
