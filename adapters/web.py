"""The HTTP side of a running Cohort: `GET /healthz`, `GET /metrics`, and whatever routes
platform adapters add (Slack's `POST /slack/events`). One aiohttp server per process."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.ops.health import HealthReport
from bot.ops.metrics import CONTENT_TYPE, Metrics

HealthSource = Callable[[], Awaitable[HealthReport]]


def web_app(health: HealthSource, metrics: Metrics) -> web.Application:
    async def healthz(_request: web.Request) -> web.Response:
        report = await health()
        return web.json_response(report.as_json(), status=200 if report.ok else 503)

    async def prometheus(_request: web.Request) -> web.Response:
        response = web.Response(body=metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", prometheus)
    return app


class WebServer:
    def __init__(self, app: web.Application) -> None:
        self.app = app
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen on host:port (0 picks a free port); returns the port bound."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        return int(sockets[0].getsockname()[1]) if sockets else port

    async def stop(self) -> None:
        """Stop listening; requests being answered get to finish."""
        if self._runner is not None:
            await self._runner.cleanup()
