"""Fire 1,000 commands at once at the generated community and count how each was answered.

    python -m benchmarks.concurrency                       # SQLite (generated on first run)
    python -m benchmarks.concurrency --postgres URL        # and PostgreSQL (an empty database)

The community is the one `benchmarks.run` uses (see `generate.py`). 1,000 distinct members
each send one command in their group's channel, all at the same instant, through the core
as an adapter would: `/leaderboard`, `/done` (a random step) and `/progress` in turn. The
app runs with its production settings (`COHORT_DB_POOL_SIZE`, the wait for a connection in
`bot/db/engine.py`). Prints how long the burst took, p50/p99 of the answers, and the count
of each outcome as the metrics record it: ok, refused, busy (the database could not take
the command in time, so nothing changed) and error (an error id: there should be none).
Figures only. `/done` writes steps as members would, a few hundred among a million events.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.generate import GUILD, NOW
from benchmarks.run import (
    DEFAULT_SQLITE,
    _ensure_data,
    _percentile,
    sample_members,
    sqlite_url,
)
from bot.bootstrap import App, build_app
from bot.clock import ManualClock
from bot.messages import Actor, Invocation, OptionValue, Place, Platform
from bot.settings import Settings

OUTCOMES = ("ok", "refused", "busy", "error")
WARM_UP = 10  # commands run one by one first, as a bot that has been up a while would be


def _invocations(
    app: App, members: list[tuple[str, str, str]], rng: random.Random
) -> list[Invocation]:
    steps = [placed.id for placed in app.catalog.default.steps]
    invocations = []
    for index, (user, name, channel) in enumerate(members):
        command = ("leaderboard", "done", "progress")[index % 3]
        options: dict[str, OptionValue] = {"step": rng.choice(steps)} if command == "done" else {}
        place = Place(Platform.DISCORD, GUILD, channel)
        invocations.append(Invocation(command, Actor(user, name), place, options))
    return invocations


async def burst(url: str, label: str, *, commands: int, seed: int = 11) -> None:
    app = await build_app(Settings(database_url=url), clock=ManualClock(NOW))
    rng = random.Random(seed)
    try:
        members = await sample_members(app, commands + WARM_UP, rng)
        invocations = _invocations(app, members, rng)
        for invocation in invocations[:WARM_UP]:
            await app.dispatcher.run(invocation)
        before = _counts(app)
        latencies: dict[str, list[float]] = defaultdict(list)

        async def timed(invocation: Invocation) -> tuple[float, str]:
            started = time.perf_counter()
            reply = await app.dispatcher.run(invocation)
            elapsed = (time.perf_counter() - started) * 1000
            busy = reply.is_error and reply.body.startswith("I'm busy")
            return elapsed, "busy" if busy else "error" if "error id" in reply.body else "answer"

        started = time.perf_counter()
        results = await asyncio.gather(*(timed(i) for i in invocations[WARM_UP:]))
        took = time.perf_counter() - started
        for elapsed, kind in results:
            latencies["all"].append(elapsed)
            latencies[kind].append(elapsed)
        after = _counts(app)
        counted = {outcome: after[outcome] - before[outcome] for outcome in OUTCOMES}
        answered = len(latencies["answer"])
        print(
            f"  {label:10} {len(results):,} commands at once: the last reply after {took:.2f} s, "
            f"{answered / took:,.0f} answered per second"
        )
        for kind in ("all", "answer", "busy", "error"):
            if latencies[kind]:
                print(
                    f"  {label:10}   {kind:7} {len(latencies[kind]):5,}   "
                    f"p50 {statistics.median(latencies[kind]):7.1f} ms   "
                    f"p99 {_percentile(latencies[kind], 0.99):7.1f} ms"
                )
        print(
            f"  {label:10} outcomes: "
            + " · ".join(f"{outcome} {int(counted[outcome]):,}" for outcome in OUTCOMES)
        )
    finally:
        await app.close()


def _counts(app: App) -> dict[str, float]:
    """Commands counted per outcome so far, over every command name."""
    totals: dict[str, float] = dict.fromkeys(OUTCOMES, 0.0)
    for metric in app.metrics.registry.collect():
        for sample in metric.samples:
            if sample.name == "cohort_commands_total":
                outcome = sample.labels["outcome"]
                totals[outcome] = totals.get(outcome, 0.0) + sample.value
    return totals


async def main_async(args: argparse.Namespace) -> None:
    runs: list[tuple[str, str]] = []
    sqlite_path: Path = args.sqlite
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    runs.append(("SQLite", sqlite_url(sqlite_path, 1_000_000)))
    postgres = args.postgres or os.environ.get("COHORT_BENCH_POSTGRES_URL")
    if postgres:
        runs.append(("PostgreSQL", postgres))
    for label, url in runs:
        await _ensure_data(url, 1_000_000)
        await burst(url, label, commands=args.commands)


def main() -> None:
    # Each busy answer logs a warning; a thousand of them would bury the figures.
    logging.getLogger("bot.commands.dispatch").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", type=Path, default=DEFAULT_SQLITE)
    parser.add_argument("--postgres", help="postgresql+asyncpg://… (an empty database)")
    parser.add_argument("--commands", type=int, default=1_000)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
