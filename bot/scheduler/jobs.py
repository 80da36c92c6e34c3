"""APScheduler wiring. The database holds every group's schedule; jobs are rebuilt from it
at start and whenever a schedule changes, and nothing about them is pickled. Each job
just asks the engine to send what is due, so a job firing twice sends nothing twice. A
sweep every minute catches reminders, nudges, retries and anything missed."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from bot.clock import SystemClock
from bot.db.engine import SessionFactory
from bot.db.models import Group
from bot.ops.health import Check, scheduler_check
from bot.scheduler.calendar import CHECKIN_DAYS, Cadence
from bot.scheduler.engine import AccountabilityEngine
from bot.timeutil import WEEKDAYS, parse_hhmm

log = logging.getLogger(__name__)


def group_triggers(group: Group) -> dict[str, CronTrigger]:
    tz = ZoneInfo(group.timezone)

    def cron(at: str, weekday: int | None = None) -> CronTrigger:
        t = parse_hhmm(at)
        day = WEEKDAYS[weekday][:3] if weekday is not None else "*"
        return CronTrigger(day_of_week=day, hour=t.hour, minute=t.minute, timezone=tz)

    triggers = {
        "daily": cron(group.daily_time),
        "checkin": cron(group.checkin_time, group.checkin_weekday),
        "summary": cron(group.checkin_time, (group.checkin_weekday + CHECKIN_DAYS) % 7),
    }
    if group.kaggle_cadence != Cadence.OFF.value:
        triggers["kaggle"] = cron(group.kaggle_time, group.kaggle_weekday)
    return triggers


class ScheduleRunner:
    def __init__(
        self, engine: AccountabilityEngine, sessions: SessionFactory, *, sweep_seconds: int = 60
    ) -> None:
        self.engine = engine
        self.sessions = sessions
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
        await self.rebuild()

    async def rebuild(self) -> None:
        """Replace every group's jobs with ones built from the database."""
        for job in self.scheduler.get_jobs():
            if job.id.startswith("group:"):
                job.remove()
        async with self.sessions() as session:
            groups = list(await session.scalars(select(Group).where(Group.paused.is_(False))))
        for group in groups:
            for name, trigger in group_triggers(group).items():
                self.scheduler.add_job(
                    self.sweep,
                    trigger,
                    id=f"group:{group.id}:{name}",
                    coalesce=True,
                    max_instances=1,
                    misfire_grace_time=3600,
                    replace_existing=True,
                )
        log.info("scheduled %d groups", len(groups))

    async def sweep(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            await self.engine.run_due()
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
        await asyncio.sleep(0)  # a run submitted a moment ago gets to start and be counted
        running = set(self._in_flight)
        if running:
            log.info("waiting for %d scheduled run(s) to finish", len(running))
            await asyncio.wait(running, timeout=grace)
        self.scheduler.shutdown(wait=False)
