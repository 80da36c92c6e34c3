"""The accountability engine: find what is due, claim it, say it, send it, mark it.

Every instance may run it: claims in the database make each post go out once. A post
missed while the bot was down goes out late while it is still useful (a daily resource
the same day, a reminder before the check-in closes), and is skipped after that.

Who hears from it: reminders and nudges go to learners only (`bot.services.learners`),
with reminders on and not away; after the last nudge a learner hears nothing more until
they are active again; and a member gets at most one reminder or nudge per day of their
own calendar, whatever the number of groups (`claims.spend_dm_day`). Each run also ends
the focus sessions whose time is up, and tells their members, once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import (
    Community,
    Delivery,
    DeliveryStatus,
    FocusSession,
    FocusStatus,
    Group,
    Member,
)
from bot.messages import Actor, Place, Platform
from bot.ops.metrics import Metrics
from bot.ports import Poster
from bot.roadmap.catalog import Catalog
from bot.scheduler import claims, compose
from bot.scheduler.calendar import (
    BUDGETED,
    REMINDER_AFTER,
    CheckinWindow,
    Kind,
    Occurrence,
    Schedule,
    group_occurrences,
    windows_between,
)
from bot.services import groups, learners, study
from bot.timeutil import after_quiet_hours, local_date

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=2)  # how far back a (re)started bot looks for missed posts
NUDGE_AFTER = (7, 14)  # days of silence before each nudge; then the bot stops
NUDGE_USEFUL_FOR = timedelta(days=7)
FOCUS_DM_USEFUL_FOR = timedelta(hours=1)
DM_BUDGET_SPENT = "dm budget"  # a skipped delivery's detail: the member had their DM today

Say = Callable[[AsyncSession], Awaitable[compose.Outgoing | None]]


class AccountabilityEngine:
    def __init__(
        self,
        *,
        sessions: SessionFactory,
        catalog: Catalog,
        clock: Clock,
        poster: Poster,
        instance: str,
        platforms: frozenset[Platform] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.sessions = sessions
        self.catalog = catalog
        self.clock = clock
        self.poster = poster
        self.instance = instance
        self.platforms = platforms  # None: every platform
        self.metrics = metrics or Metrics()
        self._lock = asyncio.Lock()

    async def due_between(self, start: datetime, end: datetime) -> list[Occurrence]:
        """Everything due in (start, end] for every active group, and the ends of focus
        sessions (whose DMs `run_due` sends first), in time order."""
        found: list[Occurrence] = []
        async with self.sessions() as session:
            query = select(Group).where(Group.paused.is_(False))
            if self.platforms is not None:
                query = query.join(Community, Community.id == Group.community_id).where(
                    Community.platform.in_(self._served())
                )
            active = await session.scalars(query)
            nudged: set[int] = set()
            for group in active:
                schedule = Schedule.of(group)
                since = max(start, group.created_at)  # nothing from before the group existed
                found += group_occurrences(group.id, schedule, since, end)
                members = await groups.members_of(session, group)
                reachable = [m for m in members if learners.is_learner(m) and m.reminders]
                last = await groups.last_activities(session, reachable, end)
                found += _reminders(group, schedule, reachable, last, since, end)
                fresh = [m for m in reachable if m.id not in nudged]
                nudged.update(m.id for m in fresh)
                for member in fresh:
                    found += _nudges(group, member, last[member.id], start, end)
            found += await self._focus_ends(session, start, end)
        return sorted(found, key=lambda o: (o.due_at, o.kind.value, o.member_id or 0))

    async def run_due(self) -> list[Occurrence]:
        """End the focus sessions whose time is up, then send everything due now and still
        useful; returns what was sent."""
        async with self._lock:
            now = self.clock.now()
            sent = await self._focus_sessions(now)
            due = [
                o
                for o in await self.due_between(now - LOOKBACK, now)
                if o.expires_at > now and o.kind is not Kind.FOCUS  # sent just above
            ]
            for occurrence in due:
                if await self.deliver(occurrence, now):
                    sent.append(occurrence)
            return sent

    async def deliver(self, occurrence: Occurrence, now: datetime) -> bool:
        async with self.sessions() as session:
            group = await session.get(Group, occurrence.group_id)
            if group is None:
                return False
            community = await session.get(Community, group.community_id)
        if community is None:  # pragma: no cover - groups belong to communities
            return False

        async def say(session: AsyncSession) -> compose.Outgoing | None:
            return await self._compose(session, occurrence, group, now)

        return await self._send(occurrence, community, group.channel_id, now, say)

    async def _send(
        self,
        occurrence: Occurrence,
        community: Community,
        channel_id: str,
        now: datetime,
        say: Say,
    ) -> bool:
        """Claim `occurrence`, compose it, spend the member's DM of the day if it is a
        reminder or nudge, and send it; True when it went out."""
        attempt = await claims.claim(
            self.sessions, occurrence, community_id=community.id, by=self.instance, now=now
        )
        if not attempt:
            return False
        spent: tuple[Member, str] | None = None  # the member's day this delivery took
        try:
            async with self.sessions() as session:
                outgoing = await say(session)
            if outgoing is None:
                await self._skipped(occurrence, now)
                return False
            place = Place(Platform(community.platform), community.external_id, channel_id)
            member = outgoing.to_member
            if member is None:
                await self.poster.post(place, outgoing.reply)
            else:
                if occurrence.kind in BUDGETED:
                    day = local_date(now, ZoneInfo(member.timezone)).isoformat()
                    if not await claims.spend_dm_day(
                        self.sessions,
                        member_id=member.id,
                        community_id=community.id,
                        day=day,
                        key=occurrence.key,
                        now=now,
                    ):
                        await self._skipped(occurrence, now, detail=f"{DM_BUDGET_SPENT}: {day}")
                        return False
                    spent = (member, day)
                actor = Actor(member.platform_user_id, member.display_name)
                await self.poster.dm(place, actor, outgoing.reply)
        except Exception as error:  # a platform outage must not stop the other posts
            log.warning("delivery %s failed, will retry: %r", occurrence.key, error)
            if spent is not None:  # give the day back, so the retry (or another DM) has it
                await claims.release_dm_day(
                    self.sessions, member_id=spent[0].id, day=spent[1], key=occurrence.key
                )
            await claims.failed(self.sessions, occurrence.key, error=repr(error), now=now)
            self.metrics.deliveries.labels("failed").inc()
            return False
        sent_at = self.clock.now()
        await claims.finish(
            self.sessions,
            occurrence.key,
            status=DeliveryStatus.SENT,
            now=sent_at,
            detail=outgoing.detail,
        )
        self.metrics.deliveries.labels("sent").inc()
        if attempt > 1:
            self.metrics.deliveries.labels("retried").inc()
        self.metrics.scheduler_lag.observe(max(0.0, (sent_at - occurrence.due_at).total_seconds()))
        return True

    async def _skipped(
        self, occurrence: Occurrence, now: datetime, detail: str | None = None
    ) -> None:
        await claims.finish(
            self.sessions, occurrence.key, status=DeliveryStatus.SKIPPED, now=now, detail=detail
        )
        self.metrics.deliveries.labels("skipped").inc()

    async def _compose(
        self, session: AsyncSession, occurrence: Occurrence, group: Group, now: datetime
    ) -> compose.Outgoing | None:
        kind = occurrence.kind
        if kind is Kind.DAILY:
            return await compose.daily_resource(session, self.catalog, group, now)
        if kind is Kind.KAGGLE:
            return await compose.kaggle_prompt(session, self.catalog, group, now)
        if kind is Kind.CHECKIN:
            return compose.checkin_prompt(group, _window_of(group, occurrence))
        if kind is Kind.SUMMARY:
            window = _window_of(group, occurrence)
            return await compose.weekly_summary(session, self.catalog, group, window, now)
        member = await session.get(Member, occurrence.member_id)
        if member is None:
            return None
        if kind is Kind.REMINDER:
            window = _window_of(group, occurrence)
            return await compose.checkin_reminder(session, group, member, window, now)
        return await compose.inactivity_nudge(session, self.catalog, group, member, occurrence, now)

    # Focus sessions ---------------------------------------------------------------------

    async def _focus_sessions(self, now: datetime) -> list[Occurrence]:
        """End every running focus session whose time is up (each in a transaction of its
        own, so one that fails holds up no other), then tell each member whose session ran
        its course, once, within the hour."""
        async with self.sessions() as session:
            over = [focus.id for focus in await study.focus_over(session, now)]
        for focus_id in over:
            try:
                await self._end_focus(focus_id, now)
            except Exception:
                log.exception("ending focus session %s failed; the next run retries", focus_id)
        sent = []
        for focus, community in await self._focus_to_tell(now):
            occurrence = _focus_occurrence(focus)

            async def say(
                session: AsyncSession, ended: FocusSession = focus
            ) -> compose.Outgoing | None:
                return await compose.focus_done(session, self.catalog, ended)

            if await self._send(occurrence, community, focus.channel_id, now, say):
                sent.append(occurrence)
        return sent

    async def _focus_ends(
        self, session: AsyncSession, start: datetime, end: datetime
    ) -> list[Occurrence]:
        """Focus sessions that end in (start, end]: their DMs are due then."""
        query = (
            select(FocusSession)
            .join(Community, Community.id == FocusSession.community_id)
            .where(
                FocusSession.status.in_([FocusStatus.RUNNING.value, FocusStatus.FINISHED.value]),
                FocusSession.ends_at > start,
                FocusSession.ends_at <= end,
            )
        )
        if self.platforms is not None:
            query = query.where(Community.platform.in_(self._served()))
        return [_focus_occurrence(focus) for focus in await session.scalars(query)]

    async def _end_focus(self, focus_id: int, now: datetime) -> None:
        async with self.sessions() as session, session.begin():
            focus = await session.get(FocusSession, focus_id)
            if focus is None or focus.status != FocusStatus.RUNNING.value:
                return
            member = await session.get(Member, focus.member_id)
            if member is None:  # pragma: no cover - sessions go with their member
                return
            track = self.catalog.track_or_default(focus.track_id)
            await study.end_focus(session, member, focus, now=now, track=track)

    async def _focus_to_tell(self, now: datetime) -> list[tuple[FocusSession, Community]]:
        """Sessions that ran their course within the hour and whose DM is not settled yet
        (never claimed, or claimed and waiting for a retry)."""
        key = literal("focus:") + cast(FocusSession.id, String)
        settled = select(Delivery.id).where(
            Delivery.key == key,
            Delivery.status.in_([DeliveryStatus.SENT.value, DeliveryStatus.SKIPPED.value]),
        )
        query = (
            select(FocusSession, Community)
            .join(Community, Community.id == FocusSession.community_id)
            .where(
                FocusSession.status == FocusStatus.FINISHED.value,
                FocusSession.ends_at > now - FOCUS_DM_USEFUL_FOR,
                FocusSession.ends_at <= now,
                ~settled.exists(),
            )
            .order_by(FocusSession.ends_at, FocusSession.id)
        )
        if self.platforms is not None:
            query = query.where(Community.platform.in_(self._served()))
        async with self.sessions() as session:
            return [(focus, community) for focus, community in await session.execute(query)]

    def _served(self) -> list[str]:
        return [p.value for p in self.platforms or ()]


def _focus_occurrence(focus: FocusSession) -> Occurrence:
    ends = focus.ends_at
    return Occurrence(
        Kind.FOCUS, str(focus.id), ends, ends + FOCUS_DM_USEFUL_FOR, focus.group_id, focus.member_id
    )


def _window_of(group: Group, occurrence: Occurrence) -> CheckinWindow:
    schedule = Schedule.of(group)
    day = datetime.fromisoformat(occurrence.period).date()
    start = datetime.combine(day, datetime.min.time(), tzinfo=schedule.tz) - timedelta(hours=1)
    found = windows_between(schedule, start, start + timedelta(days=1, hours=2))
    return next(w for w in found if w.period == occurrence.period)


def _reminders(
    group: Group,
    schedule: Schedule,
    members: Sequence[Member],
    last: dict[int, datetime],
    start: datetime,
    end: datetime,
) -> list[Occurrence]:
    """A reminder for each of `members` (learners with reminders on) a day after each
    check-in prompt, out of their quiet hours; none once they are dormant (after the last
    nudge), and none on a day of theirs that a nudge will have."""
    found = []
    for window in windows_between(schedule, start, end):
        for member in members:
            tz = ZoneInfo(member.timezone)
            due = after_quiet_hours(
                window.prompt_at + REMINDER_AFTER, tz, member.quiet_start, member.quiet_end
            )
            if not (start < due <= end and due < window.deadline):
                continue
            if learners.is_dormant(last[member.id], due):
                continue
            if local_date(due, tz) in _nudge_days(member, last[member.id]):
                continue
            found.append(
                Occurrence(Kind.REMINDER, window.period, due, window.deadline, group.id, member.id)
            )
    return found


def _nudge_due(member: Member, last: datetime, days: int) -> datetime:
    tz = ZoneInfo(member.timezone)
    return after_quiet_hours(last + timedelta(days=days), tz, member.quiet_start, member.quiet_end)


def _nudge_days(member: Member, last: datetime) -> set[date]:
    tz = ZoneInfo(member.timezone)
    return {local_date(_nudge_due(member, last, days), tz) for days in NUDGE_AFTER}


def _nudges(
    group: Group, member: Member, last: datetime, start: datetime, end: datetime
) -> list[Occurrence]:
    found = []
    for days in NUDGE_AFTER:
        due = _nudge_due(member, last, days)
        if start < due <= end:
            found.append(
                Occurrence(
                    Kind.NUDGE,
                    compose.nudge_period(last, days),
                    due,
                    due + NUDGE_USEFUL_FOR,
                    group.id,
                    member.id,
                    days,
                )
            )
    return found
