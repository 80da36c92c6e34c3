"""Concurrency does not break answers: a leaderboard reads one consistent view while a
member joins, and a burst of commands larger than the connection pool gets answers (or an
honest "busy"), never an error id and never a half-done change."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

import bot.commands.leaderboard as leaderboard_command
from bot.clock import ManualClock
from bot.commands import build_registry
from bot.commands.dispatch import Dispatcher
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Group, GroupMember, Member, ProgressEvent, StepProgress
from bot.messages import Actor, Invocation, OptionValue, Place, Reply
from bot.roadmap.loader import SHIPPED_CONTENT_DIR, load_catalog
from tests.conftest import GENERAL, START, Cohort

ELSEWHERE = Place(GENERAL.platform, GENERAL.workspace_id, "kaggle-club")  # another group
BUSY = "I'm busy right now, so nothing was changed. Try again in a moment."


def _join_right_after_first_read(cohort: Cohort, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make Dee join the group right after the next leaderboard's first statement.

    On PostgreSQL another transaction commits the membership, as Dee's own first command
    in the channel would. On SQLite no other transaction can commit meanwhile (every
    command holds the write lock from its start), so the row is written in the
    leaderboard's own transaction: either way its later statements can see Dee."""
    real = leaderboard_command.leaderboard
    engine = cohort.app.engine.sync_engine
    armed = True

    async def racing(*args: Any, **kwargs: Any) -> Any:
        nonlocal armed
        if not armed:
            return await real(*args, **kwargs)
        armed = False
        session = args[0]
        group_id = await session.scalar(select(Group.id).where(Group.channel_id == "general"))
        dee = await session.scalar(select(Member).where(Member.platform_user_id == "u-dee"))
        link = {
            "group_id": group_id,
            "member_id": dee.id,
            "community_id": dee.community_id,
            "joined_at": cohort.app.clock.now(),
        }
        fired = False

        def join(connection: Any, *_: Any) -> None:
            nonlocal fired
            if fired:
                return
            fired = True
            if connection.dialect.name == "sqlite":
                connection.execute(insert(GroupMember).values(**link))
                return
            with engine.begin() as other:
                other.execute(insert(GroupMember).values(**link))

        event.listen(engine, "after_cursor_execute", join)
        try:
            return await real(*args, **kwargs)
        finally:
            event.remove(engine, "after_cursor_execute", join)

    monkeypatch.setattr(leaderboard_command, "leaderboard", racing)


@pytest.mark.parametrize(
    ("board", "finish"),
    [
        ("/leaderboard", "/done {step}"),
        ("/leaderboard week kaggle", "/kaggle submit https://www.kaggle.com/code/x/{step} 0.7"),
    ],
    ids=["steps", "kaggle"],
)
async def test_a_member_joining_mid_leaderboard_does_not_break_it(
    cohort: Cohort, monkeypatch: pytest.MonkeyPatch, board: str, finish: str
) -> None:
    await cohort.make_group()
    await Cohort(cohort.app, place=ELSEWHERE).make_group(name="#kaggle-club")
    for name, steps in (("ben", ["python-basics", "dev-tools"]), ("ana", ["python-basics"])):
        for step in steps:
            await cohort(finish.format(step=step), as_=name)
    # Dee has done more than anyone, in another group, and is about to join this one.
    for step in ("python-basics", "dev-tools", "linear-algebra"):
        assert not (await cohort(finish.format(step=step), as_="dee", place=ELSEWHERE)).is_error

    _join_right_after_first_read(cohort, monkeypatch)
    during = await cohort(board, as_="ana")
    after = await cohort(board, as_="ana")

    unit = "step" if board == "/leaderboard" else "attempt"
    assert not during.is_error, during.body
    assert during.body.splitlines() == [f"🥇 **ben** · 2 {unit}s", f"🥈 **ana** · 1 {unit}"]
    assert after.body.splitlines()[0] == f"🥇 **dee** · 3 {unit}s"  # the join was real


def _dispatcher(url: str, *, pool_size: int, wait: float) -> tuple[Dispatcher, AsyncEngine]:
    """A dispatcher on its own deliberately small pool, so a burst overwhelms it quickly."""
    engine = make_engine(url, pool_size=pool_size, wait=wait)
    dispatcher = Dispatcher(
        sessions=make_sessions(engine),
        catalog=load_catalog(SHIPPED_CONTENT_DIR),
        registry=build_registry(),
        clock=ManualClock(START),
    )
    return dispatcher, engine


COMMANDS: tuple[tuple[str, dict[str, OptionValue]], ...] = (
    ("done", {"step": "python-basics"}),
    ("leaderboard", {}),
    ("progress", {}),
)


