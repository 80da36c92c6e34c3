"""Measure the accountability engine at scale and write the figures to benchmarks/RESULTS.md.

    python -m benchmarks.scheduler                          # SQLite
    python -m benchmarks.scheduler --postgres URL           # and PostgreSQL
    python -m benchmarks.scheduler --sizes 100,1000 --only sweeps,weekend

What it measures (each on a community it builds itself, with bulk inserts, in a fresh
database; see `benchmarks/README.md`):

- `sweeps`: one idle sweep (everything due so far sent, nothing new due) and one sweep with
  a daily post due for every group, at each of `--sizes` groups: SQL statements, wall time
  and CPU time of this process, and where the time went.
- `weekend`: at `--weekend-groups` groups, the sweep that sends every learner's check-in
  reminder, and an idle sweep during the weekend reminder window after it (every learner
  has a reminder that is still useful, all already sent).
- `fanout` (SQLite): the sweep with a daily post due for every group, delivered through
  the real Discord and Slack posters to the fake platforms of `tests/`, which enforce the
  documented rate limits and answer each call after `--latency` seconds: the time taken
  against the shortest the limits allow, and the 429s received.
- `posters` (SQLite): the posters alone, sending as the engine does but with nothing to
  compose in between: their pacing against the limits by itself.
- `processes` (PostgreSQL only): three OS processes, each with its own app and engine on
  the same database, run one fan-out of `--processes-groups` daily posts at the same
  moment: how many each sent, and whether any post went out twice.
- `commands` (SQLite): p50/p99 of `/progress` answered 20 at a time, alone and while a
  fan-out runs; the Slack ack beside a bare slack-bolt app in the same run; and the
  process's resident memory after.

Figures are kept in `benchmarks/.data/scheduler-figures.json` and the "Scheduling at scale"
section of RESULTS.md is written from them, so a run of some parts (`--only`) keeps the
others'. Figures only: nothing here passes or fails; on a small, shared machine they are
noisy, so compare within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import json
import multiprocessing
import os
import platform
import resource
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from benchmarks.run import _machine, write_section
from bot.bootstrap import App, accountability_engine, build_app, settle
from bot.clock import ManualClock
from bot.db.models import Base, Community, Delivery, Group, Member, UpcomingKind
from bot.messages import Actor, Invocation, Place, Platform, Reply
from bot.ports import Poster, Sending
from bot.scheduler import claims
from bot.scheduler.engine import AccountabilityEngine, run_through
from bot.services import upcoming
from bot.settings import Settings

HERE = Path(__file__).resolve().parent
DEFAULT_SQLITE = HERE / ".data" / "scheduler.db"
FIGURES_DIR = HERE / ".data"
SECTION = "## Scheduling at scale"
TABLES = Base.metadata.tables

# A Wednesday. Every group posts its daily resource at 09:00 UTC, so all are due at once.
WED_0800 = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
WED_0900 = WED_0800 + timedelta(hours=1)
# The weekend: Friday's check-in prompt is at 17:00, each learner's reminder Saturday 17:00,
# and the check-in closes Sunday 17:00, so all Saturday evening every reminder is useful.
FRI_0800 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
SAT_1600 = datetime(2026, 11, 21, 16, 0, tzinfo=UTC)
SAT_1700 = SAT_1600 + timedelta(hours=1)

TARGET_IDLE_MS = 50.0
TARGET_CLAIM_S = 2.0
TARGET_RATE = 0.90


# Building a community ---------------------------------------------------------------------


@dataclass(frozen=True)
class Community_:
    """What `populate` built: where each group is, and its members' user ids."""

    groups: int
    members: int
    rows: int  # in `upcoming`
    places: list[tuple[str, str, str]]  # (community external id, channel id, a member's id)
    seconds: float


def _channel_id(plat: Platform, number: int) -> str:
    return f"C{number:08d}" if plat is Platform.SLACK else str(900_000_000_000_000_000 + number)


def _user_id(plat: Platform, number: int) -> str:
    return f"U{number:08d}" if plat is Platform.SLACK else str(800_000_000_000_000_000 + number)


def _workspace_id(plat: Platform, number: int) -> str:
    return f"T{number:08d}" if plat is Platform.SLACK else str(700_000_000_000_000_000 + number)


