"""Engines and sessions. One AsyncSession per unit of work, never shared between tasks."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.errors import ConfigError

log = logging.getLogger(__name__)
SessionFactory = async_sessionmaker[AsyncSession]


def make_engine(url: str, *, pool_size: int = 5) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(url, pool_size=pool_size, pool_pre_ping=True)


async def wait_for_database(engine: AsyncEngine, patience: float) -> None:
    """Return once the database answers. A server that is still starting (as PostgreSQL
    is when a whole deployment starts at once) is waited for, saying so, for up to
    `patience` seconds; then a ConfigError says where Cohort looked and what failed."""
    deadline = time.monotonic() + patience
    delay = 0.5
    where = engine.url.render_as_string(hide_password=True)
    while True:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (OSError, DBAPIError) as error:
            reason = _reason(error)
            if _refused_for_good(error) or time.monotonic() + delay > deadline:
                msg = (
                    f"Could not reach the database at {where}: {reason}. Check "
                    "COHORT_DATABASE_URL, and that the database server is running."
                )
                raise ConfigError(msg) from None
            log.warning("waiting for the database at %s (%s)", where, reason)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        else:
            return


def _reason(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    return f"{type(cause).__name__}: {cause}".strip().splitlines()[0][:200]


def _refused_for_good(error: BaseException) -> bool:
    """A wrong password or database name will not fix itself by waiting."""
    text_ = str(getattr(error, "orig", error)).lower()
    return any(
        sign in text_
        for sign in ("password authentication failed", "does not exist", "no password supplied")
    )


def make_sessions(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module begins transactions only before writes, so a SAVEPOINT would start
    # (and its RELEASE commit) a transaction of its own, and a failed command would keep its
    # first inserts. We begin every transaction ourselves instead, as PostgreSQL does:
    # IMMEDIATE, so it waits its turn to write at the start (busy_timeout) rather than
    # failing when a read-then-write transaction finds another writer got there first.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
