"""The accountability engine: find what is due, claim it, say it, send it, mark it.

What is due is read from the `upcoming` table (`bot.services.upcoming`): a run takes the
rows whose time has come, in batches (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so several
processes share a fan-out), reads the calendar for each from where it was last read, and
moves it on to its next due time. A run with nothing due costs a few statements, whatever
the number of groups and members. Claims in the database make each post go out once; a
retried send carries its delivery's key, so the platform finds the first message instead
of posting a second. A post missed while the bot was down goes out late while it is still
useful (a daily resource the same day, a reminder before the check-in closes), and is
skipped after that.

Sends run concurrently, one destination (a channel, a member's DMs) at a time in due
order, each with a timeout; the platform posters pace them to each platform's limits.

Who hears from it: reminders and nudges go to learners only (`bot.services.learners`),
with reminders on and not away; after the last nudge a learner hears nothing more until
they are active again; and a member gets at most one reminder or nudge per day of their
own calendar, whatever the number of groups (`claims.spend_dm_day`). Each run also ends
the focus sessions whose time is up, and tells their members, once."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from bot.clock import Clock, SettableClock
from bot.db.engine import SessionFactory
from bot.db.models import (
    Community,
    Delivery,
    DeliveryStatus,
    FocusSession,
    FocusStatus,
    Group,
    GroupMember,
    Member,
    Upcoming,
    UpcomingKind,
)
from bot.messages import Actor, Place, Platform
from bot.ops.inflight import InFlight
from bot.ops.metrics import Metrics
from bot.ops.turns import Turns
from bot.ports import Poster, Sending
from bot.roadmap.catalog import Catalog
from bot.scheduler import claims, compose, learning
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
from bot.services import groups, helping, learners, review, study, upcoming
from bot.timeutil import after_quiet_hours, local_date

log = logging.getLogger(__name__)

LOOKBACK = upcoming.LOOKBACK  # how far back a (re)started bot looks for missed posts
NUDGE_AFTER = (7, 14)  # days of silence before each nudge; then the bot stops
NUDGE_USEFUL_FOR = timedelta(days=7)
FOCUS_DM_USEFUL_FOR = timedelta(hours=1)
FOCUS_DMS_AT_ONCE = 500  # focus DMs a run sends at most (the rest in the next run)
DM_BUDGET_SPENT = "dm budget"  # a skipped delivery's detail: the member had their DM today
BATCH = 500  # rows taken at once
CONCURRENCY = 64  # destinations sent to at once; the posters pace each platform
OVERLAPPING_BATCHES = 2  # batches under way at once: one still sending, the next being said
MAX_STEPS = 100_000  # runs `run_through` makes before it gives up
SEND_TIMEOUT = 60.0  # seconds for one send, retries included; the posters' own are shorter
# While members' commands are being answered, each post said waits this long at most for
# them to finish first: a fan-out never crowds out a command, and still says 100 posts a
# second when commands never stop (faster than any platform takes them).
COMMANDS_FIRST_WITHIN = 0.01

# Says a delivery, reading what the batch read beforehand from `compose.Known`.
Say = Callable[[AsyncSession, compose.Known], Awaitable[compose.Outgoing | None]]


@dataclass
class _Item:
    """One delivery on its way: what, where, how to say it, and how it went."""

    occurrence: Occurrence
    community: Community
    channel_id: str
    say: Say
    group: Group | None = None  # the group it is from, if any
    attempt: int = 0  # ours to send when above 0
    outgoing: compose.Outgoing | None = None
    spent_day: str | None = None  # the member's day of DMs this delivery took
    error: BaseException | None = None
    sent: bool = False
    unmarked: bool = False  # sent, and not marked so yet
    sent_at: datetime | None = None
    retry_at: datetime | None = None  # not settled yet: look again then

    @property
    def place(self) -> Place:
        community = self.community
        return Place(Platform(community.platform), community.external_id, self.channel_id)

    @property
    def destination(self) -> tuple[str, ...]:
        member = self.outgoing.to_member if self.outgoing else None
        if member is not None:
            return ("dm", str(member.id))
        return ("channel", str(self.community.id), self.channel_id)


class _Sender:
    """Sends items as they are said: each destination's items one after another in the order
    they come, up to the engine's `concurrency` destinations at once, each send within its
    `send_timeout`. Sent items are marked in the database together, as many as were sent
    while the previous marks were written (one transaction for many, not one each); what
    the database cannot take now is marked once the batch is done."""

    def __init__(self, engine: AccountabilityEngine) -> None:
        self.engine = engine
        self.slots = engine.slots  # shared by every batch under way
        self.waiting: dict[tuple[str, ...], deque[_Item]] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.to_mark: list[_Item] = []
        self.marking: asyncio.Task[None] | None = None

    def add(self, item: _Item) -> None:
        queue = self.waiting.get(item.destination)
        if queue is not None:  # its destination is being sent to: it goes after
            queue.append(item)
            return
        queue = self.waiting[item.destination] = deque([item])
        task = asyncio.create_task(self._in_turn(item.destination, queue))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def done(self) -> None:
        while self.tasks:
            await asyncio.gather(*self.tasks)
        if self.marking is not None:
            await self.marking

    async def _in_turn(self, destination: tuple[str, ...], queue: deque[_Item]) -> None:
        engine = self.engine
        async with self.slots:
            while queue:
                item = queue.popleft()
                try:
                    async with asyncio.timeout(engine.send_timeout):
                        await engine._send_one(item)
                except Exception as error:  # one post failing must not stop the others
                    item.error = error
                    await engine._quietly(engine._failed(item))
                else:
                    engine._sent(item)
                    self._mark(item)
            # Nothing awaits between the last look at the queue and this: an item said
            # from now on starts a new turn.
            del self.waiting[destination]

    def _mark(self, item: _Item) -> None:
        self.to_mark.append(item)
        if self.marking is None or self.marking.done():
            self.marking = asyncio.create_task(self._write_marks())

    async def _write_marks(self) -> None:
        while self.to_mark:
            items, self.to_mark = self.to_mark, []
            try:
                await self.engine._mark_sent(items)
            except Exception:
                log.warning("marking %d sent deliveries waits for the end of the batch", len(items))


@dataclass(frozen=True)
class _Plan:
    """A taken row, what the calendar says is due for it now, and when it is next due."""

    row: Upcoming
    due: list[_Item]
    next_due: datetime


class Lease:
    """Keeps a batch's rows and claims leased while it is being sent: renewed every third
    of the lease, so a batch that takes long is not taken over by another process."""

    def __init__(self, engine: AccountabilityEngine, row_ids: list[int], until: datetime) -> None:
        self.engine = engine
        self.row_ids = row_ids
        self.until = until
        self.items: list[_Item] = []

    @property
    def in_flight(self) -> list[str]:
        """Deliveries this batch owns and has neither sent nor given up on yet."""
        return [
            i.occurrence.key
            for i in self.items
            if i.attempt and (i.unmarked or not i.sent) and i.error is None
        ]

    @asynccontextmanager
    async def kept(self) -> AsyncIterator[None]:
        renewing = asyncio.create_task(self._renew())
        try:
            yield
        finally:
            renewing.cancel()
            with suppress(asyncio.CancelledError):
                await renewing

    async def _renew(self) -> None:
        engine = self.engine
        while True:
            await asyncio.sleep(claims.LEASE.total_seconds() / 3)
            now = engine.clock.now()
            until = now + claims.LEASE
            try:
                await upcoming.renew(engine.sessions, self.row_ids, held=self.until, until=until)
                await claims.renew(engine.sessions, self.in_flight, by=engine.instance, now=now)
            except Exception:
                log.exception("renewing a batch's lease failed; it may be taken over")
                continue
            self.until = until


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
        batch: int = BATCH,
        concurrency: int = CONCURRENCY,
        send_timeout: float = SEND_TIMEOUT,
        commands: InFlight | None = None,
    ) -> None:
        self.sessions = sessions
        self.catalog = catalog
        self.clock = clock
        self.poster = poster
        self.instance = instance
        self.platforms = platforms  # None: every platform
        self.metrics = metrics or Metrics()
        self.batch = batch
        self.concurrency = concurrency
        self.send_timeout = send_timeout
        self.commands = commands  # members' commands being answered, which go first
        self.commands_first_within = COMMANDS_FIRST_WITHIN
        self._lock = asyncio.Lock()
        # Destinations sent to at once, across the batches under way together.
        self.slots = asyncio.Semaphore(concurrency)
        self._stopping = False

    def stop_taking(self) -> None:
        """Take no more batches (sends already under way finish); for shutting down."""
        self._stopping = True

    async def next_due(self) -> datetime | None:
        """When something may next be due: the earliest row of `upcoming`, or the end of
        a running focus session."""
        found = await upcoming.next_due(self.sessions, self._served())
        query = select(FocusSession.ends_at).where(FocusSession.status == FocusStatus.RUNNING.value)
        served = self._served()
        if served is not None:
            query = query.join(Community, Community.id == FocusSession.community_id).where(
                Community.platform.in_(served)
            )
        async with self.sessions() as session:
            ends = await session.scalar(query.order_by(FocusSession.ends_at).limit(1))
        return min((t for t in (found, ends) if t is not None), default=None)

    async def run_due(self) -> list[Occurrence]:
        """End the focus sessions whose time is up, then send everything due now and still
        useful, a batch at a time; returns what was sent."""
        async with self._lock:
            now = self.clock.now()
            try:
                sent = await self._focus_sessions(now)
            except Exception:  # focus DMs must never hold up the schedule
                log.exception("ending focus sessions failed; the next run retries")
                sent = []
            # A batch is taken as soon as the one before has said all it has: its sends
            # are still under way meanwhile, so the platforms never wait on the database.
            # At most two batches are under way at once (one sending, one being said).
            batches: list[asyncio.Task[list[Occurrence]]] = []
            try:
                while not self._stopping:
                    running = {b for b in batches if not b.done()}
                    if len(running) >= OVERLAPPING_BATCHES:
                        await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                        continue
                    rows = await upcoming.take_due(
                        self.sessions,
                        now=now,
                        lease=claims.LEASE,
                        limit=self.batch,
                        platforms=self._served(),
                    )
                    if rows:
                        said = asyncio.Event()
                        batch = asyncio.create_task(self._run_batch(rows, now, said))
                        batches.append(batch)
                        waiting = asyncio.create_task(said.wait())
                        await asyncio.wait({batch, waiting}, return_when=asyncio.FIRST_COMPLETED)
                        waiting.cancel()
                    if len(rows) < self.batch:
                        break
                    now = self.clock.now()
            finally:
                for done in await asyncio.gather(*batches, return_exceptions=True):
                    if isinstance(done, BaseException):
                        raise done
                    sent += done
            return sent

    async def _run_batch(
        self, rows: Sequence[Upcoming], now: datetime, said: asyncio.Event
    ) -> list[Occurrence]:
        """Plan, claim, say and send a batch of rows, then move them on; `said` is set once
        the last of its items is said (its sends may still be under way)."""
        lease = Lease(self, [row.id for row in rows], now + claims.LEASE)
        async with lease.kept():
            plans = await self._plan(rows, now)
            items = [item for plan in plans for item in plan.due]
            lease.items = items
            # A group's posts go first: a reminder is only sent for a check-in that was.
            to_members = [i for i in items if i.occurrence.member_id is not None]
            posts = [i for i in items if i.occurrence.member_id is None]
            await self._deliver(posts, now, None if to_members else said)
            await self._deliver(to_members, now, said)
        said.set()
        moves = []
        for plan in plans:
            checked, due = now, plan.next_due
            left = [i for i in plan.due if i.retry_at is not None]
            if left:  # read again from the first one not settled, when it may be retried
                checked = min(i.occurrence.due_at for i in left) - timedelta(microseconds=1)
                due = min([due, *(i.retry_at for i in left if i.retry_at is not None)])
            moves.append(upcoming.Moved(plan.row.id, checked, due))
        await upcoming.move_on(self.sessions, moves, held=lease.until)
        return [i.occurrence for i in items if i.sent]

    # Planning ---------------------------------------------------------------------------

    async def _plan(self, rows: Sequence[Upcoming], now: datetime) -> list[_Plan]:
        """Read the calendar for each row from where it was left (at most `LOOKBACK` ago)
        up to now: what is due and still useful, and when the row is next due."""
        help_plans: dict[int, tuple[list[Occurrence], datetime]] = {}
        for row in rows:
            if row.kind == UpcomingKind.HELP.value:
                help_plans[row.id] = await self._plan_help(row, now)
        by_member = (UpcomingKind.NUDGES.value, UpcomingKind.REVIEWS.value)
        async with self.sessions() as session:
            nudged = [r.member_id for r in rows if r.kind in by_member]
            first = await self._first_groups(session, [m for m in nudged if m is not None])
            reviewing = [
                r.member_id
                for r in rows
                if r.kind == UpcomingKind.REVIEWS.value and r.member_id is not None
            ]
            earliest = await review.earliest_due(session, reviewing)
            group_ids = {r.group_id for r in rows if r.group_id is not None} | set(first.values())
            member_ids = {r.member_id for r in rows if r.member_id is not None}
            by_id = {
                g.id: g for g in await session.scalars(select(Group).where(Group.id.in_(group_ids)))
            }
            members = {
                m.id: m
                for m in await session.scalars(
                    select(Member).where(Member.id.in_(member_ids)).options(undefer(Member.review))
                )
            }
            communities = {
                c.id: c
                for c in await session.scalars(
                    select(Community).where(Community.id.in_({r.community_id for r in rows}))
                )
            }
            reachable = [m for m in members.values() if learners.is_learner(m) and m.reminders]
            last = await groups.last_activities(session, reachable, now)
        plans = []
        turns = Turns(give_way=self._after_commands)  # a batch is long: members come first
        for row in rows:
            await turns.take()
            since = max(row.checked_through or now - LOOKBACK, now - LOOKBACK)
            member = members.get(row.member_id) if row.member_id is not None else None
            if row.kind in by_member:
                group = by_id.get(first.get(row.member_id or 0, 0))
            else:
                group = by_id.get(row.group_id or 0)
            community = communities.get(row.community_id)
            if community is None:  # pragma: no cover - rows go with their community
                plans.append(_Plan(row, [], upcoming.NEVER))
                continue
            if row.kind == UpcomingKind.HELP.value:
                found, next_due = help_plans.get(row.id, ([], upcoming.NEVER))
            elif row.kind == UpcomingKind.REVIEWS.value:
                found, next_due = learning.plan_reviews(
                    member,
                    group.id if group is not None and not group.paused else None,
                    earliest.get(row.member_id or 0),
                    since,
                    now,
                )
            else:
                found, next_due = self._read(row, group, member, last, since, now)
            items = [
                self._item(o, community, group, now)
                for o in found
                if group is not None and o.expires_at > now
            ]
            plans.append(_Plan(row, items, next_due))
        return plans

    async def _plan_help(self, row: Upcoming, now: datetime) -> tuple[list[Occurrence], datetime]:
        """A help request's plan, in a transaction of its own: choosing its mentors is a
        write (so that a second look asks the same ones)."""
        request_id = upcoming.request_of(row.scope)
        if request_id is None:  # pragma: no cover - help rows are written with their id
            return [], upcoming.NEVER
        try:
            async with self.sessions() as session, session.begin():
                return await learning.plan_help(session, request_id, now)
        except Exception:  # one request failing must not stop the others
            log.exception("planning help request %s failed; looking again soon", request_id)
            return [], now + helping.LOOK_AGAIN

    def _read(
        self,
        row: Upcoming,
        group: Group | None,
        member: Member | None,
        last: dict[int, datetime],
        since: datetime,
        now: datetime,
    ) -> tuple[list[Occurrence], datetime]:
        """What is due for `row` in (since, now], and when it is next due."""
        if row.kind == UpcomingKind.NUDGES.value:
            # Parked when there is nothing ahead: in no active group, not a learner,
            # reminders off, or quiet since the last nudge. Joining, resuming, a change of
            # settings or studying again reads the row again (`bot.services.upcoming`).
            if member is None or group is None or member.id not in last:
                return [], upcoming.NEVER
            found = _nudges(group, member, last[member.id], since, now)
            ahead = [d for d in _nudge_times(member, last[member.id]) if d > now]
            return found, min(ahead, default=upcoming.NEVER)
        if group is None or group.paused:
            return [], upcoming.NEVER
        schedule = Schedule.of(group)
        since = max(since, group.created_at)  # nothing from before the group existed
        if row.kind == UpcomingKind.POSTS.value:
            found = group_occurrences(group.id, schedule, since, now)
            return found, _next_post(group.id, schedule, now)
        if member is None or member.id not in last:  # parked until they can be reached
            return [], upcoming.NEVER
        found = _reminders(group, schedule, [member], last, since, now)
        if learners.is_dormant(last[member.id], now):
            return found, upcoming.NEVER  # quiet since the last nudge: until they come back
        return found, _next_reminder(schedule, member, now)

    async def _first_groups(self, session: AsyncSession, member_ids: list[int]) -> dict[int, int]:
        """The group each member's nudges come from: their first active group."""
        if not member_ids:
            return {}
        query = (
            select(GroupMember.member_id, func.min(Group.id))
            .join(Group, Group.id == GroupMember.group_id)
            .where(GroupMember.member_id.in_(member_ids), Group.paused.is_(False))
            .group_by(GroupMember.member_id)
        )
        served = self._served()
        if served is not None:
            query = query.join(Community, Community.id == Group.community_id).where(
                Community.platform.in_(served)
            )
        return {
            int(member_id): int(group_id) for member_id, group_id in await session.execute(query)
        }

    def _item(
        self, occurrence: Occurrence, community: Community, group: Group, now: datetime
    ) -> _Item:
        async def say(session: AsyncSession, known: compose.Known) -> compose.Outgoing | None:
            return await self._compose(session, occurrence, group, now, known)

        return _Item(occurrence, community, group.channel_id, say, group)

    # Delivering -------------------------------------------------------------------------

    async def _deliver(
        self, items: Sequence[_Item], now: datetime, said: asyncio.Event | None = None
    ) -> None:
        """Claim `items`, then say each one this caller now owns, one after another, and
        send each as soon as it is said (sends run concurrently while the next are said);
        mark how each went (`sent`, or `retry_at` when it is not settled yet)."""
        if not items:
            return
        claimed = await claims.claim_many(
            self.sessions,
            [(i.occurrence, i.community.id) for i in items],
            by=self.instance,
            now=now,
        )
        for item in items:
            claim = claimed[item.occurrence.key]
            item.attempt, item.retry_at = claim.attempt, claim.retry_at
        sender = _Sender(self)
        known = await self._known([i for i in items if i.attempt], now)
        for item in sorted(items, key=lambda i: i.occurrence.due_at):
            if item.attempt and await self._prepare(item, known, now):
                sender.add(item)
            # Saying a post from what was read ahead awaits nothing, so a batch would be
            # said in one go: let the sends already under way, and commands, have a turn.
            await self._after_commands()
        if said is not None:
            said.set()
        await sender.done()
        unmarked = [i for i in items if i.unmarked]
        if unmarked:  # the claims stay leased meanwhile; a lapse would only resend with its key
            await self._mark_sent(unmarked)

    async def _after_commands(self) -> None:
        """Let the commands being answered finish first (for `commands_first_within` at
        most); with none, just let whatever else is ready run."""
        if self.commands is not None and self.commands.count:
            await self.commands.idle(within=self.commands_first_within)
        else:
            await asyncio.sleep(0)

    async def _mark_sent(self, items: Sequence[_Item]) -> None:
        await claims.finish_many(
            self.sessions,
            [
                claims.Sent(i.occurrence.key, i.outgoing.detail if i.outgoing else None, i.sent_at)
                for i in items
                if i.sent_at is not None
            ],
            by=self.instance,
        )
        for item in items:
            item.unmarked = False

    def _sent(self, item: _Item) -> None:
        item.sent, item.unmarked, item.sent_at = True, True, self.clock.now()
        self.metrics.deliveries.labels("sent").inc()
        if item.attempt > 1:
            self.metrics.deliveries.labels("retried").inc()
        lag = (item.sent_at - item.occurrence.due_at).total_seconds()
        self.metrics.scheduler_lag.observe(max(0.0, lag))

    async def _known(self, items: Sequence[_Item], now: datetime) -> compose.Known:
        """What saying `items` will read, read for all of them at once. If that fails,
        each is said reading its own."""
        wanted = [(i.occurrence.kind, i.group) for i in items if i.group is not None]
        if not any(kind in compose.KNOWN_BEFOREHAND for kind, _ in wanted):
            return compose.Known()
        try:
            async with self.sessions() as session:
                return await compose.known_for(session, self.catalog, wanted, now)
        except Exception:
            log.exception("reading ahead for %d deliveries failed; each reads its own", len(items))
            return compose.Known()

    async def _prepare(self, item: _Item, known: compose.Known, now: datetime) -> bool:
        """Say the item and, for a reminder or nudge, spend its member's DM of the day;
        False when there is nothing to send (it is settled as skipped) or saying failed."""
        occurrence = item.occurrence
        try:
            async with self.sessions() as session:
                item.outgoing = await item.say(session, known)
        except Exception as error:
            item.error = error
            await self._failed(item)
            return False
        member = item.outgoing.to_member if item.outgoing else None
        if item.outgoing is None:
            await self._skipped(occurrence, now)
            return False
        if member is not None and occurrence.kind in BUDGETED:
            day = local_date(now, ZoneInfo(member.timezone)).isoformat()
            if not await claims.spend_dm_day(
                self.sessions,
                member_id=member.id,
                community_id=item.community.id,
                day=day,
                key=occurrence.key,
                now=now,
            ):
                await self._skipped(occurrence, now, detail=f"{DM_BUDGET_SPENT}: {day}")
                return False
            item.spent_day = day
        return True

    async def _quietly(self, marking: Awaitable[None]) -> None:
        """Marking a failure must not stop the other sends: its claim lapses and is
        retried."""
        try:
            await marking
        except Exception:
            log.exception("marking a failed delivery failed; its claim lapses and is retried")

    async def _send_one(self, item: _Item) -> None:
        assert item.outgoing is not None  # said before it is sent
        sending = Sending(item.occurrence.key, item.attempt)
        member = item.outgoing.to_member
        if member is None:
            await self.poster.post(item.place, item.outgoing.reply, sending)
        else:
            actor = Actor(member.platform_user_id, member.display_name)
            await self.poster.dm(item.place, actor, item.outgoing.reply, sending)

    async def _failed(self, item: _Item) -> None:
        key = item.occurrence.key
        log.warning("delivery %s failed, will retry: %r", key, item.error)
        member = item.outgoing.to_member if item.outgoing else None
        if item.spent_day is not None and member is not None:
            # give the day back, so the retry (or another DM) has it
            await claims.release_dm_day(
                self.sessions, member_id=member.id, day=item.spent_day, key=key
            )
        item.retry_at = await claims.failed(
            self.sessions, key, error=repr(item.error), now=self.clock.now(), by=self.instance
        )
        self.metrics.deliveries.labels("failed").inc()

    async def _skipped(
        self, occurrence: Occurrence, now: datetime, detail: str | None = None
    ) -> None:
        await claims.finish(
            self.sessions,
            occurrence.key,
            status=DeliveryStatus.SKIPPED,
            now=now,
            detail=detail,
            by=self.instance,
        )
        self.metrics.deliveries.labels("skipped").inc()

    async def _compose(
        self,
        session: AsyncSession,
        occurrence: Occurrence,
        group: Group,
        now: datetime,
        known: compose.Known,
    ) -> compose.Outgoing | None:
        kind = occurrence.kind
        if kind is Kind.HELP_POST:
            return await learning.help_post(session, self.catalog, occurrence)
        if kind is Kind.HELP_DM:
            return await learning.help_dm(session, self.catalog, group, occurrence)
        if kind is Kind.HELP_NEWS:
            return await learning.help_news(session, self.catalog, occurrence)
        if kind is Kind.DAILY:
            return await compose.daily_resource(session, self.catalog, group, now, known)
        if kind is Kind.KAGGLE:
            return await compose.kaggle_prompt(session, self.catalog, group, now, known)
        if kind is Kind.CHECKIN:
            return compose.checkin_prompt(group, _window_of(group, occurrence))
        if kind is Kind.SUMMARY:
            window = _window_of(group, occurrence)
            return await compose.weekly_summary(session, self.catalog, group, window, now)
        member = await session.get(Member, occurrence.member_id, options=[undefer(Member.review)])
        if member is None:
            return None
        if kind is Kind.REVIEW:
            return await learning.review_dm(session, self.catalog, member, now)
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
        items = []
        for focus, community in await self._focus_to_tell(now):

            async def say(
                session: AsyncSession, _known: compose.Known, ended: FocusSession = focus
            ) -> compose.Outgoing | None:
                return await compose.focus_done(session, self.catalog, ended)

            items.append(_Item(_focus_occurrence(focus), community, focus.channel_id, say))
        await self._deliver(items, now)
        return [i.occurrence for i in items if i.sent]

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
            .limit(FOCUS_DMS_AT_ONCE)
        )
        served = self._served()
        if served is not None:
            query = query.where(Community.platform.in_(served))
        async with self.sessions() as session:
            return [(focus, community) for focus, community in await session.execute(query)]

    def _served(self) -> list[str] | None:
        return None if self.platforms is None else [p.value for p in self.platforms]


