"""SQLite connections that take each statement to SQLite's thread in one trip.

aiosqlite runs SQLite on a thread of its own and hands every call to it through a queue:
making a cursor, executing, fetching the rows and closing the cursor are four trips there
and back for one statement. On a small virtual machine each trip costs about 0.1 ms, far
more than an indexed read itself, so a command of 16 statements spent most of its time
passing work between threads. Here a statement's whole life (cursor, execute, every row,
close) is one function run on that thread, and the cursor the engine sees only holds what
came back. Transactions, errors and the order of statements are exactly aiosqlite's: the
same thread runs the same calls on the same sqlite3 connection, one after another. Every
row comes back with its statement: SQLite results are never streamed here (nothing in
Cohort reads one larger than a page of members).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Sequence
from functools import partial
from typing import Any

import aiosqlite
from aiosqlite.core import _STOP_RUNNING_SENTINEL  # what ends the thread, after the close

# What one statement brings back: description, rowcount, lastrowid and every row.
_Outcome = tuple[Any, int, int | None, list[Any]]


def connect(database: str, **kwargs: Any) -> _OneTripConnection:
    """A connection to `database` (the engine passes the file and sqlite3's arguments)."""

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, **kwargs)
        return connection

    connection = _OneTripConnection(connector, 64)
    # A worker thread left behind (a test's engine never disposed) must not keep the
    # process alive at exit; SQLAlchemy does the same for plain aiosqlite connections.
    connection._thread.daemon = True
    return connection


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, *, many: bool) -> _Outcome:
    """One statement, start to end, on SQLite's thread."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        # Read after the rows: with RETURNING, SQLite counts the rows as they are stepped.
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class _Statement:
    """The cursor the engine sees: it executes in one trip and serves what came back."""

    arraysize = 1

    def __init__(self, connection: _OneTripConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: deque[Any] = deque()

    def __await__(self) -> Generator[Any, None, _Statement]:
        yield from ()
        return self

    async def __aenter__(self) -> _Statement:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._rows.clear()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> _Statement:
        return await self._trip(sql, () if parameters is None else parameters, many=False)

    async def executemany(self, sql: str, parameters: Sequence[Any]) -> _Statement:
        return await self._trip(sql, parameters, many=True)

    async def _trip(self, sql: str, parameters: Any, *, many: bool) -> _Statement:
        # aiosqlite's own way onto its thread: after whatever was queued before, in order.
        on_thread: Callable[..., Awaitable[_Outcome]] = self._connection._execute
        outcome = await on_thread(partial(_run, many=many), self._connection._conn, sql, parameters)
        self.description, self.rowcount, self.lastrowid, rows = outcome
        self._rows = deque(rows)
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(self.arraysize if size is None else size, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        taken = list(self._rows)
        self._rows.clear()
        return taken

    def __aiter__(self) -> _Statement:
        return self

    async def __anext__(self) -> Any:
        if not self._rows:
            raise StopAsyncIteration
        return self._rows.popleft()

    async def close(self) -> None:
        self._rows.clear()


STOP_WAIT = 1.0  # seconds a connection that failed to open waits for its thread to end


class _OneTripConnection(aiosqlite.Connection):
    """aiosqlite's connection, whose cursors cost no trip of their own, and which stops its
    thread once however often it is told to."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], chunk: int) -> None:
        super().__init__(connector, chunk)
        self._stop_queued = False
        self._stopped: asyncio.Future[Any] | None = None  # answered once the thread ended

    def cursor(self) -> _Statement:  # type: ignore[override]  # made here, not on the thread
        return _Statement(self)

    def stop(self) -> asyncio.Future[Any] | None:
        """Close the sqlite3 connection and end the thread, after what was queued before.

        When a statement is cancelled, SQLAlchemy starts a graceful close and, if that is
        cancelled too, stops the thread; aiosqlite's close then stops it again and waits
        for an answer from a thread that has already ended, so shutdown waited forever.
        Only the first stop reaches the thread; a later one has nothing to wait for. The
        thread reads the connection once: `close` lets go of it meanwhile on the loop."""
        if self._stop_queued:
            return None
        self._stop_queued = True
        self._running = False

        def close_and_stop() -> object:
            connection = self._connection
            if connection is not None:
                connection.close()
                self._connection = None
            return _STOP_RUNNING_SENTINEL

        try:
            future: asyncio.Future[Any] | None = asyncio.get_event_loop().create_future()
        except RuntimeError:  # from a finaliser, with no event loop: nobody waits
            future = None
        self._tx.put_nowait((future, close_and_stop))
        self._stopped = future
        return future

    async def _connect(self) -> _OneTripConnection:
        """Open the sqlite3 connection on the thread. When that fails, aiosqlite stops the
        thread without waiting for it, and the thread then answers on an event loop that
        may have closed meanwhile (and says so on stderr): wait until it has ended (a
        second at most, should opening be stuck on its file system)."""
        try:
            await super()._connect()
        except BaseException:
            if self._stopped is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait({self._stopped}, timeout=STOP_WAIT)
            raise
        return self
