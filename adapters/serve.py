"""Serving every platform whose credentials are set, with the scheduler, `/healthz` and
`/metrics`, until SIGTERM. Stopping is graceful: new commands are turned away politely,
commands and scheduled posts in progress finish, then connections close."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable

from aiohttp import web as aiohttp_web

from adapters.web import WebServer, web_app
from bot.bootstrap import App, accountability_engine
from bot.messages import Platform
from bot.ops.health import Check, HealthReport, health
from bot.ports import Poster, PosterByPlatform
from bot.scheduler.jobs import ScheduleRunner

log = logging.getLogger("cohort")

Closer = Callable[[], Awaitable[None]]
Connected = Callable[[], Awaitable[bool]]


async def serve_platforms(app: App, *, ready: asyncio.Event | None = None) -> None:
    settings = app.settings
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):  # first: a stop while starting is clean too
        loop.add_signal_handler(signum, stop.set)
    posters: dict[Platform, Poster] = {}
    connected: dict[str, Connected] = {}
    closers: list[Closer] = []
    runner: ScheduleRunner | None = None

    async def report() -> HealthReport:
        scheduler = runner.health if runner is not None else _not_started
        return await health(app.sessions, scheduler, connected)

    web = web_app(report, app.metrics)
    server = WebServer(web)
    try:
        await _connect(app, web, posters, connected, closers)
        port = await server.start(settings.http_host, settings.http_port)
        log.info("serving /healthz and /metrics on %s:%d", settings.http_host, port)
        poster = PosterByPlatform(posters)
        instance = f"{socket.gethostname()}-{os.getpid()}"
        engine = accountability_engine(app, poster, instance=instance, platforms=poster.platforms)
        runner = ScheduleRunner(engine)
        await runner.start()
        app.dispatcher.events.subscribe(runner.on_event)
        log.info("Cohort is running (%s); SIGTERM stops it", ", ".join(p.value for p in posters))
        if ready is not None:
            ready.set()
        await stop.wait()
        log.info("stopping: no new work is taken, what is in flight finishes")
    finally:
        grace = settings.shutdown_grace_seconds
        if not await app.work.drain(grace=grace):
            log.warning(
                "%d command(s) still running after %ss; stopping anyway", app.work.count, grace
            )
        if runner is not None:
            await runner.stop(grace=grace)
        await server.stop()
        for close in reversed(closers):
            await close()
        log.info("stopped")


async def _connect(
    app: App,
    web: aiohttp_web.Application,
    posters: dict[Platform, Poster],
    connected: dict[str, Connected],
    closers: list[Closer],
) -> None:
    settings = app.settings
    if settings.discord_enabled:
        from adapters.discord.app import DiscordAdapter

        discord = DiscordAdapter(app, settings)
        closers.append(discord.close)
        await discord.start()
        posters[Platform.DISCORD] = discord.poster
        connected["discord"] = discord.is_connected
        shards = f"shards {settings.discord_shard_ids}" if settings.shard_ids else "connected"
        log.info("Discord: %s as %s", shards, discord.client.user)
    if settings.slack_enabled:
        from adapters.slack.app import SlackAdapter

        slack = SlackAdapter(app, settings)
        closers.append(slack.close)
        posters[Platform.SLACK] = slack.poster
        connected["slack"] = slack.connected
        if settings.slack_app_token is not None:
            await slack.connect_socket_mode()
            log.info("Slack: connected over Socket Mode")
        else:
            slack.add_routes(web)
            log.info("Slack: receiving events at POST /slack/events")


def _not_started() -> Check:
    return Check("scheduler", ok=False, detail="starting")
