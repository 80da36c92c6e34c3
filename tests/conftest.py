"""Shared fixtures: a real migrated SQLite file per test, an optional real PostgreSQL
server, a controllable clock, and `cohort`, which runs commands as members."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from adapters.console.render import render
from bot import cards
from bot.bootstrap import App, build_app
from bot.clock import ManualClock
from bot.db import migrate
from bot.db.engine import make_engine
from bot.db.models import Community, Member, ProgressEvent, StepProgress
from bot.messages import Actor, Image, Invocation, OptionValue, Place, Platform, Reply
from bot.services import tenancy
from bot.settings import Settings

# A Wednesday, mid-morning UTC.
START = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
PG_ENV = "COHORT_TEST_POSTGRES_URL"
BACKEND_ENV = "COHORT_TEST_BACKEND"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("template") / "cohort.db"

    async def build() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        await migrate.upgrade(engine)
        await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:  # works inside a running loop too
        pool.submit(asyncio.run, build()).result()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    target = tmp_path / "cohort.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"


def postgres_admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("COHORT_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{PG_ENV} is not set but COHORT_REQUIRE_POSTGRES=1 (CI needs PostgreSQL)")
        pytest.skip(f"no PostgreSQL server configured: set {PG_ENV} to run this test")
    return url


def _postgres_admin(statement: str) -> None:
    """Run one statement as the server's admin, on a thread of its own, so this works
    whether or not a test's event loop is running."""
    import asyncpg  # only needed when a server is configured

    dsn = make_url(postgres_admin_url()).set(drivername="postgresql")

    async def run() -> None:
        connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