async def populate(
    app: App,
    *,
    groups: int,
    per_group: int,
    created: datetime,
    plat: Platform = Platform.DISCORD,
    communities: int = 1,
) -> Community_:
    """`groups` groups (UTC, daily resource at 09:00, check-in Friday 17:00) spread over
    `communities` workspaces, each with `per_group` learners (reminders on, in no other
    group), and their `upcoming` rows as `bot.services.upcoming` adds them: new, so due at
    once and not read yet."""
    started = time.perf_counter()
    chunk = 5_000
    async with app.sessions() as session, session.begin():
        await session.execute(
            insert(TABLES["communities"]),
            [
                {
                    "platform": plat.value,
                    "external_id": _workspace_id(plat, c),
                    "name": f"Bench {c}",
                    "created_at": created,
                }
                for c in range(communities)
            ],
        )
        cids = list(await session.scalars(select(Community.id).order_by(Community.id)))
        track = app.catalog.default.id
        group_rows = [
            {
                "community_id": cids[g % communities],
                "channel_id": _channel_id(plat, g),
                "name": f"#study-{g}",
                "track_id": track,
                "timezone": "UTC",
                "created_at": created,
            }
            for g in range(groups)
        ]
        for at in range(0, len(group_rows), chunk):
            await session.execute(insert(TABLES["groups"]), group_rows[at : at + chunk])
        by_channel = {
            channel: (gid, cid)
            for gid, cid, channel in await session.execute(
                select(Group.id, Group.community_id, Group.channel_id)
            )
        }
        member_rows = [
            {
                "community_id": cids[(m // per_group) % communities],
                "platform_user_id": _user_id(plat, m),
                "display_name": f"learner{m}",
                "timezone": "UTC",
                "joined_at": created,
                "began_at": created,  # a learner: reminders and nudges are theirs
            }
            for m in range(groups * per_group)
        ]
        for at in range(0, len(member_rows), chunk):
            await session.execute(insert(TABLES["members"]), member_rows[at : at + chunk])
        by_user = {
            user: mid
            for mid, user in await session.execute(select(Member.id, Member.platform_user_id))
        }
        links, rows = [], []
        for g in range(groups):
            gid, cid = by_channel[_channel_id(plat, g)]
            rows.append(_upcoming(upcoming.posts_scope(gid), UpcomingKind.POSTS, plat, cid, gid))
            for m in range(g * per_group, (g + 1) * per_group):
                mid = by_user[_user_id(plat, m)]
                links.append(
                    {"group_id": gid, "member_id": mid, "community_id": cid, "joined_at": created}
                )
                rows.append(
                    _upcoming(
                        upcoming.reminders_scope(gid, mid),
                        UpcomingKind.REMINDERS,
                        plat,
                        cid,
                        gid,
                        mid,
                    )
                )
                rows.append(
                    _upcoming(upcoming.nudges_scope(mid), UpcomingKind.NUDGES, plat, cid, None, mid)
                )
        for at in range(0, len(links), chunk):
            await session.execute(insert(TABLES["group_members"]), links[at : at + chunk])
        for row in rows:
            row["due_at"] = created
        for at in range(0, len(rows), chunk):
            await session.execute(insert(TABLES["upcoming"]), rows[at : at + chunk])
    places = [
        (_workspace_id(plat, g % communities), _channel_id(plat, g), _user_id(plat, g * per_group))
        for g in range(groups)
    ]
    return Community_(groups, groups * per_group, len(rows), places, time.perf_counter() - started)


def _upcoming(
    scope: str,
    kind: UpcomingKind,
    plat: Platform,
    community_id: int,
    group_id: int | None,
    member_id: int | None = None,
) -> dict[str, Any]:
    return {
        "scope": scope,
        "kind": kind.value,
        "platform": plat.value,
        "community_id": community_id,
        "group_id": group_id,
        "member_id": member_id,
        "checked_through": None,
    }


# Databases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    label: str  # SQLite, PostgreSQL
    url: str  # SQLite: the file; PostgreSQL: a server URL whose database may be replaced

    def fresh(self, name: str) -> str:
        """The URL of an empty database for one measurement (made now)."""
        if self.label == "SQLite":
            path = Path(make_url(self.url).database or DEFAULT_SQLITE)
            target = path.with_name(f"{path.stem}-{name}{path.suffix}")
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            return f"sqlite+aiosqlite:///{target}"
        database = f"cohort_bench_{name}".replace("-", "_")
        return str(make_url(self.url).set(database=database))


async def fresh_database(backend: Backend, name: str) -> str:
    url = backend.fresh(name)
    if backend.label == "PostgreSQL":
        import asyncpg  # type: ignore[import-untyped]  # only with a PostgreSQL server

        admin = make_url(backend.url).set(drivername="postgresql")
        database = make_url(url).database
        connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await connection.execute(f'CREATE DATABASE "{database}"')
        finally:
            await connection.close()
    return url


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """As the bot is once it has started (`bot.bootstrap.settle`): what lives for the
    whole run is out of the garbage collector's way. Undone afterwards, so the next
    measurement's community can be collected once it is closed."""
    settle()
    try:
        yield
    finally:
        gc.unfreeze()


async def open_app(url: str, clock: ManualClock, *, migrate_db: bool = True) -> App:
    return await build_app(Settings(database_url=url), clock=clock, migrate_db=migrate_db)


# Measuring --------------------------------------------------------------------------------


@contextlib.contextmanager
def statements(engine: AsyncEngine) -> Iterator[Counter[str]]:
    """SQL statements run on `engine` meanwhile, counted by their first word."""
    seen: Counter[str] = Counter()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen[statement.split(None, 1)[0].upper()] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


class Stages:
    """Wall time spent in each stage of the engine's work (its functions wrapped while
    measuring). A stage that runs in several tasks at once (marking each post sent as its
    send returns) counts the time any of them was in it, not the sum."""

    PATCHED: tuple[tuple[Any, str, str], ...] = (
        (upcoming, "take_due", "take due rows"),
        (AccountabilityEngine, "_plan", "plan from the calendar"),
        (claims, "claim_many", "claim"),
        (AccountabilityEngine, "_known", "compose"),  # reading ahead for the batch
        (AccountabilityEngine, "_prepare", "compose"),
        (AccountabilityEngine, "_send_one", "send"),
        (claims, "finish_many", "mark sent"),
        (claims, "finish", "mark sent"),
        (upcoming, "move_on", "move rows on"),
    )

    def __init__(self) -> None:
        self.spans: dict[str, list[tuple[float, float]]] = {}
        self.started = 0.0

    @contextlib.contextmanager
    def watching(self) -> Iterator[Stages]:
        patched = [(o, n, label) for o, n, label in self.PATCHED if hasattr(o, n)]
        saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patched]
        for owner, name, label in patched:
            setattr(owner, name, self._timed(getattr(owner, name), label))
        self.started = time.perf_counter()
        try:
            yield self
        finally:
            for owner, name, original in saved:
                setattr(owner, name, original)

    def _timed(self, original: Callable[..., Awaitable[Any]], label: str) -> Any:
        @functools.wraps(original)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.spans.setdefault(label, []).append((started, time.perf_counter()))

        return timed

    @property
    def seconds(self) -> dict[str, float]:
        """Per stage, how long one or more calls of it were under way."""
        found = {}
        for label, spans in self.spans.items():
            total, reach = 0.0, float("-inf")
            for start, end in sorted(spans):
                if end > reach:
                    total += end - max(start, reach)
                    reach = end
            found[label] = total
        return found

    @property
    def claimed_after(self) -> float:
        """Seconds from the start of the sweep until its last claim was made."""
        ends = [end for _, end in self.spans.get("claim", [])]
        return max(ends) - self.started if ends else 0.0


@dataclass
class Sweep:
    what: str
    groups: int
    sent: int
    statements: int
    by_verb: dict[str, int]
    wall: float
    cpu: float
    stages: dict[str, float] = field(default_factory=dict)
    claimed_after: float = 0.0
    error: str | None = None  # what `run_due()` raised, if it did

    def line(self) -> str:
        stages = ", ".join(f"{k} {v:.2f}s" for k, v in self.stages.items() if v >= 0.005)
        return (
            f"{self.what:28} {self.groups:>6,} groups: sent {self.sent:>6,}, "
            f"{self.statements:>7,} statements, wall {self.wall * 1000:9.1f} ms, "
            f"CPU {self.cpu * 1000:9.1f} ms"
            + (f"  [{stages}]" if stages else "")
            + (f"  RAISED {self.error}" if self.error else "")
        )


async def measure_sweep(
    app: App, engine: AccountabilityEngine, clock: ManualClock, at: datetime, what: str, groups: int
) -> Sweep:
    clock.set(at)
    stages = Stages()
    error: str | None = None
    sent: list[Any] = []
    with statements(app.engine) as seen, stages.watching():
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            sent = await engine.run_due()
        except Exception as raised:  # noted with the figures: the scheduler would log it
            error = f"{type(raised).__name__}: {str(raised).splitlines()[0][:160]}"
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    sweep = Sweep(
        what,
        groups,
        len(sent),
        sum(seen.values()),
        dict(seen),
        wall,
        cpu,
        {k: round(v, 4) for k, v in stages.seconds.items()},
        stages.claimed_after,
        error,
    )
    print("  " + sweep.line(), flush=True)
    return sweep


class CountingPoster:
    """A platform that takes every post at once and only counts them."""

    def __init__(self, delay: float = 0.0) -> None:
        self.posts = 0
        self.dms = 0
        self.channels: list[str] = []
        self.delay = delay

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.posts += 1
        self.channels.append(place.channel_id)

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.dms += 1


# 1. Idle sweeps and daily-post sweeps -----------------------------------------------------


@dataclass
class SizeFigures:
    groups: int
    members: int
    rows: int
    build_seconds: float
    catch_up_seconds: float
    idle: Sweep
    posts: Sweep
    idle_after: Sweep


async def sweeps_at(backend: Backend, groups: int, per_group: int) -> SizeFigures:
    url = await fresh_database(backend, f"g{groups}")
    clock = ManualClock(WED_0800)
    app = await open_app(url, clock)
    try:
        built = await populate(app, groups=groups, per_group=per_group, created=WED_0800)
        print(
            f"  built {groups:,} groups, {built.members:,} members, {built.rows:,} upcoming rows"
            f" in {built.seconds:.1f} s",
            flush=True,
        )
        poster = CountingPoster()
        engine = accountability_engine(app, poster, instance="bench")
        started = time.perf_counter()
        await run_through(engine, clock, WED_0800 + timedelta(minutes=30))  # read every row
        catch_up = time.perf_counter() - started
        print(f"  caught up (every row read once) in {catch_up:.1f} s", flush=True)
        idle = await measure_sweep(
            app, engine, clock, WED_0800 + timedelta(minutes=45), "idle sweep", groups
        )
        posts = await measure_sweep(
            app, engine, clock, WED_0900, "daily post for every group", groups
        )
        if posts.sent != groups:
            print(f"  !! expected {groups} posts, sent {posts.sent}")
        idle_after = await measure_sweep(
            app, engine, clock, WED_0900 + timedelta(minutes=1), "idle sweep after", groups
        )
        return SizeFigures(
            groups, built.members, built.rows, built.seconds, catch_up, idle, posts, idle_after
        )
    finally:
        await app.close()


# 2. The weekend reminder window -----------------------------------------------------------


@dataclass
class WeekendFigures:
    groups: int
    members: int
    reminders: Sweep
    idle: Sweep


async def weekend(backend: Backend, groups: int, per_group: int) -> WeekendFigures:
    url = await fresh_database(backend, f"weekend{groups}")
    clock = ManualClock(SAT_1600)
    app = await open_app(url, clock)
    try:
        built = await populate(app, groups=groups, per_group=per_group, created=FRI_0800)
        poster = CountingPoster()
        engine = accountability_engine(app, poster, instance="bench")
        # catch up: Friday's check-in prompt and Saturday's daily resource are still useful
        await run_through(engine, clock, SAT_1700 - timedelta(minutes=1))
        print(f"  caught up: {poster.posts:,} posts", flush=True)
        reminders = await measure_sweep(
            app, engine, clock, SAT_1700, "every learner's reminder", groups
        )
        await run_through(engine, clock, SAT_1700 + timedelta(minutes=30))
        idle = await measure_sweep(
            app,
            engine,
            clock,
            SAT_1700 + timedelta(hours=1),
            "sweep in the reminder window",
            groups,
        )
        return WeekendFigures(groups, built.members, reminders, idle)
    finally:
        await app.close()


# 4. Three processes on PostgreSQL ---------------------------------------------------------


@dataclass
class ProcessFigures:
    groups: int
    sent: list[int]
    seconds: list[float]
    deliveries: int
    distinct: int
    duplicates: int
    by_claimer: dict[str, int]


def _process_main(url: str, index: int, barrier: Any, results: Any, delay: float) -> None:
    """One scheduler process: its own app and engine, run at the due moment."""

    async def run() -> None:
        clock = ManualClock(WED_0900 + timedelta(seconds=30))
        app = await open_app(url, clock, migrate_db=False)
        poster = CountingPoster(delay)
        engine = accountability_engine(app, poster, instance=f"bench-{index}")
        try:
            await engine.next_due()  # connect before the start
            await asyncio.to_thread(barrier.wait)
            started = time.perf_counter()
            sent = await engine.run_due()
            elapsed = time.perf_counter() - started
        finally:
            await app.close()
        results.put((index, len(sent), poster.posts, poster.channels, elapsed))

    asyncio.run(run())


async def processes(backend: Backend, groups: int, per_group: int, delay: float) -> ProcessFigures:
    url = await fresh_database(backend, f"procs{groups}")
    clock = ManualClock(WED_0800)
    app = await open_app(url, clock)
    try:
        await populate(app, groups=groups, per_group=per_group, created=WED_0800)
        engine = accountability_engine(app, CountingPoster(), instance="bench-setup")
        await run_through(engine, clock, WED_0800 + timedelta(minutes=30))
    finally:
        await app.close()
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(3), context.Queue()
    workers = [
        context.Process(target=_process_main, args=(url, i, barrier, results, delay))
        for i in range(3)
    ]
    for worker in workers:
        worker.start()
    got = [results.get(timeout=900) for _ in workers]
    for worker in workers:
        worker.join()
    got.sort()
    channels = [c for *_, chans, _ in got for c in chans]
    app = await open_app(url, ManualClock(WED_0900), migrate_db=False)
    try:
        async with app.sessions() as session:
            rows = list(
                await session.execute(
                    select(Delivery.claimed_by, func.count())
                    .where(Delivery.kind == "daily")
                    .group_by(Delivery.claimed_by)
                )
            )
            total = await session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.kind == "daily")
            )
            distinct = await session.scalar(
                select(func.count(func.distinct(Delivery.key))).where(Delivery.kind == "daily")
            )
    finally:
        await app.close()
    figures = ProcessFigures(
        groups,
        [g[2] for g in got],
        [round(g[4], 2) for g in got],
        int(total or 0),
        int(distinct or 0),
        len(channels) - len(set(channels)),
        {str(k): int(v) for k, v in rows},
    )
    print(
        f"  three processes, {groups:,} daily posts: sent {figures.sent} "
        f"in {figures.seconds} s; {len(set(channels)):,} channels posted, "
        f"{figures.duplicates} twice; deliveries {total:,} ({distinct:,} distinct keys)",
        flush=True,
    )
    return figures


