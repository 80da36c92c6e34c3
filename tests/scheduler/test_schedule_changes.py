"""What is scheduled next moves when something changes: a schedule changed while a post
is being sent, a lurker who starts studying, a member who turns reminders back on, a
group that resumes. Nothing due is lost because the scheduler had set its row aside."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.messages import Actor, Place, Reply
from bot.ports import Sending
from bot.scheduler import claims
from bot.scheduler.calendar import Kind, Occurrence
from tests.conftest import Cohort
from tests.scheduler.conftest import Desk, RecordingPoster

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
WED_DAILY = WED_0700 + timedelta(hours=1)  # 09:00 in Berlin
SAT_REMINDER = datetime(2026, 11, 21, 16, 0, tzinfo=UTC)  # a day after Friday's prompt


async def _group(desk: Desk) -> None:
    desk.clock.set(WED_0700)
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")


def _dms(desk: Desk, to: str) -> list[str]:
    return [p.reply.title for p in desk.poster.sent if p.to == to]


@dataclass
class ChangesScheduleWhileSending:
    """An admin changes the schedule while the daily resource is on its way."""

    inner: RecordingPoster
    cohort: Cohort
    line: str
    done: list[str] = field(default_factory=list)

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        if not self.done:
            self.done.append(self.line)
            await self.cohort(self.line, as_="admin")
        await self.inner.post(place, reply, sending)

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        await self.inner.dm(place, actor, reply, sending)


async def test_a_schedule_changed_while_a_post_is_sent_is_kept(desk: Desk) -> None:
    await _group(desk)
    desk.engine.poster = ChangesScheduleWhileSending(
        desk.poster, desk.cohort, "/group schedule kaggle weekly wednesday 10:00"
    )
    await desk.run_until(WED_DAILY + timedelta(hours=2))
    kaggle = [p.at for p in desk.poster.sent if p.reply.title.startswith("🏁")]
    assert kaggle == [WED_0700 + timedelta(hours=2)], "Wednesday 10:00, not a day late"


async def test_a_lurker_who_starts_studying_gets_the_reminder_still_useful(
    desk: Desk,
) -> None:
    await _group(desk)
    await desk.cohort("/next", as_="bo")  # in the group, not studying yet
    await desk.run_until(SAT_REMINDER + timedelta(hours=2))
    assert _dms(desk, "bo") == [], "not a learner when reminders went out"
    await desk.cohort("/log 30m", as_="bo")  # Saturday 18:00: the check-in is still open
    await desk.run_until(SAT_REMINDER + timedelta(hours=3))
    assert _dms(desk, "bo") == ["⏰ Check-in reminder"]


async def test_reminders_turned_back_on_bring_back_what_is_still_useful(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/log 30m", as_="ana")
    await desk.cohort("/me reminders off", as_="ana")
    await desk.run_until(SAT_REMINDER + timedelta(hours=1))
    await desk.cohort("/me quiet 23-07", as_="ana")  # a change that reads her rows
    await desk.run_until(SAT_REMINDER + timedelta(hours=2))
    assert _dms(desk, "ana") == []
    await desk.cohort("/me reminders on", as_="ana")
    await desk.run_until(WED_0700 + timedelta(days=7, hours=1))
    assert _dms(desk, "ana") == ["⏰ Check-in reminder", "👋 Missing you in the group"]


async def test_a_resumed_group_brings_back_its_members_nudges(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/log 30m", as_="ana")  # her first nudge: next Wednesday
    desk.clock.set(WED_0700 + timedelta(days=1))
    await desk.cohort("/group pause", as_="admin")
    await desk.run_until(WED_0700 + timedelta(days=2))
    await desk.cohort("/me quiet 22-07", as_="ana")  # read while her only group is paused
    await desk.run_until(WED_0700 + timedelta(days=3))
    await desk.cohort("/group resume", as_="admin")
    await desk.run_until(WED_0700 + timedelta(days=7, hours=2))
    assert "👋 Missing you in the group" in _dms(desk, "ana")


async def test_claims_many_at_once_fit_the_database(desk: Desk, clock: ManualClock) -> None:
    """More deliveries than one statement could carry on PostgreSQL are claimed in parts."""
    await _group(desk)
    wanted = [
        (Occurrence(Kind.FOCUS, str(n), WED_0700, WED_0700 + timedelta(hours=1), 1, None), 1)
        for n in range(3_100)
    ]
    first = await claims.claim_many(desk.engine.sessions, wanted, by="a", now=clock.now())
    again = await claims.claim_many(desk.engine.sessions, wanted, by="b", now=clock.now())
    assert {c.attempt for c in first.values()} == {1}
    assert len(first) == 3_100
    assert {c.attempt for c in again.values()} == {0}, "held by the first claimant"
