"""The composition root: builds Cohort the same way for production, tests and the console."""

from __future__ import annotations

import gc
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock, SystemClock
from bot.commands import build_registry
from bot.commands.dispatch import Dispatcher
from bot.commands.registry import Registry
from bot.db import migrate
from bot.db.engine import SessionFactory, make_engine, make_sessions, wait_for_database
from bot.messages import Platform
from bot.ops.inflight import InFlight
from bot.ops.metrics import Metrics
from bot.ports import Poster
from bot.roadmap.catalog import Catalog
from bot.roadmap.loader import SHIPPED_CONTENT_DIR, load_catalog
from bot.scheduler.engine import AccountabilityEngine
from bot.seals import PlaceSeals
from bot.settings import Settings


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    catalog: Catalog
    registry: Registry
    dispatcher: Dispatcher
    clock: Clock
    metrics: Metrics
    work: InFlight  # commands and answers in progress, which a graceful stop waits for
    seals: PlaceSeals  # signs the places that buttons and forms carry

    async def close(self) -> None:
        await self.engine.dispose()


async def build_app(
    settings: Settings, *, clock: Clock | None = None, migrate_db: bool = False
) -> App:
    """Everything Cohort needs, wired. The database must be current unless `migrate_db`
    asks to upgrade it; a brand-new embedded SQLite database is always set up."""
    catalog = load_catalog(settings.content_dir or SHIPPED_CONTENT_DIR)
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    try:
        await wait_for_database(engine, settings.db_wait_seconds)
        if migrate_db or await _is_new_sqlite(engine, settings):
            await migrate.upgrade(engine)
        await migrate.ensure_current(engine)
    except BaseException:
        await engine.dispose()
        raise
    sessions = make_sessions(engine)
    registry = build_registry()
    clock = clock or SystemClock()
    metrics, work = Metrics(), InFlight()
    dispatcher = Dispatcher(
        sessions=sessions,
        catalog=catalog,
        registry=registry,
        clock=clock,
        metrics=metrics,
        work=work,
    )
    seals = PlaceSeals(settings.seal_key)
    return App(
        settings, engine, sessions, catalog, registry, dispatcher, clock, metrics, work, seals
    )


def settle() -> None:
    """Called once a long-running bot has started and connected. What starting left behind
    is collected, and everything still alive (modules, the roadmap, the registry, the
    platform clients) is moved out of the garbage collector's way: the oldest
    generation's collections otherwise walk all of it each time, about 90 ms on two CPUs,
    and land on whichever command is running then. Objects made afterwards are collected
    as usual; what is alive now is never freed, so call this once, not per request."""
    gc.collect()
    gc.freeze()


def accountability_engine(
    app: App,
    poster: Poster,
    *,
    instance: str,
    platforms: frozenset[Platform] | None = None,
) -> AccountabilityEngine:
    """The engine that sends `app`'s scheduled posts through `poster`, for the groups on
    `platforms` (all of them by default)."""
    return AccountabilityEngine(
        sessions=app.sessions,
        catalog=app.catalog,
        clock=app.clock,
        poster=poster,
        instance=instance,
        platforms=platforms,
        metrics=app.metrics,
        commands=app.work,
    )


async def _is_new_sqlite(engine: AsyncEngine, settings: Settings) -> bool:
    return settings.database_url.startswith("sqlite") and await _has_no_tables(engine)


async def _has_no_tables(engine: AsyncEngine) -> bool:
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: sync.dialect.get_table_names(sync))
    return not names