# 3. Fan-out against fake platforms --------------------------------------------------------


@dataclass
class FanoutFigures:
    platform: str
    posts: int
    workspaces: int
    latency: float
    sent: int
    shown: int  # messages the fake platform holds
    duplicates: int
    seconds: float  # the whole sweep
    send_seconds: float  # sending (the engine's send phases, one per batch)
    allowed_seconds: float  # the shortest time the documented limits allow for them
    limit: str
    rate_limited: int  # 429s the platform answered
    stages: dict[str, float]
    error: str | None = None  # what the sweep raised, if it did
    shown_then: int = 0  # messages shown when the sweep ended (or raised)


async def fanout(
    backend: Backend, plat: Platform, posts: int, workspaces: int, per_group: int, latency: float
) -> FanoutFigures:
    """`posts` daily posts, one per group, through the platform's real poster to its fake."""
    url = await fresh_database(backend, f"fanout-{plat.value}")
    clock = ManualClock(WED_0800)
    app = await open_app(url, clock)
    stop: list[Callable[[], Awaitable[Any]]] = [app.close]
    try:
        built = await populate(
            app,
            groups=posts,
            per_group=per_group,
            created=WED_0800,
            plat=plat,
            communities=workspaces,
        )
        engine = accountability_engine(app, CountingPoster(), instance="bench-setup")
        await run_through(engine, clock, WED_0800 + timedelta(minutes=30))
        if plat is Platform.DISCORD:
            poster, fake, limit, allowed = await _discord(app, latency, stop)
        else:
            poster, fake, limit, allowed = await _slack(app, latency, built.places, stop)
        engine = accountability_engine(app, poster, instance="bench")
        with settled():
            sweep = await measure_sweep(
                app, engine, clock, WED_0900, f"fan-out on {plat.value}", posts
            )
        shown_then = (await fake.ask("shown"))[0]
        if sweep.error is not None:  # as the scheduler would: run again once the lease is up
            await asyncio.sleep(engine.send_timeout)  # sends the failed run left going end
            await run_through(engine, clock, WED_0900 + claims.LEASE * 2)
        shown, duplicates = await fake.ask("shown")
        rate_limited = await fake.ask("rate_limited")
    finally:
        for close in reversed(stop):
            await close()
    figures = FanoutFigures(
        plat.value,
        posts,
        workspaces,
        latency,
        sweep.sent,
        shown,
        duplicates,
        sweep.wall,
        sweep.stages.get("send", 0.0),
        allowed(posts, workspaces),
        limit,
        rate_limited,
        sweep.stages,
        sweep.error,
        shown_then,
    )
    print(
        f"  {plat.value}: {figures.sent:,} posts over {workspaces} workspace(s) in "
        f"{figures.seconds:.1f} s, sending {figures.send_seconds:.1f} s; the limits "
        f"allow {figures.allowed_seconds:.1f} s; 429s: {figures.rate_limited}; "
        f"shown {shown:,}, channels with two {duplicates}",
        flush=True,
    )
    return figures


