"""Serving every platform whose credentials are set, with the scheduler, until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable

from bot.bootstrap import App, accountability_engine
from bot.messages import Platform
from bot.ports import Poster, PosterByPlatform
from bot.scheduler.jobs import ScheduleRunner

log = logging.getLogger("cohort")


async def serve_platforms(app: App) -> None:
    posters: dict[Platform, Poster] = {}
    closers: list[Callable[[], Awaitable[None]]] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):  # first: a stop while starting is clean too
        loop.add_signal_handler(signum, stop.set)
    try:
        await _connect(app, posters, closers)
        poster = PosterByPlatform(posters)
        instance = f"{socket.gethostname()}-{os.getpid()}"
        engine = accountability_engine(app, poster, instance=instance, platforms=poster.platforms)
        runner = ScheduleRunner(engine, app.sessions)
        await runner.start()
        closers.append(_async(runner.stop))
        app.dispatcher.schedule_listeners.append(runner.rebuild)
        names = ", ".join(p.value for p in posters)
        log.info("Cohort is running (%s); SIGTERM stops it", names)
        await stop.wait()
        log.info("stopping: no new work is taken, what is in flight finishes")
    finally:
        for close in reversed(closers):
            await close()


async def _connect(
    app: App, posters: dict[Platform, Poster], closers: list[Callable[[], Awaitable[None]]]
) -> None:
    settings = app.settings
    if settings.discord_enabled:
        from adapters.discord.app import DiscordAdapter

        discord = DiscordAdapter(app, settings)
        closers.append(discord.close)
        await discord.start()
        posters[Platform.DISCORD] = discord.poster
        shards = f"shards {settings.discord_shard_ids}" if settings.shard_ids else "connected"
        log.info("Discord: %s as %s", shards, discord.client.user)
    if settings.slack_enabled:
        from adapters.slack.app import SlackAdapter

        slack = SlackAdapter(app, settings)
        closers.append(slack.close)
        posters[Platform.SLACK] = slack.poster
        if settings.slack_app_token is not None:
            await slack.connect_socket_mode()
            log.info("Slack: connected over Socket Mode")
        else:
            port = await slack.serve_http(settings.http_host, settings.http_port)
            log.info("Slack: serving POST /slack/events on %s:%d", settings.http_host, port)


def _async(stop: Callable[[], None]) -> Callable[[], Awaitable[None]]:
    async def stopped() -> None:
        stop()

    return stopped
