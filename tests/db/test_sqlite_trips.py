"""SQLite statements each go to SQLite's thread in one trip, and come back with everything
the engine asks of them: rows, counts, new ids, RETURNING rows, errors. On a real file."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import sqlite
from bot.db.engine import make_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'trips.db'}")
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
        )
    yield engine
    await engine.dispose()


async def test_rows_counts_and_new_ids_come_back(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        first = await connection.execute(text("INSERT INTO notes (body) VALUES ('a')"))
        assert first.lastrowid == 1
        many = await connection.execute(
            text("INSERT INTO notes (body) VALUES (:body)"), [{"body": "b"}, {"body": "c"}]
        )
        assert many.rowcount == 2
        changed = await connection.execute(text("UPDATE notes SET body = body || '!'"))
        assert changed.rowcount == 3
        returned = await connection.execute(
            text("DELETE FROM notes WHERE body != 'a!' RETURNING body")
        )
        assert sorted(returned.scalars()) == ["b!", "c!"]
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT id, body FROM notes"))).all() == [(1, "a!")]
        assert (await connection.execute(text("SELECT body FROM notes WHERE 0"))).all() == []


async def test_a_failed_statement_undoes_its_whole_transaction(engine: AsyncEngine) -> None:
    async def twice() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('kept?')"))
            await connection.execute(text("INSERT INTO notes (body) VALUES ('kept?')"))

    with pytest.raises(IntegrityError):
        await twice()
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM notes")) == 0


async def test_each_statement_is_one_trip_to_sqlites_thread(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips: list[str] = []
    original = sqlite._OneTripConnection._execute

    async def counted(self: sqlite._OneTripConnection, fn: Any, *args: Any) -> Any:
        trips.append(getattr(fn, "__name__", getattr(getattr(fn, "func", None), "__name__", "")))
        return await original(self, fn, *args)

    monkeypatch.setattr(sqlite._OneTripConnection, "_execute", counted)
    async with engine.begin() as connection:
        trips.clear()
        for body in "abcde":
            await connection.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": body})
        rows = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).all()
    assert [row.body for row in rows] == list("abcde")
    # Six statements, the commit, and the pool's reset as it takes the connection back.
    # Making the cursor, executing, fetching and closing each used to be a trip.
    assert trips == ["_run"] * 6 + ["commit", "rollback"]


async def test_a_connection_stopped_while_it_closes_still_finishes_closing(
    tmp_path: Path,
) -> None:
    # What SQLAlchemy does to a connection whose statement was cancelled (a command cut
    # short, or shutdown): it starts a graceful close and, when that is cancelled in turn,
    # stops the connection's thread. The close must still finish, or shutting down waits
    # forever on a thread that has already gone.
    connection = await sqlite.connect(str(tmp_path / "closing.db"))
    closing = asyncio.create_task(connection.close())
    await asyncio.sleep(0)  # the graceful close is queued on SQLite's thread
    connection.stop()
    await asyncio.wait_for(closing, timeout=10)
    connection._thread.join(timeout=10)
    assert not connection._thread.is_alive()
    connection.stop()  # stopping again, as a leftover's finaliser may, is harmless


def test_a_database_that_cannot_be_opened_leaves_no_thread_answering_later(
    tmp_path: Path,
) -> None:
    """Opening a database in a folder that does not exist fails; the bot says so and goes
    on (or stops). Its connection's thread has ended by then, so it never answers an event
    loop that has closed since: each try below runs in an event loop of its own, closed as
    soon as the try failed."""
    raised: list[BaseException | None] = []
    previous = threading.excepthook
    threading.excepthook = lambda hook: raised.append(hook.exc_value)
    try:
        for attempt in range(20):
            url = f"sqlite+aiosqlite:///{tmp_path}/missing-{attempt}/cohort.db"

            async def connect(url: str = url) -> None:
                engine = make_engine(url)
                try:
                    with pytest.raises(OperationalError):
                        async with engine.connect() as connection:
                            await connection.execute(text("SELECT 1"))
                finally:
                    await engine.dispose()

            asyncio.run(connect())
        for thread in threading.enumerate():
            if thread.name.endswith("(_connection_worker_thread)"):
                thread.join(timeout=5)
    finally:
        threading.excepthook = previous
    assert raised == [], "a thread answered an event loop that had closed"
