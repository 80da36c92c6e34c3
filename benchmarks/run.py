"""Measure Cohort on a large community and write benchmarks/RESULTS.md.

    python -m benchmarks.run                       # SQLite (generated on first run)
    python -m benchmarks.run --postgres URL        # and PostgreSQL (a server URL)
    python -m benchmarks.run --events 1000000      # one history size only

Reports command latency (p50/p99) for /progress, /leaderboard and /next as members of
their groups would run them, on a community with 1M and with 3M progress events (each
generated once: SQLite files in benchmarks/.data/, PostgreSQL databases
`cohort_bench_commands_…` made on the server given). What scheduling costs is measured
by `benchmarks.scheduler`, which writes its own section of RESULTS.md; this one rewrites
only the part above the first `## ` heading. Figures only: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url, text

from benchmarks.generate import GUILD, NOW, generate
from bot.bootstrap import App, build_app, settle
from bot.clock import ManualClock
from bot.messages import Actor, Invocation, OptionValue, Place, Platform
from bot.settings import Settings

HERE = Path(__file__).resolve().parent
DEFAULT_SQLITE = HERE / ".data" / "cohort.db"
COMMANDS: tuple[tuple[str, dict[str, OptionValue]], ...] = (
    ("progress", {}),
    ("leaderboard", {}),
    ("leaderboard", {"period": "month"}),
    ("leaderboard", {"metric": "streak"}),
    ("leaderboard", {"metric": "hours"}),
    ("next", {}),
)


@dataclass
class Figures:
    database: str  # and the history's size, e.g. "SQLite 1M"
    latencies: dict[str, tuple[float, float]]  # command -> (p50 ms, p99 ms), with pictures
    text_only: dict[str, tuple[float, float]]  # the same with every group's pictures off
    pictured: dict[str, tuple[float, float]]  # with pictures: until the picture is drawn too


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index]


async def sample_members(app: App, count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """`count` members picked at random: (user id, display name, their group's channel)."""
    async with app.sessions() as session:
        rows = (
            await session.execute(
                text(
                    "SELECT m.platform_user_id, m.display_name, g.channel_id FROM members m "
                    "JOIN group_members gm ON gm.member_id = m.id "
                    "JOIN groups g ON g.id = gm.group_id"
                )
            )
        ).all()
    distinct = list({user: (user, name, channel) for user, name, channel in rows}.values())
    return rng.sample(distinct, min(count, len(distinct)))


async def measure(url: str, label: str, *, samples: int, seed: int = 7) -> Figures:
    """Each command for the same randomly chosen members, first as they come (with the
    card `/progress` and `/leaderboard` draw), then with every group's pictures off, so
    the answer alone is measured too. The groups' setting is put back afterwards.

    With pictures, two times: the answer, which adapters send as soon as the core returns
    it, and the answer with its card drawn (as adapters draw it, after the answer)."""
    app = await build_app(Settings(database_url=url), clock=ManualClock(NOW))
    settle()  # as the bot does once it has started
    try:
        chosen = await sample_members(app, samples, random.Random(seed))
        # Each member's rows read once untimed, so that every timed pass finds them cached
        # alike (the first timed pass would otherwise pay for the reads of all of them).
        await _latencies(app, f"{label} warm", chosen, quiet=True)
        with_pictures, pictured = await _latencies(app, label, chosen)
        await _pictures(app, on=False)
        try:
            text_only, _ = await _latencies(app, f"{label} text", chosen)
        finally:
            await _pictures(app, on=True)
        return Figures(label, with_pictures, text_only, pictured)
    finally:
        await app.close()


Latencies = dict[str, tuple[float, float]]


async def _latencies(
    app: App, label: str, chosen: list[tuple[str, str, str]], *, quiet: bool = False
) -> tuple[Latencies, Latencies]:
    """p50 and p99 of each command's answer, and of its answer with its picture drawn."""
    latencies: Latencies = {}
    pictured: Latencies = {}
    for name, options in COMMANDS:
        label_ = " ".join([f"/{name}", *(str(v) for v in options.values())])
        times: list[float] = []
        drawn: list[float] = []
        for index, (user, display, channel) in enumerate([*chosen[:10], *chosen]):
            invocation = Invocation(
                name, Actor(user, display), Place(Platform.DISCORD, GUILD, channel), options
            )
            started = time.perf_counter()
            reply = await app.dispatcher.run(invocation)
            elapsed = (time.perf_counter() - started) * 1000
            await reply.picture()
            with_picture = (time.perf_counter() - started) * 1000
            if reply.is_error:
                msg = f"{label_} failed: {reply.body}"
                raise RuntimeError(msg)
            if index >= 10:  # the first ten warm caches up
                times.append(elapsed)
                drawn.append(with_picture)
        latencies[label_] = (statistics.median(times), _percentile(times, 0.99))
        pictured[label_] = (statistics.median(drawn), _percentile(drawn, 0.99))
        if quiet:
            continue
        print(
            f"  {label:15} {label_:28} p50 {latencies[label_][0]:6.1f} ms   "
            f"p99 {latencies[label_][1]:6.1f} ms   with its picture p50 "
            f"{pictured[label_][0]:6.1f} ms   p99 {pictured[label_][1]:6.1f} ms",
            flush=True,
        )
    return latencies, pictured


async def _pictures(app: App, *, on: bool) -> None:
    """Turn every group's pictures on or off (`/group images`), as its admins would."""
    async with app.sessions() as session, session.begin():
        await session.execute(text("UPDATE groups SET images = :on"), {"on": on})


async def _ensure_data(url: str, events: int) -> None:
    app = await build_app(Settings(database_url=url), clock=ManualClock(NOW), migrate_db=True)
    try:
        async with app.sessions() as session:
            count = await session.scalar(text("SELECT count(*) FROM progress_events"))
    finally:
        await app.close()
    if not count:
        print(f"generating the benchmark community into {url} …")
        await generate(url, members=10_000, groups=100, events=events, seed=2026)


async def _postgres_version(url: str) -> str:
    app = await build_app(Settings(database_url=url))
    try:
        async with app.sessions() as session:
            return str(await session.scalar(text("SHOW server_version")))
    finally:
        await app.close()


def sqlite_url(path: Path, events: int) -> str:
    """The SQLite file holding the community with `events` progress events."""
    return f"sqlite+aiosqlite:///{path.with_name(f'{path.stem}-{_size(events)}{path.suffix}')}"


def _size(events: int) -> str:
    return f"{events // 1_000_000}M" if events % 1_000_000 == 0 else f"{events:,}"


async def _postgres_database(server: str, name: str) -> str:
    """A database of its own on the server, made if missing and kept between runs (its
    generated community takes minutes to make)."""
    import asyncpg  # type: ignore[import-untyped]  # only with a PostgreSQL server

    url = make_url(server)
    connection = await asyncpg.connect(
        url.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        found = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not found:
            await connection.execute(f'CREATE DATABASE "{name.lower()}"')
    finally:
        await connection.close()
    return url.set(database=name.lower()).render_as_string(hide_password=False)


def _machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{int(memory) / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, {ram}"


def _report(figures: list[Figures], versions: dict[str, str]) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m benchmarks.run` (`make bench`). The community: 10,000 members in",
        "100 study groups of one Discord server, with 1M and with 3M progress events over the",
        "past year (see `benchmarks/generate.py`). Latency is the whole command as the core",
        "runs it: resolve, check, transaction, queries and the reply, measured over randomly",
        "chosen members in their group's channel.",
        "",
        f"- Machine: {_machine()}",
        f"- Python {platform.python_version()}, "
        + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "",
        "Commands whose answer carries a picture (`/progress` and `/leaderboard` draw a card,",
        'see "Pictures" below) were measured as members get them by default, with pictures',
        "on, and with pictures off for every group (`/group images off`). The same members,",
        "in the same order, each time. With pictures on, the card is drawn once the core has",
        "returned the answer: Slack sends the answer then and shares the card after it;",
        "Discord waits up to 50 ms for the card, so that both arrive as one message. Both",
        "times are reported.",
        "",
    ]
    tables: tuple[tuple[str, Callable[[Figures], Latencies]], ...] = (
        ("The answer, pictures on (as members get it by default)", lambda f: f.latencies),
        ("The answer and its picture drawn, pictures on", lambda f: f.pictured),
        ("The answer, pictures off", lambda f: f.text_only),
    )
    for title, latencies in tables:
        lines += [
            f"**{title}**",
            "",
            "| command | "
            + " | ".join(f"{f.database} p50 | {f.database} p99" for f in figures)
            + " |",
            "| --- | " + " | ".join("---: | ---:" for _ in figures) + " |",
        ]
        for command in figures[0].latencies:
            cells = " | ".join(
                f"{latencies(f)[command][0]:.1f} ms | {latencies(f)[command][1]:.1f} ms"
                for f in figures
            )
            lines.append(f"| `{command}` | {cells} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _write(head: str, path: Path) -> None:
    """Put `head` in place of the file's part above its first `## ` heading; the sections
    other benchmarks write stay as they are."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = current.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    rest = "\n".join(lines[first:])
    path.write_text(head + ("\n" + rest + "\n" if rest else ""), encoding="utf-8")


def write_section(section: str, path: Path = HERE / "RESULTS.md") -> None:
    """Put `section` in place of the old one (from its heading, its first line, to the
    next `## `), or at the end; everything else in the file stays."""
    heading = section.splitlines()[0]
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    lines = current.splitlines()
    if heading in lines:
        start = lines.index(heading)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines[start:end] = [*section.rstrip("\n").splitlines(), ""]
    else:
        lines += ["", *section.rstrip("\n").splitlines()]
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")


async def main_async(args: argparse.Namespace) -> None:
    runs: list[tuple[str, str, int]] = []
    sizes = [int(n) for n in args.events.split(",")]
    sqlite_path: Path = args.sqlite
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    for events in sizes:
        runs.append(("SQLite", sqlite_url(sqlite_path, events), events))
    postgres = args.postgres or os.environ.get("COHORT_BENCH_POSTGRES_URL")
    if postgres:
        for events in sizes:
            url = await _postgres_database(postgres, f"cohort_bench_commands_{_size(events)}")
            runs.append(("PostgreSQL", url, events))
    versions = {"SQLite": sqlite3.sqlite_version}
    figures = []
    for label, url, events in runs:
        await _ensure_data(url, events)
        if label == "PostgreSQL":
            versions["PostgreSQL"] = await _postgres_version(url)
        figures.append(await measure(url, f"{label} {_size(events)}", samples=args.samples))
    if args.write:
        _write(_report(figures, versions), HERE / "RESULTS.md")
        print(f"written to {HERE / 'RESULTS.md'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", type=Path, default=DEFAULT_SQLITE)
    parser.add_argument("--postgres", help="postgresql+asyncpg://… (an empty database)")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument(
        "--events", default="1000000,3000000", help="history sizes, comma-separated"
    )
    parser.add_argument("--no-write", dest="write", action="store_false")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