@contextmanager
def module_database(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """A migrated database a whole test module shares: a copy of the SQLite template in
    `folder`, or with COHORT_TEST_BACKEND=postgres a copy of the PostgreSQL template."""
    if os.environ.get(BACKEND_ENV) == "postgres":
        with _postgres_database(request.getfixturevalue("postgres_template")) as url:
            yield url
        return
    target = folder / "cohort.db"
    shutil.copy(request.getfixturevalue("sqlite_template"), target)
    yield f"sqlite+aiosqlite:///{target}"


@contextmanager
def _postgres_database(template: str | None = None) -> Iterator[str]:
    """A fresh database on the configured server (a copy of `template`), dropped after."""
    admin = make_url(postgres_admin_url())
    name = f"cohort_test_{secrets.token_hex(4)}"
    copy = f' TEMPLATE "{template}"' if template else ""
    _postgres_admin(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A fresh, empty database on the configured PostgreSQL server, dropped afterwards."""
    with _postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """One PostgreSQL database migrated to head; tests get copies of it."""
    with _postgres_database() as url:

        async def build() -> None:
            engine = make_engine(url)
            await migrate.upgrade(engine)
            await engine.dispose()

        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, build()).result()
        yield str(make_url(url).database)


@pytest.fixture
def migrated_postgres_url(postgres_template: str) -> Iterator[str]:
    """A fresh copy of the migrated PostgreSQL template, dropped afterwards."""
    with _postgres_database(postgres_template) as url:
        yield url


def _backend() -> str:
    backend = os.environ.get(BACKEND_ENV, "sqlite")
    if backend not in {"sqlite", "postgres"}:
        pytest.fail(f"{BACKEND_ENV} must be sqlite or postgres, not {backend!r}")
    return backend


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database for one test: a SQLite file, or with COHORT_TEST_BACKEND=postgres
    a copy of the migrated PostgreSQL template (how CI runs the whole suite on both)."""
    if _backend() == "sqlite":
        yield str(request.getfixturevalue("sqlite_url"))
        return
    yield str(request.getfixturevalue("migrated_postgres_url"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_empty_db_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each engine Cohort supports."""
    fixture = "empty_sqlite_url" if request.param == "sqlite" else "empty_postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def app(database_url: str, clock: ManualClock) -> AsyncIterator[App]:
    built = await build_app(Settings(database_url=database_url), clock=clock)
    yield built
    await built.close()


GENERAL = Place(Platform.DISCORD, "guild-1", "general")


@dataclass
class Cohort:
    """Runs commands as named members, the way a platform adapter would."""

    app: App
    place: Place = GENERAL
    admins: set[str] = field(default_factory=set)

    def actor(self, name: str) -> Actor:
        return Actor(user_id=f"u-{name.lower()}", display_name=name, is_admin=name in self.admins)

    async def __call__(self, line: str, *, as_: str = "ana", place: Place | None = None) -> Reply:
        return await self.app.dispatcher.run_line(
            line, actor=self.actor(as_), place=place or self.place
        )

    async def text(self, line: str, *, as_: str = "ana", place: Place | None = None) -> str:
        return render(await (await self(line, as_=as_, place=place)).drawn())

    async def invoke(
        self, name: str, options: dict[str, OptionValue], *, as_: str = "ana"
    ) -> Reply:
        return await self.app.dispatcher.run(Invocation(name, self.actor(as_), self.place, options))

    async def press(self, reply: Reply, label: str, *, as_: str = "ana") -> Reply:
        button = next(b for b in reply.buttons if b.label == label)
        return await self.app.dispatcher.press(
            button.action_id, actor=self.actor(as_), place=self.place
        )

    async def make_group(
        self, *, name: str = "#ml-study", timezone: str = "UTC", place: Place | None = None
    ) -> None:
        where = place or self.place
        now = self.app.clock.now()
        async with self.app.sessions() as session, session.begin():
            community = await tenancy.ensure_community(session, where, now=now)
            await tenancy.create_group(
                session,
                community,
                channel_id=where.channel_id,
                name=name,
                track_id=self.app.catalog.default.id,
                timezone=timezone,
                now=now,
            )

    async def statuses(self, name: str) -> dict[str, str]:
        """What is stored for a member of this place's community: step id -> status."""
        async with self.app.sessions() as session:
            rows = await session.execute(
                select(StepProgress.step_id, StepProgress.status)
                .join(Member, Member.id == StepProgress.member_id)
                .join(Community, Community.id == Member.community_id)
                .where(
                    Member.platform_user_id == f"u-{name.lower()}",
                    Community.external_id == self.place.workspace_id,
                )
            )
            return dict(rows.all())

    async def event_count(self) -> int:
        async with self.app.sessions() as session:
            return len((await session.scalars(select(ProgressEvent.id))).all())


@pytest.fixture
def cohort(app: App) -> Cohort:
    return Cohort(app)


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never pick up a developer's own Cohort or platform settings."""
    for name in list(os.environ):
        if name.startswith(("COHORT_", "DISCORD_", "SLACK_")) and name not in {
            PG_ENV,
            BACKEND_ENV,
            "COHORT_REQUIRE_POSTGRES",
        }:
            monkeypatch.delenv(name)
    return


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many tests ran against PostgreSQL, so a CI log shows it was really used."""
    passed = [
        report
        for report in terminalreporter.stats.get("passed", [])
        if "postgres" in report.keywords
    ]
    server = "a real PostgreSQL server" if os.environ.get(PG_ENV) else "no PostgreSQL server"
    if os.environ.get(BACKEND_ENV) == "postgres":
        everything = len(terminalreporter.stats.get("passed", []))
        terminalreporter.write_line(
            f"PostgreSQL: the whole suite ran on {server}: {everything} tests passed."
        )
        return
    terminalreporter.write_line(f"PostgreSQL: {len(passed)} tests passed against {server}.")


@pytest.fixture
def cards_cannot_be_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawing any card fails, as it would with the fonts gone missing."""

    def broken(card: cards.Card, theme: cards.Theme) -> Image:
        raise OSError("no fonts today")

    monkeypatch.setattr(cards, "render", broken)
