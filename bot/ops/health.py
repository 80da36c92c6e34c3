"""Is this Cohort process healthy? The database answers, the scheduler runs, and every
platform it serves is connected. `GET /healthz` shows the report."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from bot.clock import Clock
from bot.db.engine import SessionFactory

DATABASE_TIMEOUT = 3.0  # seconds


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class HealthReport:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in self.checks},
        }


async def database_check(sessions: SessionFactory) -> Check:
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT), sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception as error:
        return Check("database", ok=False, detail=f"unreachable: {type(error).__name__}")
    return Check("database", ok=True, detail="reachable")


def scheduler_check(
    *, running: bool, last_run: datetime | None, every: timedelta, clock: Clock
) -> Check:
    """Running, and its last run finished within three intervals (a stuck run shows)."""
    if not running:
        return Check("scheduler", ok=False, detail="stopped")
    if last_run is None:
        return Check("scheduler", ok=True, detail="starting")
    late = clock.now() - last_run
    if late > 3 * every:
        return Check("scheduler", ok=False, detail=f"no run for {int(late.total_seconds())} s")
    return Check("scheduler", ok=True, detail="running")


async def health(
    sessions: SessionFactory,
    scheduler: Callable[[], Check],
    platforms: Mapping[str, Callable[[], Awaitable[bool]]],
) -> HealthReport:
    checks = [await database_check(sessions), scheduler()]
    for name, connected in platforms.items():
        up = await connected()
        checks.append(Check(name, ok=up, detail="connected" if up else "disconnected"))
    return HealthReport(tuple(checks))
