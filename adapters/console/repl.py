"""Reading lines from a terminal or a pipe and printing what Cohort answers."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from adapters.console.poster import ConsolePoster
from adapters.console.session import HELP, ConsoleSession, ensure_demo
from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock, ShiftedClock
from bot.messages import Platform
from bot.scheduler.jobs import ScheduleRunner


async def serve_console(
    app: App,
    *,
    member: str,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    run_scheduler: bool = True,
) -> None:
    """Run until end of input or `:quit`. On a terminal it prompts; from a pipe it echoes
    each command above its reply so a scripted session reads like a transcript."""
    await ensure_demo(app, app.clock.now())
    clock = app.clock
    if not isinstance(clock, ShiftedClock | ManualClock):  # pragma: no cover - cli builds one
        msg = "the console needs a clock it can move"
        raise TypeError(msg)
    poster = ConsolePoster(clock)
    engine = accountability_engine(
        app, poster, instance="console", platforms=frozenset({Platform.CONSOLE})
    )
    session = ConsoleSession(app, member=member, clock=clock, engine=engine, poster=poster)
    runner = ScheduleRunner(engine, app.sessions) if run_scheduler else None
    if runner is not None:
        await runner.start()
        app.dispatcher.schedule_listeners.append(runner.rebuild)
    interactive = stdin.isatty()
    if interactive:
        print("Cohort console · demo community, #study-group. Try /next or /help.", file=stdout)
        print(HELP.splitlines()[0] + " :help", file=stdout)
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
