"""Engines and sessions. One AsyncSession per unit of work, never shared between tasks."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import event, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db import sqlite
from bot.errors import ConfigError

log = logging.getLogger(__name__)
SessionFactory = async_sessionmaker[AsyncSession]
T = TypeVar("T")


# How long a command waits for the database (a free connection, SQLite's write lock) before
# it is answered "busy". Discord wants a first answer within three seconds (the adapter
# defers at two) and Slack's modals are acknowledged only once the command has run, so a
# command that cannot start within two seconds is better told to try again.
WAIT_FOR_DATABASE = 2.0
# PostgreSQL error codes that mean "too busy now" rather than "wrong": no connection slot.
_BUSY_SQLSTATES = frozenset({"53300"})  # too_many_connections
_BUSY_SQLITE_ERRORS = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})
# Values one statement binds at most in an IN list or a multi-row insert: PostgreSQL takes
# 32,767 parameters in one statement and SQLite 32,766; a few columns of 500 rows stay far
# below both.
CHUNK = 500
# Rows of each index SQLite samples when it refreshes its statistics: SQLite's advice is
# 100 to 1,000, which plans as well as reading every row and takes milliseconds.
STATISTICS_ROWS = 1000


def chunked(values: Sequence[T], size: int = CHUNK) -> list[Sequence[T]]:
    """`values` in runs of at most `size`, for statements that bind each of them."""
    return [values[i : i + size] for i in range(0, len(values), size)]


def make_engine(url: str, *, pool_size: int = 5, wait: float = WAIT_FOR_DATABASE) -> AsyncEngine:
    """An engine for `url`. Commands queue for a connection for at most `wait` seconds.

    SQLite takes one writer at a time, and every transaction here begins IMMEDIATE, so a
    second connection adds no throughput: it only moves the queue into SQLite's busy
    handler, which polls with sleeps and serves nobody in order. One connection, with the
    waiting done in the pool (first come, first served), answers a burst fastest; the busy
    timeout then only covers another process holding the lock (a CLI command, a backup).

    On PostgreSQL `pool_size` connections stay open and as many again may be opened for a
    burst; every bot process counts against the server's max_connections (100 by default).
    """
    if url.startswith("sqlite"):
        database = make_url(url).database
        memory = database in {None, "", ":memory:"}  # one static connection: no queue
        pool = {} if memory else {"pool_size": 1, "max_overflow": 0, "pool_timeout": wait}
        # Each statement goes to SQLite's thread in one trip (see bot/db/sqlite.py).
        connect_args = {"timeout": wait, "async_creator_fn": sqlite.connect}
        engine = create_async_engine(url, connect_args=connect_args, **pool)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(wait))
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=wait,
        pool_pre_ping=True,
    )


def is_busy(error: BaseException) -> bool:
    """Whether `error` only says the database could not take the work in time: no pooled
    connection came free, SQLite's write lock stayed taken, or PostgreSQL had no connection
    slot left. Each happens before anything is written, so trying again later can work."""
    if isinstance(error, PoolTimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    cause = error.orig
    return (
        getattr(cause, "sqlite_errorname", None) in _BUSY_SQLITE_ERRORS
        or getattr(cause, "sqlstate", None) in _BUSY_SQLSTATES
    )


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


async def refresh_statistics(sessions: SessionFactory) -> None:
    """Keep what SQLite knows about the data current, so it reads through the right index
    (a group's week of steps through each member's done steps, not every done step in the
    community). SQLite gathers these statistics only when asked; `PRAGMA optimize` does
    it for the tables this connection's queries used, where they are missing or the table
    has grown well past them, sampling at most `STATISTICS_ROWS` rows of each index. The
    scheduler calls this every hour. PostgreSQL's autovacuum does the same on its own."""
    async with sessions() as session, session.begin():
        if session.get_bind().dialect.name != "sqlite":
            return
        await session.execute(text(f"PRAGMA analysis_limit={STATISTICS_ROWS}"))
        await session.execute(text("PRAGMA optimize"))


def make_sessions(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


def _sqlite_pragmas(wait: float) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The sqlite3 module begins transactions only before writes, so a SAVEPOINT would
        # start (and its RELEASE commit) a transaction of its own, and a failed command
        # would keep its first inserts. We begin every transaction ourselves instead, as
        # PostgreSQL does: IMMEDIATE, so it waits its turn to write at the start
        # (busy_timeout) rather than failing when a read-then-write transaction finds
        # another writer got there first. That also makes every transaction see one
        # unchanging database from its first statement to its last.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={round(wait * 1000)}")
        cursor.close()

    return on_connect


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