class RemoteFake:
    """A fake platform in a process of its own, as the real one is: what it spends on
    answering (HTTP, JSON, its limit checks) is not taken from the bot being measured.
    The bot reaches it on 127.0.0.1; what it saw is asked for over a pipe."""

    def __init__(self, kind: str, latency: float, places: list[tuple[str, str, str]]) -> None:
        self.kind = kind
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(
            target=_fake_main, args=(kind, latency, places, child), daemon=True
        )
        self.urls: dict[str, str] = {}

    async def start(self) -> None:
        self.process.start()
        self.urls = await asyncio.to_thread(self.pipe.recv)

    async def ask(self, question: str) -> Any:
        self.pipe.send(question)
        return await asyncio.to_thread(self.pipe.recv)

    async def stop(self) -> None:
        with contextlib.suppress(OSError, EOFError):
            await self.ask("stop")
        await asyncio.to_thread(self.process.join, 10)


# Collections of the youngest generations before the oldest is collected: never, in practice.
FAKE_OLDEST_GENERATION_NEVER = 1_000_000_000


def _fake_main(kind: str, latency: float, places: list[tuple[str, str, str]], pipe: Any) -> None:
    """The fake platform's process: start it, say where it listens, answer questions.

    The fake is the measuring instrument, so its own pauses must not show up as the bot's
    doing: once it holds tens of thousands of messages, a full collection of Python's
    cyclic garbage stops it for 130-190 ms, after which it read the requests that had
    queued meanwhile as arriving together, and counted a global 429 for them a second
    later. Its oldest generation is never collected; the process lives minutes."""
    gc.set_threshold(*gc.get_threshold()[:2], FAKE_OLDEST_GENERATION_NEVER)

    async def run() -> None:
        fake: Any
        if kind == "discord":
            from tests.discord.fake_discord import FakeDiscord

            fake = FakeDiscord(latency=latency)
            await fake.start()
            pipe.send({"api": fake.api_base, "gateway": fake.gateway_url})
        else:
            from tests.slack.fake_slack import FakeSlack

            fake = FakeSlack(latency=latency)
            for workspace, channel, _user in places:
                fake.channel_teams[channel] = workspace
                fake.joined.add(channel)  # the bot was added to each group's channel at setup
            await fake.start()
            pipe.send({"api": f"{fake.url}/api/"})
        try:
            while (question := await asyncio.to_thread(pipe.recv)) != "stop":
                if question == "shown":
                    pipe.send(_shown(fake))
                elif question == "rate_limited":
                    limited = fake.rate_limited.values() if kind == "discord" else fake.throttled
                    pipe.send(sum(limited) if kind == "discord" else len(limited))
        finally:
            await fake.stop()
            pipe.send("stopped")

    asyncio.run(run())


async def _discord(
    app: App, latency: float, stop: list[Callable[[], Awaitable[Any]]]
) -> tuple[Poster, RemoteFake, str, Callable[[int, int], float]]:
    from adapters.discord.app import DiscordAdapter
    from tests.discord.fake_discord import GLOBAL_LIMIT

    fake = RemoteFake("discord", latency, [])
    await fake.start()
    stop.append(fake.stop)
    settings = Settings(
        database_url=app.settings.database_url,
        discord_token="fake-token",
        discord_api_base=fake.urls["api"],
        discord_gateway_url=fake.urls["gateway"],
    )
    adapter = DiscordAdapter(app, settings, ready_timeout=0.05)
    await adapter.start()
    stop.append(adapter.close)
    limit = f"global {GLOBAL_LIMIT} requests/s"
    return (
        adapter.poster,
        fake,
        limit,
        lambda posts, _workspaces: max(0, posts - GLOBAL_LIMIT) / GLOBAL_LIMIT,
    )


