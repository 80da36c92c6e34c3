"""The accountability engine: find what is due, claim it, say it, send it, mark it.

Every instance may run it: claims in the database make each post go out once. A post
missed while the bot was down goes out late while it is still useful (a daily resource
the same day, a reminder before the check-in closes), and is skipped after that."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import Community, DeliveryStatus, Group, Member
from bot.messages import Actor, Place, Platform
from bot.ops.metrics import Metrics
from bot.ports import Poster
from bot.roadmap.catalog import Catalog
from bot.scheduler import claims, compose
from bot.scheduler.calendar import (
    REMINDER_AFTER,
    CheckinWindow,
    Kind,
    Occurrence,
    Schedule,
    group_occurrences,
    windows_between,
)
from bot.services import groups
from bot.timeutil import after_quiet_hours

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=2)  # how far back a (re)started bot looks for missed posts
NUDGE_AFTER = (7, 14)  # days of silence before each nudge; then the bot stops
NUDGE_USEFUL_FOR = timedelta(days=7)


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
        """Everything due in (start, end] for every active group, in time order."""
        found: list[Occurrence] = []
        async with self.sessions() as session:
            query = select(Group).where(Group.paused.is_(False))
            if self.platforms is not None:
                served = [p.value for p in self.platforms]
                query = query.join(Community, Community.id == Group.community_id).where(
                    Community.platform.in_(served)
                )
            active = await session.scalars(query)
            nudged: set[int] = set()
            for group in active:
                schedule = Schedule.of(group)
                since = max(start, group.created_at)  # nothing from before the group existed
                found += group_occurrences(group.id, schedule, since, end)
                members = await groups.members_of(session, group)
                found += _reminders(group, schedule, members, since, end)
                fresh = [m for m in members if m.id not in nudged]
                nudged.update(m.id for m in fresh)
                last = await groups.last_activities(session, fresh, end)
                for member in fresh:
                    found += _nudges(group, member, last[member.id], start, end)
        return sorted(found, key=lambda o: (o.due_at, o.kind.value, o.member_id or 0))

    async def run_due(self) -> list[Occurrence]:
        """Send everything due now and still useful; returns what was sent."""
        async with self._lock:
            now = self.clock.now()
            due = [o for o in await self.due_between(now - LOOKBACK, now) if o.expires_at > now]
            sent = []
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
        attempt = await claims.claim(
            self.sessions, occurrence, community_id=community.id, by=self.instance, now=now
        )
        if not attempt:
            return False
        try:
            async with self.sessions() as session:
                outgoing = await self._compose(session, occurrence, group, now)
            if outgoing is None:
                await claims.finish(
                    self.sessions, occurrence.key, status=DeliveryStatus.SKIPPED, now=now
                )
                self.metrics.deliveries.labels("skipped").inc()
                return False
            place = Place(Platform(community.platform), community.external_id, group.channel_id)
            if outgoing.to_member is not None:
                member = outgoing.to_member
                actor = Actor(member.platform_user_id, member.display_name)
                await self.poster.dm(place, actor, outgoing.reply)
            else:
                await self.poster.post(place, outgoing.reply)
        except Exception as error:  # a platform outage must not stop the other posts
            log.warning("delivery %s failed, will retry: %r", occurrence.key, error)
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
    start: datetime,
    end: datetime,
) -> list[Occurrence]:
    found = []
    for window in windows_between(schedule, start, end):
        for member in members:
            tz = ZoneInfo(member.timezone)
            due = after_quiet_hours(
                window.prompt_at + REMINDER_AFTER, tz, member.quiet_start, member.quiet_end
            )
            if start < due <= end and due < window.deadline:
                found.append(
                    Occurrence(
                        Kind.REMINDER, window.period, due, window.deadline, group.id, member.id
                    )
                )
    return found


def _nudges(
    group: Group, member: Member, last: datetime, start: datetime, end: datetime
) -> list[Occurrence]:
    tz = ZoneInfo(member.timezone)
    found = []
    for days in NUDGE_AFTER:
        due = after_quiet_hours(
            last + timedelta(days=days), tz, member.quiet_start, member.quiet_end
        )
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
