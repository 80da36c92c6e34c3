"""Reading lines from a terminal or a pipe and printing what Cohort answers."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TextIO

from adapters.console.poster import ConsolePoster
from adapters.console.session import ConsoleSession, demo_group_created_at, ensure_demo
from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock, ShiftedClock
from bot.errors import ConfigError
from bot.messages import Platform
from bot.scheduler.jobs import ScheduleRunner


async def serve_console(
    app: App,
    *,
    member: str,
    start: datetime | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    run_scheduler: bool = True,
) -> None:
    """Run until end of input or `:quit`. On a terminal it prompts; from a pipe it echoes
    each command above its reply so a scripted session reads like a transcript. `start`
    (timezone-aware) sets the console's clock, and times are then shown in its zone."""
    clock = app.clock
    if not isinstance(clock, ShiftedClock | ManualClock):  # pragma: no cover - cli builds one
        msg = "the console needs a clock it can move"
        raise TypeError(msg)
    poster = ConsolePoster(
        clock, export_dir=app.settings.export_dir, image_dir=app.settings.image_dir
    )
    if start is not None:
        await _refuse_start_before_the_demo(app, start, poster)
        clock.set(start)
        poster.zone = _shown_zone(start)
    await ensure_demo(app, clock.now())
    engine = accountability_engine(
        app, poster, instance="console", platforms=frozenset({Platform.CONSOLE})
    )
    session = ConsoleSession(app, member=member, clock=clock, engine=engine, poster=poster)
    runner = ScheduleRunner(engine) if run_scheduler else None
    if runner is not None:
        await runner.start()
        app.dispatcher.events.subscribe(runner.on_event)
    interactive = stdin.isatty()
    if interactive:
        print(
            f"Cohort console: you are {session.actor.display_name} in #study-group, "
            "a demo study group.",
            file=stdout,
        )
        print(
            "Try /next to see what to study first, or /help for every command. "
            ":help lists the console's own commands; :quit leaves.",
            file=stdout,
        )
    loop = asyncio.get_running_loop()
    while not session.finished:
        if interactive:
            stdout.write(session.prompt)
            stdout.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        if not interactive and line.strip() and not line.lstrip().startswith("#"):
            print(f"{session.prompt}{line.strip()}", file=stdout)
        output = await session.handle(line)
        if output is not None:
            print(output, file=stdout)
            print(file=stdout)
    if runner is not None:
        await runner.stop()


async def _refuse_start_before_the_demo(app: App, start: datetime, poster: ConsolePoster) -> None:
    """A group posts nothing from before it existed, nor anything twice, so a start before
    the demo group was set up (a scripted week run again, say) would replay a silent week."""
    created = await demo_group_created_at(app)
    if created is not None and start < created:
        set_up = poster.when(created, _shown_zone(start))
        msg = (
            f"This database already has a demo group, set up {set_up}, at or after --start: "
            "a week replayed from there would post nothing (nothing is posted from before a "
            "group existed, nor twice). Start later, or use a new database file: "
            "COHORT_DATABASE_URL=sqlite+aiosqlite:///another.db cohort console --start ..."
        )
        raise ConfigError(msg)


def _shown_zone(start: datetime) -> tzinfo:
    return UTC if start.utcoffset() == timedelta(0) else (start.tzinfo or UTC)