async def _slack(
    app: App,
    latency: float,
    places: list[tuple[str, str, str]],
    stop: list[Callable[[], Awaitable[Any]]],
) -> tuple[Poster, RemoteFake, str, Callable[[int, int], float]]:
    from adapters.slack.app import SlackPoster, make_client
    from adapters.slack.rate_limits import CHAT_POST_MESSAGE_PER_WORKSPACE as WORKSPACE

    fake = RemoteFake("slack", latency, places)
    await fake.start()
    stop.append(fake.stop)
    settings = Settings(
        database_url=app.settings.database_url,
        slack_bot_token="xoxb-bench",
        slack_api_url=fake.urls["api"],
    )
    client = make_client(settings)
    poster = SlackPoster(client, app.seals)
    limit = (
        f"chat.postMessage {WORKSPACE.requests}/{WORKSPACE.seconds:.0f} s per workspace "
        f"(burst {WORKSPACE.burst}), 1/s per channel"
    )
    return (
        poster,
        fake,
        limit,
        lambda posts, workspaces: (
            max(0, -(-posts // workspaces) - WORKSPACE.burst) / WORKSPACE.per_second
        ),
    )


async def posters_alone(
    backend: Backend, plat: Platform, posts: int, workspaces: int, latency: float
) -> FanoutFigures:
    """The poster alone: `posts` posts, one per channel, sent as the engine sends them
    (`engine.concurrency` channels at once, each within `engine.send_timeout`) but with
    nothing to compose in between, so only the poster's pacing and the platform's limits
    and latency set the pace."""
    url = await fresh_database(backend, f"posters-{plat.value}")
    app = await open_app(url, ManualClock(WED_0900))
    stop: list[Callable[[], Awaitable[Any]]] = [app.close]
    places = [
        (_workspace_id(plat, g % workspaces), _channel_id(plat, g), _user_id(plat, g))
        for g in range(posts)
    ]
    sent = 0
    try:
        if plat is Platform.DISCORD:
            poster, fake, limit, allowed = await _discord(app, latency, stop)
        else:
            poster, fake, limit, allowed = await _slack(app, latency, places, stop)
        engine = accountability_engine(app, poster, instance="bench")
        slots = asyncio.Semaphore(engine.concurrency)
        reply = Reply(title="📚 Today's resource", body="Read the attention paper.")

        async def one(number: int, workspace: str, channel: str) -> None:
            nonlocal sent
            async with slots, asyncio.timeout(engine.send_timeout):
                place = Place(plat, workspace, channel)
                await poster.post(place, reply, Sending(f"daily:g{number}:2026-11-18"))
                sent += 1

        with settled():
            started = time.perf_counter()
            await asyncio.gather(
                *(one(n, w, c) for n, (w, c, _u) in enumerate(places)), return_exceptions=True
            )
            elapsed = time.perf_counter() - started
        shown, duplicates = await fake.ask("shown")
        rate_limited = await fake.ask("rate_limited")
    finally:
        for close in reversed(stop):
            await close()
    figures = FanoutFigures(
        plat.value,
        posts,
        workspaces,
        latency,
        sent,
        shown,
        duplicates,
        elapsed,
        elapsed,
        allowed(posts, workspaces),
        limit,
        rate_limited,
        {},
    )
    print(
        f"  {plat.value} poster alone: {sent:,} posts over {workspaces} workspace(s) in "
        f"{elapsed:.1f} s; the limits allow {figures.allowed_seconds:.1f} s; "
        f"429s: {figures.rate_limited}; shown {shown:,}, channels with two {duplicates}",
        flush=True,
    )
    return figures


def _shown(fake: Any) -> tuple[int, int]:
    """Messages the fake holds, and how many channels hold more than one."""
    if isinstance(fake.messages, dict):  # Slack: by conversation
        counts = Counter({c: len(m) for c, m in fake.messages.items()})
    else:
        counts = Counter(m["channel_id"] for m in fake.messages)
    return sum(counts.values()), sum(1 for n in counts.values() if n > 1)


# 5. Commands while the scheduler works ----------------------------------------------------


@dataclass
class CommandFigures:
    groups: int
    concurrency: int
    sequential: tuple[float, float, int]  # p50 ms, p99 ms, samples
    unloaded: tuple[float, float, int]
    loaded: tuple[float, float, int]
    busy_unloaded: int
    busy_loaded: int
    fanout_seconds: float
    fanout_sent: int
    maxrss_mib: float
    slack: dict[str, dict[str, tuple[float, float, int]]] = field(default_factory=dict)
    # How late the event loop ran a 1 ms timer during the fan-out: p50, p99 and most, in ms.
    stalls: tuple[float, float, float] = (0.0, 0.0, 0.0)


class LoopWatch:
    """How long the event loop goes without running what is ready: a timer set for
    `PERIOD` is late by however long the loop was held (by a batch being planned, say),
    and a Slack request owed its ack waits as long."""

    PERIOD = 0.001

    def __init__(self) -> None:
        self.late: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(self.PERIOD)
            self.late.append(max(0.0, time.perf_counter() - started - self.PERIOD) * 1000)

    async def stop(self) -> tuple[float, float, float]:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if not self.late:
            return (0.0, 0.0, 0.0)
        return (statistics.median(self.late), _percentile(self.late, 0.99), max(self.late))


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index]


def _summary(values: list[float]) -> tuple[float, float, int]:
    if not values:
        return (0.0, 0.0, 0)
    return (statistics.median(values), _percentile(values, 0.99), len(values))


async def _one_command(app: App, place: tuple[str, str, str]) -> tuple[float, bool]:
    workspace, channel, user = place
    invocation = Invocation(
        "progress",
        Actor(user, f"member {user}"),
        Place(Platform.DISCORD, workspace, channel),
        {},
    )
    started = time.perf_counter()
    reply = await app.dispatcher.run(invocation)
    elapsed = (time.perf_counter() - started) * 1000  # the answer goes out now
    await reply.picture()  # and its card is drawn after it, as the adapters do
    return elapsed, reply.is_error


async def _wave(
    app: App, places: list[tuple[str, str, str]], concurrency: int, wave: int
) -> tuple[list[float], int]:
    chosen = [places[(wave * concurrency + i) * 7919 % len(places)] for i in range(concurrency)]
    answers = await asyncio.gather(*(_one_command(app, p) for p in chosen))
    return [elapsed for elapsed, _ in answers], sum(error for _, error in answers)


class SlackAcks:
    """Cohort's Slack endpoint and a bare slack-bolt app (a `/cohort` that only acks),
    each served on loopback, and a place that takes the commands' answers: slash commands
    fired at both, timed to the HTTP answer (the ack) and, for Cohort, to the answer at
    the `response_url`."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.stops: list[Callable[[], Awaitable[Any]]] = []
        self.answered: dict[str, float] = {}
        self.sent: dict[str, float] = {}
        self.numbers = iter(range(10**9))
        self.arrived = asyncio.Event()

    async def start(self) -> None:
        from aiohttp import ClientSession, web
        from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
        from slack_bolt.async_app import AsyncApp
        from slack_sdk.web.async_client import AsyncWebClient

        from adapters.slack.app import SlackAdapter
        from adapters.web import WebServer, web_app
        from bot.ops.health import Check, health
        from tests.slack.fake_slack import SIGNING_SECRET, FakeSlack

        fake = FakeSlack()
        await fake.start()
        self.stops.append(fake.stop)
        settings = Settings(
            database_url=self.app.settings.database_url,
            slack_bot_token="xoxb-bench",
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=f"{fake.url}/api/",
        )
        adapter = SlackAdapter(self.app, settings)
        self.stops.append(adapter.close)
        cohort_web = web_app(
            lambda: health(self.app.sessions, lambda: Check("scheduler", True, ""), {}),
            self.app.metrics,
        )
        adapter.add_routes(cohort_web)

        async def respond(request: web.Request) -> web.Response:
            self.answered[request.match_info["token"]] = time.perf_counter()
            self.arrived.set()
            return web.json_response({"ok": True})

        cohort_web.router.add_post("/respond/{token}", respond)
        server = WebServer(cohort_web)
        port = await server.start("127.0.0.1", 0)
        self.stops.append(server.stop)
        self.cohort_url = f"http://127.0.0.1:{port}"

        bare = AsyncApp(
            signing_secret=SIGNING_SECRET,
            client=AsyncWebClient(token="xoxb-bench", base_url=f"{fake.url}/api/"),
        )

        @bare.command("/cohort")
        async def only_ack(ack: Any) -> None:
            await ack()

        async def bare_events(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await bare.async_dispatch(await to_bolt_request(request))
            )

        bare_web = web.Application()
        bare_web.router.add_post("/slack/events", bare_events)
        bare_server = WebServer(bare_web)
        bare_port = await bare_server.start("127.0.0.1", 0)
        self.stops.append(bare_server.stop)
        self.bare_url = f"http://127.0.0.1:{bare_port}"
        self.http = ClientSession()
        self.stops.append(self.http.close)

    async def close(self) -> None:
        await asyncio.sleep(2)  # the last commands' App Home refreshes, before Slack goes
        for stop in reversed(self.stops):
            with contextlib.suppress(Exception):
                await stop()

    async def _fire(self, base: str, place: tuple[str, str, str]) -> float:
        from urllib.parse import urlencode

        from tests.slack.fake_slack import signed

        token = f"r{next(self.numbers)}"
        body = urlencode(
            {
                "token": "legacy",
                "team_id": "TBENCH",
                "team_domain": "bench",
                "channel_id": f"C{place[1][-8:]}",
                "channel_name": "study",
                "user_id": f"U{place[2][-8:]}",
                "user_name": "learner",
                "command": "/cohort",
                "text": "progress",
                "api_app_id": "A1",
                "response_url": f"{self.cohort_url}/respond/{token}",
                "trigger_id": token,
            }
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
        started = time.perf_counter()
        async with self.http.post(f"{base}/slack/events", data=body, headers=headers) as answer:
            await answer.read()
            if answer.status != 200:
                msg = f"Slack endpoint answered {answer.status}"
                raise RuntimeError(msg)
        if base == self.cohort_url:
            self.sent[token] = started
        return (time.perf_counter() - started) * 1000

    async def wave(
        self, which: str, places: list[tuple[str, str, str]], concurrency: int, wave: int
    ) -> list[float]:
        base = self.cohort_url if which == "cohort" else self.bare_url
        chosen = [
            places[(wave * concurrency + i) * 104729 % len(places)] for i in range(concurrency)
        ]
        return list(await asyncio.gather(*(self._fire(base, p) for p in chosen)))

    async def answers(self, since: set[str], within: float = 30.0) -> list[float]:
        """Milliseconds from each Cohort command sent (not in `since`) to its answer."""
        waiting = set(self.sent) - since
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while waiting - set(self.answered):
                    self.arrived.clear()
                    await self.arrived.wait()
        return [(self.answered[t] - self.sent[t]) * 1000 for t in waiting if t in self.answered]


async def commands(
    backend: Backend,
    groups: int,
    per_group: int,
    concurrency: int,
    delay: float,
    *,
    slack: bool,
) -> CommandFigures:
    url = await fresh_database(backend, f"commands{groups}")
    clock = ManualClock(WED_0800)
    app = await open_app(url, clock)
    acks = SlackAcks(app) if slack else None
    slack_times: dict[str, dict[str, list[float]]] = {
        "alone": {"cohort ack": [], "bare bolt ack": [], "cohort answer": []},
        "during the fan-out": {"cohort ack": [], "bare bolt ack": [], "cohort answer": []},
    }
    measuring = contextlib.ExitStack()
    try:
        built = await populate(app, groups=groups, per_group=per_group, created=WED_0800)
        poster = CountingPoster(delay)
        engine = accountability_engine(app, poster, instance="bench")
        await run_through(engine, clock, WED_0800 + timedelta(minutes=30))
        places = built.places
        if acks is not None:
            await acks.start()
        measuring.enter_context(settled())  # as `cohort run` is once it has started

        async def round_of(wave: int, into: dict[str, list[float]], times: list[float]) -> int:
            got, busy = await _wave(app, places, concurrency, wave)
            times += got
            if acks is not None:
                # Cohort's wave is answered and its work done before the bare app's wave,
                # so that neither wave's acks wait on the other's work.
                before = set(acks.sent)
                into["cohort ack"] += await acks.wave("cohort", places, concurrency, wave)
                into["cohort answer"] += await acks.answers(before, within=10.0)
                await _settled_work(app, within=120.0)
                into["bare bolt ack"] += await acks.wave("bare", places, concurrency, wave)
            return busy

        for wave in range(3):  # warm up
            await round_of(wave, {"cohort ack": [], "bare bolt ack": [], "cohort answer": []}, [])
        sequential: list[float] = []
        for wave in range(200):
            sequential += (await _wave(app, places, 1, wave))[0]
        unloaded: list[float] = []
        busy_unloaded = 0
        for wave in range(15):
            busy_unloaded += await round_of(100 + wave, slack_times["alone"], unloaded)
        clock.set(WED_0900)
        watch = LoopWatch()
        watch.start()
        started = time.perf_counter()
        fanout_task = asyncio.create_task(engine.run_due())
        loaded: list[float] = []
        busy_loaded = 0
        wave = 200
        while not fanout_task.done():
            busy_loaded += await round_of(wave, slack_times["during the fan-out"], loaded)
            wave += 1
        sent = await fanout_task
        fanout_seconds = time.perf_counter() - started
        stalls = await watch.stop()
    finally:
        measuring.close()
        if acks is not None:
            await acks.close()
        await app.close()
    figures = CommandFigures(
        groups,
        concurrency,
        _summary(sequential),
        _summary(unloaded),
        _summary(loaded),
        busy_unloaded,
        busy_loaded,
        fanout_seconds,
        len(sent),
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        {
            when: {what: _summary(values) for what, values in found.items()}
            for when, found in slack_times.items()
        }
        if slack
        else {},
        stalls,
    )
    print(
        f"  /progress x{concurrency}: unloaded p50 {figures.unloaded[0]:.1f} ms "
        f"p99 {figures.unloaded[1]:.1f} ms; during a fan-out of {len(sent):,} posts "
        f"({fanout_seconds:.1f} s) p50 {figures.loaded[0]:.1f} ms p99 {figures.loaded[1]:.1f} ms "
        f"({figures.loaded[2]} answers, {busy_loaded} busy); one at a time p50 "
        f"{figures.sequential[0]:.1f} ms; max RSS {figures.maxrss_mib:.0f} MiB; the event "
        f"loop held during the fan-out p50 {stalls[0]:.1f} ms p99 {stalls[1]:.1f} ms "
        f"most {stalls[2]:.1f} ms",
        flush=True,
    )
    for when, found in figures.slack.items():
        print(
            f"  Slack {when}: "
            + "; ".join(
                f"{what} p50 {v[0]:.1f} ms p99 {v[1]:.1f} ms (n={v[2]})"
                for what, v in found.items()
            ),
            flush=True,
        )
    return figures


async def _settled_work(app: App, *, within: float) -> None:
    """Wait until the Slack commands of a round have done everything they started: an
    ephemeral `/cohort progress` is answered first and its card is uploaded into the
    member's DM afterwards, through Slack's rate limits, so the next round measures its
    own commands, not the last round's uploads."""
    if not await app.work.idle(within=within):
        print(f"  ({app.work.count} Slack commands still at work after {within:.0f} s)")


# Running and reporting ----------------------------------------------------------------------


async def _postgres_version(url: str) -> str:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return str(await connection.scalar(text("SHOW server_version")))
    finally:
        await engine.dispose()


FIGURES = FIGURES_DIR / "scheduler-figures.json"


def _load(path: Path = FIGURES) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


def _save(
    label: str, part: str, figures: Any, *, versions: dict[str, str], path: Path = FIGURES
) -> None:
    """Keep `figures` with the others (a run of some parts keeps the rest's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = _load(path)
    stored.setdefault(label, {})[part] = {**figures, "machine": _machine()}
    stored["machine"] = _machine()
    stored.setdefault("versions", {}).update(versions)
    path.write_text(json.dumps(stored, indent=1, default=str), encoding="utf-8")


def _ms(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.0f} s"
    if seconds >= 1:
        return f"{seconds:.1f} s"
    return f"{seconds * 1000:.1f} ms"


def _sweep_cells(sweep: dict[str, Any]) -> str:
    return f"{sweep['statements']:,} | {_ms(sweep['wall'])} | {_ms(sweep['cpu'])}"


def _sizes(figures: dict[str, Any]) -> list[int]:
    return sorted(int(k.split("-")[1]) for k in figures if k.startswith("sweeps-"))


def _ratio(f: dict[str, Any], seconds: float) -> str:
    """The shortest time the limits allow over the time taken, or why there is none."""
    allowed = f["allowed_seconds"]
    if allowed < 1:
        return "limits do not bind"
    return f"{allowed / seconds:.0%}" if seconds else "-"


def _allowed(f: dict[str, Any]) -> str:
    return _ms(f["allowed_seconds"]) if f["allowed_seconds"] >= 1 else "no wait"


def report(stored: dict[str, Any]) -> str:
    """The "Scheduling at scale" section of RESULTS.md, from the figures kept so far."""
    labels = [label for label in ("SQLite", "PostgreSQL") if label in stored]
    versions = stored.get("versions", {})
    machines = sorted(
        {f.get("machine", "") for label in labels for f in stored[label].values()} - {""}
    ) or [_machine()]
    lines = [
        SECTION,
        "",
        "Written by `python -m benchmarks.scheduler` (`make bench`) from the figures it keeps in",
        "`benchmarks/.data/scheduler-figures.json`. Each measurement builds its own community in",
        "a fresh database with bulk inserts: groups in one Discord server (Slack: the workspaces",
        "said), all on UTC with the daily resource at 09:00, each with 10 learners (members who",
        "have begun, reminders on, in no other group), and the `upcoming` rows the services add",
        "(one per group, one per group member, one per member: 21 per group), new, so due at",
        "once. The engine first reads every row once (the catch-up), so an idle sweep is idle.",
        "Statements are counted with a `before_cursor_execute` listener (SQLite's BEGIN",
        "included, asyncpg's not); CPU is this process's (`time.process_time`), which includes",
        "SQLite but not the PostgreSQL server. The posters take each post at once unless said",
        "otherwise. Where the time went comes from wrapping the engine's steps while measuring:",
        '"claiming" is `claims.claim_many`, "composing" saying each post (`_prepare`, one at a',
        'time, while the posts already said are sent), "sending" the posters\' calls, "marking',
        'sent" `claims.finish_many` (the posts sent while the last marks were written, marked',
        "together). Stages overlap: for each, the time any was under way is counted, not the",
        "sum.",
        "",
        *(f"- Machine: {machine}" for machine in machines),
        "- " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "- The machine was shared with other work while this ran (load 3 to 5 on 2 CPUs):",
        "  figures are noisy, by up to a factor of two between runs; compare within a table.",
        "",
        f"Targets (issue 12): an idle sweep under {TARGET_IDLE_MS:.0f} ms and flat from 100 to",
        f"10,000 groups; 10,000 daily posts claimed in under {TARGET_CLAIM_S:.0f} s and sent at",
        f"{TARGET_RATE:.0%} or more of the rate the limits allow, with no 429 beyond the",
        "platforms' own bursts.",
        "",
    ]
    if any(_sizes(stored[label]) for label in labels):
        lines += [
            "### One sweep: nothing due, and a daily post due for every group",
            "",
            "| groups (members) | database | idle: statements | wall | CPU "
            "| posts due: statements | wall | CPU "
            "| claiming | composing | marking sent | first read of every row |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for label in labels:
            for size in _sizes(stored[label]):
                f = stored[label][f"sweeps-{size}"]
                posts = f["posts"]
                stages = posts["stages"]
                lines.append(
                    f"| {size:,} ({f['members']:,}) | {label} | {_sweep_cells(f['idle'])} "
                    f"| {_sweep_cells(posts)} | {_ms(stages.get('claim', 0))} "
                    f"| {_ms(stages.get('compose', 0))} | {_ms(stages.get('mark sent', 0))} "
                    f"| {_ms(f['catch_up_seconds'])} |"
                )
        lines.append("")
    weekend = [(label, stored[label]["weekend"]) for label in labels if "weekend" in stored[label]]
    if weekend:
        lines += [
            "### The weekend reminder window",
            "",
            "Friday's check-in prompt at 17:00, each learner's reminder on Saturday at 17:00, the",
            "check-in closing on Sunday at 17:00: all Saturday evening every learner has a",
            "reminder that is still useful. The sweep that sends them, and a sweep an hour later",
            "(all sent, all still useful):",
            "",
            "| groups (learners) | database | reminders due: sent | statements | wall | CPU "
            "| composing | in the window: statements | wall | CPU |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for label, w in weekend:
            lines.append(
                f"| {w['groups']:,} ({w['members']:,}) | {label} | {w['reminders']['sent']:,} "
                f"| {_sweep_cells(w['reminders'])} "
                f"| {_ms(w['reminders']['stages'].get('compose', 0))} "
                f"| {_sweep_cells(w['idle'])} |"
            )
        lines.append("")
    fanouts = sorted(
        ((k, f) for k, f in stored.get("SQLite", {}).items() if k.startswith("fanout-")),
        key=lambda kf: (kf[1]["platform"], -kf[1]["workspaces"]),
    )
    alone = sorted(
        ((k, f) for k, f in stored.get("SQLite", {}).items() if k.startswith("posters-")),
        key=lambda kf: (kf[1]["platform"], -kf[1]["workspaces"]),
    )
    if fanouts or alone:
        lines += [
            "### Sending at the platforms' speed",
            "",
            "Daily posts through the real posters (`DiscordPoster` with discord.py, as the",
            "adapter wires it; `SlackPoster` with slack-sdk) to the fakes of `tests/`, which",
            "enforce the documented limits and answer every call after the latency said.",
            '"The limits allow" is the shortest time the limits allow for these posts, sent',
            "without a pause (Discord: 50 requests in any second; Slack: each workspace's",
            '`chat.postMessage` bucket, 300 deep as the fake reads "several hundred a minute",',
            'refilled at 5 a second); the ratio is that time over the time taken. "Limits do',
            "not bind\" when every workspace's posts fit in its burst. SQLite, one process.",
            "",
        ]
    if fanouts:
        lines += [
            "The engine's sweep with a daily post due for every group (`run_due()`): it takes",
            "500 rows, reads what their posts need for all of them at once, says each post",
            "and sends it as soon as it is said (64 channels at once); once the last is said it",
            "takes the next 500 while those",
            'sends finish. "Sending" is the time any send was under way. The fake platform runs',
            "in a process of its own, so what it spends answering is not the bot's.",
            "",
            "| platform | posts | workspaces | latency | whole sweep | rate "
            "| sending | rate while sending | the limits allow | ratio | 429s | shown | twice |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: |",
        ]
        for _key, f in fanouts:
            lines.append(
                f"| {f['platform']} | {f['sent']:,} | {f['workspaces']} "
                f"| {f['latency'] * 1000:.0f} ms | {_ms(f['seconds'])} "
                f"| {f['sent'] / f['seconds']:.0f}/s | {_ms(f['send_seconds'])} "
                f"| {f['sent'] / max(f['send_seconds'], 1e-9):.0f}/s "
                f"| {_allowed(f)} | {_ratio(f, f['seconds'])} "
                f"| {f['rate_limited']} | {f['shown']:,} | {f['duplicates']} |"
            )
        lines.append("")
        for _key, f in fanouts:
            if f.get("error"):
                lines += [
                    f"The {f['platform']} sweep over {f['workspaces']} workspace(s) raised after "
                    f"{_ms(f['seconds'])}, with {f['shown_then']:,} posts shown: "
                    f"`{f['error']}`. The next runs (once the lease was up) sent the rest.",
                    "",
                ]
    if alone:
        lines += [
            "The posters alone: the same number of posts, one per channel, sent as the engine",
            "sends them (64 channels at once) with nothing to compose in between, so only the",
            "posters' pacing, the limits and the latency set the pace:",
            "",
            "| platform | posts | workspaces | latency | took | rate | the limits allow "
            "| ratio | 429s | shown | twice |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for _key, f in alone:
            lines.append(
                f"| {f['platform']} | {f['sent']:,} | {f['workspaces']} "
                f"| {f['latency'] * 1000:.0f} ms | {_ms(f['seconds'])} "
                f"| {f['sent'] / f['seconds']:.0f}/s | {_allowed(f)} "
                f"| {_ratio(f, f['seconds'])} | {f['rate_limited']} | {f['shown']:,} "
                f"| {f['duplicates']} |"
            )
        lines.append("")
    for label in labels:
        p = stored[label].get("processes")
        if not p:
            continue
        lines += [
            f"### Three processes sharing a fan-out ({label})",
            "",
            f"{p['groups']:,} daily posts due at once; three OS processes, each with its own app",
            "and engine on the same database and a poster that counts, run `run_due()` at the",
            "same moment (after a barrier).",
            "",
            "| process | posts sent | its sweep took |",
            "| --- | ---: | ---: |",
        ]
        for index, (sent, seconds) in enumerate(zip(p["sent"], p["seconds"], strict=True)):
            lines.append(f"| {index + 1} | {sent:,} | {_ms(seconds)} |")
        lines += [
            f"| all | {sum(p['sent']):,} | |",
            "",
            f"Delivery rows: {p['deliveries']:,}, with {p['distinct']:,} distinct keys; channels",
            f"posted to twice: {p['duplicates']}. Claimed by: "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(p["by_claimer"].items()))
            + ".",
            "",
        ]
    c = stored.get("SQLite", {}).get("commands")
    if c:
        lines += [
            "### Commands while the scheduler works (SQLite)",
            "",
            f"`/progress` through the core's dispatcher, {c['concurrency']} at a time, in the",
            f"community of {c['groups']:,} groups; then the same while the sweep with a daily",
            f"post for every group runs ({c['fanout_sent']:,} posts, a poster taking 50 ms each;",
            f"it took {c['fanout_seconds']:.0f} s with the commands beside it). One SQLite",
            "connection, as in production. The members have no study history, so the command",
            "itself is cheap. Timed to its answer; its card is drawn after it, as the adapters",
            "draw it, beside the other commands. Its cost at 1M and 3M events is in the",
            "tables at the top.",
            "",
            "| | p50 | p99 | answers | busy |",
            "| --- | ---: | ---: | ---: | ---: |",
            f"| one at a time | {c['sequential'][0]:.1f} ms | {c['sequential'][1]:.1f} ms "
            f"| {c['sequential'][2]} | |",
            f"| {c['concurrency']} at a time | {c['unloaded'][0]:.1f} ms "
            f"| {c['unloaded'][1]:.1f} ms | {c['unloaded'][2]} | {c['busy_unloaded']} |",
            f"| {c['concurrency']} at a time, during the fan-out | {c['loaded'][0]:.1f} ms "
            f"| {c['loaded'][1]:.1f} ms | {c['loaded'][2]} | {c['busy_loaded']} |",
            "",
        ]
        if c.get("stalls"):
            p50, p99, most = c["stalls"]
            lines += [
                "While the fan-out ran, a 1 ms timer on the event loop ran late by p50 "
                f"{p50:.1f} ms, p99 {p99:.1f} ms and {most:.1f} ms at most: the longest "
                "anything ready to run (an ack, a command's next step) waited for the loop.",
                "",
            ]
        if c.get("slack"):
            lines += [
                "Slack, in the same run: signed `/cohort progress` requests, 20 at a time, to",
                "Cohort's endpoint (`SlackAdapter` behind its replay guard) and to a bare",
                "slack-bolt `AsyncApp` whose `/cohort` only acks, both served by aiohttp on",
                "loopback: the HTTP answer (the ack), and for Cohort the answer at the",
                "`response_url`. The answer is ephemeral, so its card then goes into each",
                "member's DM (`conversations.open` once per member, and Slack's upload calls,",
                "through the fake's tier limits). Each round sends Cohort's wave, waits for its",
                "answers and uploads, then sends the bare app's wave: neither app's acks wait",
                "on the other's work.",
                "",
                "| | Cohort ack p50 | p99 | bare bolt ack p50 | p99 | ack p99, Cohort / bare "
                "| Cohort answer p50 | p99 |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for when, found in c["slack"].items():
                ack, bare, answer = (
                    found["cohort ack"],
                    found["bare bolt ack"],
                    found["cohort answer"],
                )
                ratio = f"{ack[1] / bare[1]:.1f}x" if bare[1] else "-"
                lines.append(
                    f"| {when} | {ack[0]:.1f} ms | {ack[1]:.1f} ms | {bare[0]:.1f} ms "
                    f"| {bare[1]:.1f} ms | {ratio} | {answer[0]:.1f} ms | {answer[1]:.1f} ms |"
                )
            lines.append("")
        lines += [
            "Resident memory of the process after that run (`ru_maxrss`): "
            f"{c['maxrss_mib']:.0f} MiB.",
            "",
        ]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> None:
    backends = [Backend("SQLite", f"sqlite+aiosqlite:///{args.sqlite}")]
    postgres = args.postgres or os.environ.get("COHORT_BENCH_POSTGRES_URL")
    if postgres:
        backends.append(Backend("PostgreSQL", postgres))
    parts = set(args.only.split(",")) if args.only else set(PARTS)
    versions = {"Python": platform.python_version(), "SQLite": sqlite3.sqlite_version}
    for backend in backends:
        if backend.label == "PostgreSQL":
            versions["PostgreSQL"] = await _postgres_version(backend.url)
        print(f"== {backend.label}", flush=True)
        save = functools.partial(_save, backend.label, versions=versions, path=args.figures)
        if "sweeps" in parts:
            for size in args.sizes:
                figures = await sweeps_at(backend, size, args.members_per_group)
                save(f"sweeps-{size}", asdict(figures))
        if "weekend" in parts:
            wk = await weekend(backend, args.weekend_groups, args.members_per_group)
            save("weekend", asdict(wk))
        if "processes" in parts and backend.label == "PostgreSQL":
            pf = await processes(
                backend, args.processes_groups, args.members_per_group, args.process_delay
            )
            save("processes", asdict(pf))
        if "commands" in parts and backend.label == "SQLite":
            cf = await commands(
                backend,
                args.commands_groups,
                args.members_per_group,
                20,
                args.latency,
                slack=args.slack_ack,
            )
            save("commands", asdict(cf))
        if "fanout" in parts and backend.label == "SQLite":
            runs = [(Platform.DISCORD, args.fanout_discord, 1)]
            runs += [(Platform.SLACK, args.fanout_slack, n) for n in args.slack_workspaces]
            for plat, posts, workspaces in runs:
                if posts:
                    ff = await fanout(
                        backend, plat, posts, workspaces, args.members_per_group, args.latency
                    )
                    save(f"fanout-{plat.value}-{workspaces}", asdict(ff))
        if "posters" in parts and backend.label == "SQLite":
            runs = [(Platform.DISCORD, args.posters_discord, 1)]
            runs += [(Platform.SLACK, args.posters_slack, n) for n in args.posters_workspaces]
            for plat, posts, workspaces in runs:
                if posts:
                    alone = await posters_alone(backend, plat, posts, workspaces, args.latency)
                    save(f"posters-{plat.value}-{workspaces}", asdict(alone))
    if args.write:
        write_section(report(_load(args.figures)))
        print(f"written to {HERE / 'RESULTS.md'}")


PARTS = ("sweeps", "weekend", "processes", "fanout", "posters", "commands")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sqlite", type=Path, default=DEFAULT_SQLITE)
    parser.add_argument("--postgres", help="postgresql+asyncpg://… (databases are made on it)")
    parser.add_argument(
        "--sizes",
        type=lambda v: [int(s) for s in v.split(",") if s],
        default=[100, 1_000, 10_000],
        help="numbers of groups for the idle and daily-post sweeps",
    )
    parser.add_argument("--members-per-group", type=int, default=10)
    parser.add_argument("--weekend-groups", type=int, default=1_000)
    parser.add_argument("--processes-groups", type=int, default=3_000)
    parser.add_argument("--process-delay", type=float, default=0.0)
    parser.add_argument("--commands-groups", type=int, default=500)
    parser.add_argument("--fanout-discord", type=int, default=10_000)
    parser.add_argument("--fanout-slack", type=int, default=10_000)
    parser.add_argument(
        "--slack-workspaces",
        type=lambda v: [int(s) for s in v.split(",") if s],
        default=[50, 10],
        help="Slack fan-outs over this many workspaces each",
    )
    parser.add_argument("--posters-discord", type=int, default=2_000)
    parser.add_argument("--posters-slack", type=int, default=10_000)
    parser.add_argument(
        "--posters-workspaces",
        type=lambda v: [int(s) for s in v.split(",") if s],
        default=[10],
        help="Slack posters alone over this many workspaces each",
    )
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--no-slack-ack", dest="slack_ack", action="store_false")
    parser.add_argument("--only", help=f"some of {','.join(PARTS)}")
    parser.add_argument(
        "--figures",
        type=Path,
        default=FIGURES,
        help="where figures are kept between runs (another file for a trial run)",
    )
    parser.add_argument("--no-write", dest="write", action="store_false")
    asyncio.run(main_async(parser.parse_args()))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