async def test_a_burst_bigger_than_the_pool_gets_answers_or_busy_never_an_error(
    cohort: Cohort,
) -> None:
    await cohort.make_group()
    await cohort("/done python-basics", as_="ana")  # the board has someone on it
    url = cohort.app.engine.url.render_as_string(hide_password=False)
    dispatcher, engine = _dispatcher(url, pool_size=2, wait=0.5)
    names = [f"m{n:03}" for n in range(360)]  # each a newcomer, sending one command
    try:
        replies = await asyncio.gather(
            *(
                dispatcher.run(Invocation(command, Actor(f"u-{name}", name), GENERAL, options))
                for name, (command, options) in zip(names, COMMANDS * 120, strict=True)
            )
        )
    finally:
        await engine.dispose()

    outcomes = Counter(_outcome(reply) for reply in replies)
    assert set(outcomes) <= {"ok", "busy"}, [r.body for r in replies if _outcome(r) == "other"]
    # The burst really overwhelmed the pool, and the pool still served commands.
    assert outcomes["busy"] > 0
    assert outcomes["ok"] > 0
    assert all(reply.ephemeral for reply in replies if _outcome(reply) == "busy")
    async with cohort.app.sessions() as session:
        in_group = set(
            await session.scalars(
                select(Member.display_name).join(GroupMember, GroupMember.member_id == Member.id)
            )
        )
        done = dict(
            (
                await session.execute(
                    select(Member.display_name, func.count(StepProgress.id))
                    .join(StepProgress, StepProgress.member_id == Member.id)
                    .where(StepProgress.status == "done")
                    .group_by(Member.display_name)
                )
            ).all()
        )
        events = dict(
            (
                await session.execute(
                    select(Member.display_name, func.count(ProgressEvent.id))
                    .join(ProgressEvent, ProgressEvent.member_id == Member.id)
                    .group_by(Member.display_name)
                )
            ).all()
        )
    # A busy command changed nothing (not even joining the group); an answered one all.
    answered = {name for name, reply in zip(names, replies, strict=True) if not reply.is_error}
    assert in_group - {"ana"} == answered
    for name, reply in zip(names[::3], replies[::3], strict=True):  # the /done ones
        expected = 0 if reply.is_error else 1
        assert (done.get(name, 0), events.get(name, 0)) == (expected, expected), name


def _outcome(reply: Reply) -> str:
    if not reply.is_error:
        return "ok"
    return "busy" if reply.body == BUSY else "other"


class _TakenDatabase:
    """Another client holds what a command needs: SQLite's write lock (a backup, a CLI
    command), or on PostgreSQL the last connection slot of the role the bot logs in as."""

    def __init__(self, url: str) -> None:
        self.admin_url = make_url(url)
        self.url = url  # what the bot connects with
        self._release: Callable[[], Awaitable[None]] | None = None
        self._cleanup: list[Callable[[], Awaitable[None]]] = []

    async def take(self) -> None:
        if self.admin_url.get_backend_name() == "sqlite":
            assert self.admin_url.database is not None
            other = sqlite3.connect(self.admin_url.database, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")

            async def release_lock() -> None:
                other.execute("ROLLBACK")
                other.close()

            self._release = release_lock
            return
        import asyncpg

        dsn = self.admin_url.set(drivername="postgresql")
        role, password = f"cohort_bot_{secrets.token_hex(3)}", secrets.token_hex(8)
        admin = await asyncpg.connect(dsn.render_as_string(hide_password=False))
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}' CONNECTION LIMIT 1")
        await admin.execute(
            f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}; "
            f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"
        )

        async def drop_role() -> None:
            await admin.execute(f"DROP OWNED BY {role}; DROP ROLE {role}")
            await admin.close()

        self._cleanup.append(drop_role)
        as_bot = dsn.set(username=role, password=password)
        holder = await asyncpg.connect(as_bot.render_as_string(hide_password=False))
        self.url = self.admin_url.set(username=role, password=password).render_as_string(
            hide_password=False
        )
        self._release = holder.close

    async def release(self) -> None:
        assert self._release is not None
        await self._release()
        self._release = None

    async def close(self) -> None:
        if self._release is not None:
            await self.release()
        for step in reversed(self._cleanup):
            await step()


async def test_a_database_taken_by_another_client_answers_busy_and_changes_nothing(
    cohort: Cohort,
) -> None:
    await cohort.make_group()
    taken = _TakenDatabase(cohort.app.engine.url.render_as_string(hide_password=False))
    invocation = Invocation("done", Actor("u-eve", "eve"), GENERAL, {"step": "python-basics"})
    try:
        await taken.take()
        dispatcher, engine = _dispatcher(taken.url, pool_size=1, wait=0.2)
        try:
            while_taken = await dispatcher.run(invocation)
            await taken.release()
            stored_meanwhile = await cohort.statuses("eve")
            afterwards = await dispatcher.run(invocation)
        finally:
            await engine.dispose()
    finally:
        await taken.close()
    assert while_taken.body == BUSY
    assert while_taken.ephemeral
    assert stored_meanwhile == {}
    assert not afterwards.is_error
    assert await cohort.statuses("eve") == {"python-basics": "done"}
    counted = dispatcher.metrics.render().decode()
    assert 'cohort_commands_total{command="done",outcome="busy"} 1.0' in counted