async def run_through(engine: AccountabilityEngine, clock: SettableClock, end: datetime) -> None:
    """Move a manual clock on to `end`, running the engine at each moment something comes
    due on the way, as the scheduler's wake-ups would (the console's time travel, tests)."""
    repeats: list[datetime] = []
    for _ in range(MAX_STEPS):
        due = await engine.next_due()
        repeats = [*repeats, due] if repeats and repeats[-1] == due else [due] if due else []
        if due is None or due > end or len(repeats) > 3:  # the same again and again: stuck
            break
        clock.set(max(due, clock.now()))
        await engine.run_due()
    else:  # pragma: no cover - every row moves on to a later time when it is read
        msg = f"the schedule did not move on after {MAX_STEPS} runs"
        raise RuntimeError(msg)
    clock.set(end)
    await engine.run_due()


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


def _nudge_times(member: Member, last: datetime) -> list[datetime]:
    return [_nudge_due(member, last, days) for days in NUDGE_AFTER]


def _nudge_days(member: Member, last: datetime) -> set[date]:
    tz = ZoneInfo(member.timezone)
    return {local_date(due, tz) for due in _nudge_times(member, last)}


def _next_post(group_id: int, schedule: Schedule, now: datetime) -> datetime:
    """The group's first post after `now` (there is one every day)."""
    ahead = group_occurrences(group_id, schedule, now, now + timedelta(days=2))
    return ahead[0].due_at if ahead else now + timedelta(days=1)


def _next_reminder(schedule: Schedule, member: Member, now: datetime) -> datetime:
    """When the member's next check-in reminder would come, whether or not they will need
    it then (that is decided when it comes)."""
    tz = ZoneInfo(member.timezone)
    ahead = []
    for window in windows_between(schedule, now, now + timedelta(days=8)):
        due = after_quiet_hours(
            window.prompt_at + REMINDER_AFTER, tz, member.quiet_start, member.quiet_end
        )
        if now < due < window.deadline:
            ahead.append(due)
    return min(ahead, default=now + timedelta(days=7))


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
