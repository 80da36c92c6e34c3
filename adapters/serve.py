"""Serving every platform whose credentials are set, with the scheduler, until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket

from bot.bootstrap import App, accountability_engine
from bot.messages import Platform
from bot.ports import Poster, PosterByPlatform
from bot.scheduler.jobs import ScheduleRunner

log = logging.getLogger("cohort")


async def serve_platforms(app: App) -> None:
    settings = app.settings
    posters: dict[Platform, Poster] = {}
    closers = []
    if settings.slack_enabled:
        from adapters.slack.app import SlackAdapter

        slack = SlackAdapter(app, settings)
        posters[Platform.SLACK] = slack.poster
        closers.append(slack.close)
        if settings.slack_app_token is not None:
            await slack.connect_socket_mode()
            log.info("Slack: connected over Socket Mode")
        else:
            port = await slack.serve_http(settings.http_host, settings.http_port)
            log.info("Slack: serving POST /slack/events on %s:%d", settings.http_host, port)
    poster = PosterByPlatform(posters)
    instance = f"{socket.gethostname()}-{os.getpid()}"
    engine = accountability_engine(app, poster, instance=instance, platforms=poster.platforms)
    runner = ScheduleRunner(engine, app.sessions)
    await runner.start()
    app.dispatcher.schedule_listeners.append(runner.rebuild)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("Cohort is running (%s); SIGTERM stops it", ", ".join(p.value for p in posters))
    await stop.wait()
    log.info("stopping: no new work is taken, what is in flight finishes")
    runner.stop()
    for close in closers:
        await close()
