"""APScheduler wiring. APScheduler only wakes the process: the calendar decides when posts
are due and the database keeps what is due next (`bot.services.upcoming`). Two jobs: a
sweep every minute (retries, other processes' leftovers, anything missed), and a wake-up
at the next due time, set again after every run and whenever a schedule changes. A run
sends only what is due, so waking twice sends nothing twice. A third, hourly, keeps the
database's statistics current (`refresh_statistics`)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import SystemClock
from bot.db.engine import refresh_statistics
from bot.events import Event
from bot.ops.health import Check, scheduler_check
from bot.scheduler.engine import AccountabilityEngine

log = logging.getLogger(__name__)

WAKE = "wake"
STATISTICS = "statistics"
STATISTICS_EVERY = timedelta(hours=1)


class ScheduleRunner:
    def __init__(self, engine: AccountabilityEngine, *, sweep_seconds: int = 60) -> None:
        self.engine = engine
        self.sweep_seconds = sweep_seconds
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.last_sweep: datetime | None = None  # when the last sweep finished (engine clock)
        self._in_flight: set[asyncio.Task[Any]] = set()

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    def health(self) -> Check:
        return scheduler_check(
            running=self.running,
            last_run=self.last_sweep,
            every=timedelta(seconds=self.sweep_seconds),
            clock=self.engine.clock,
        )

    async def start(self) -> None:
        self.scheduler.start()
        self.scheduler.add_job(
            self.sweep,
            IntervalTrigger(seconds=self.sweep_seconds),
            id="sweep",
            next_run_time=SystemClock().now(),  # APScheduler runs on real time: now, at once
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.add_job(
            self.refresh_statistics,
            IntervalTrigger(seconds=STATISTICS_EVERY.total_seconds()),
            id=STATISTICS,
            coalesce=True,
            max_instances=1,
        )
        await self.wake_in_time()

    async def refresh_statistics(self) -> None:
        try:
            await refresh_statistics(self.engine.sessions)
        except Exception:  # the queries still work, only less quickly; the next hour retries
            log.warning("could not refresh the database's statistics", exc_info=True)

    async def on_event(self, event: Event) -> None:
        """A schedule or a member's clock changed: something may now be due sooner."""
        await self.wake_in_time()

    async def wake_in_time(self) -> None:
        """Set the wake-up for the next due time, if it comes before the next sweep (the
        engine's clock may run ahead of real time, as the console's does)."""
        if not self.scheduler.running:
            return
        due = await self.engine.next_due()
        if due is None:
            return
        ahead = max(timedelta(0), due - self.engine.clock.now())
        if ahead >= timedelta(seconds=self.sweep_seconds):
            return
        at = SystemClock().now() + ahead  # APScheduler runs on real time
        self.scheduler.add_job(
            self.sweep,
            DateTrigger(run_date=at, timezone=UTC),
            id=WAKE,
            replace_existing=True,
            misfire_grace_time=3600,
            max_instances=3,  # a wake-up set while one runs must not be dropped
        )

    async def sweep(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            await self.engine.run_due()
            await self.wake_in_time()
        except Exception:
            log.exception("scheduled delivery run failed; the next run retries")
        finally:
            self.last_sweep = self.engine.clock.now()
            self.engine.metrics.last_sweep.set(self.last_sweep.timestamp())
            if task is not None:
                self._in_flight.discard(task)

    async def stop(self, *, grace: float = 30.0) -> None:
        """Start no new runs, and let a run in progress finish (up to `grace` seconds), so
        a post being sent is marked sent rather than left to its lease."""
        if not self.scheduler.running:
            return
        self.scheduler.pause()  # shutting down straight away would cancel a run mid-send
        self.engine.stop_taking()  # a long run stops after the batch it is sending
        await asyncio.sleep(0)  # a run submitted a moment ago gets to start and be counted
        running = set(self._in_flight)
        if running:
            log.info("waiting for %d scheduled run(s) to finish", len(running))
            await asyncio.wait(running, timeout=grace)
        self.scheduler.shutdown(wait=False)
