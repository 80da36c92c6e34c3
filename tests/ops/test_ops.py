"""Running in production: metrics, health, logs without secrets, waiting for the database,
and stopping gracefully."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import aiohttp
import pytest

from adapters.web import WebServer, web_app
from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock
from bot.commands.context import CommandContext
from bot.commands.dispatch import RESTARTING, Dispatcher
from bot.commands.registry import CommandSet, Registry
from bot.db.engine import make_engine, make_sessions, wait_for_database
from bot.errors import ConfigError
from bot.messages import Reply
from bot.ops.health import Check, health
from bot.ops.inflight import InFlight
from bot.ops.logs import setup_logging
from bot.settings import Settings
from tests.conftest import Cohort
from tests.scheduler.conftest import RecordingPoster
from tests.support import free_port


def sample(app: App, name: str, **labels: str) -> float:
    value = app.metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


async def test_commands_are_counted_by_name_and_outcome_and_timed(cohort: Cohort) -> None:
    await cohort("/progress")
    await cohort("/progress")
    await cohort("/done pythn")
    app = cohort.app
    assert sample(app, "cohort_commands_total", command="progress", outcome="ok") == 2
    assert sample(app, "cohort_commands_total", command="done", outcome="refused") == 1
    assert sample(app, "cohort_command_seconds_count", command="progress") == 2
    text = app.metrics.render().decode()
    assert 'cohort_command_seconds_bucket{command="progress",le="0.05"}' in text


async def test_deliveries_are_counted_sent_failed_and_retried_with_their_lag(
    cohort: Cohort, clock: ManualClock
) -> None:
    app = cohort.app
    clock.set(datetime(2026, 11, 18, 7, 0, tzinfo=UTC))
    cohort.admins.add("admin")
    await cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    poster = RecordingPoster(clock, failures_left=1)
    engine = accountability_engine(app, poster, instance="metrics")
    clock.set(datetime(2026, 11, 18, 8, 0, tzinfo=UTC))
    await engine.run_due()
    assert sample(app, "cohort_deliveries_total", outcome="failed") == 1
    clock.set(datetime(2026, 11, 18, 8, 3, tzinfo=UTC))
    await engine.run_due()
    assert sample(app, "cohort_deliveries_total", outcome="sent") == 1
    assert sample(app, "cohort_deliveries_total", outcome="retried") == 1
    assert sample(app, "cohort_scheduler_lag_seconds_sum") == 180, "three minutes late"


async def _get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.headers["Content-Type"], await response.text()


async def test_healthz_and_metrics_over_http(app: App) -> None:
    scheduler = Check("scheduler", ok=True, detail="running")

    async def connected() -> bool:
        return True

    web = web_app(
        lambda: health(app.sessions, lambda: scheduler, {"discord": connected}), app.metrics
    )
    server = WebServer(web)
    port = await server.start("127.0.0.1", 0)
    try:
        status, _, body = await _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200
        assert json.loads(body) == {
            "ok": True,
            "checks": {
                "database": {"ok": True, "detail": "reachable"},
                "scheduler": {"ok": True, "detail": "running"},
                "discord": {"ok": True, "detail": "connected"},
            },
        }
        status, content_type, text = await _get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert content_type.startswith("text/plain; version=")
        assert 'cohort_deliveries_total{outcome="sent"} 0.0' in text
    finally:
        await server.stop()


async def test_healthz_says_503_and_why_when_something_is_down(tmp_path: object) -> None:
    engine = make_engine("sqlite+aiosqlite:////nonexistent-folder/cohort.db")
    scheduler = Check("scheduler", ok=False, detail="stopped")

    async def disconnected() -> bool:
        return False

    report = await health(make_sessions(engine), lambda: scheduler, {"slack": disconnected})
    await engine.dispose()
    assert not report.ok
    assert report.as_json()["checks"] == {
        "database": {"ok": False, "detail": "unreachable: OperationalError"},
        "scheduler": {"ok": False, "detail": "stopped"},
        "slack": {"ok": False, "detail": "disconnected"},
    }


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
def test_json_logs_carry_fields_and_never_secrets() -> None:
    settings = Settings(
        log_format="json",
        discord_token="discord-secret-token-123",
        slack_signing_secret="slack-signing-secret",
        database_url="postgresql+asyncpg://cohort:db-password-9@db/cohort",
    )
    out = io.StringIO()
    setup_logging(settings, stream=out)
    log = logging.getLogger("cohort.test")
    log.warning(
        "token %s, secret %s, url postgresql://cohort:db-password-9@db, callback "
        "/interactions/123/aW50ZXJhY3Rpb246MTIzNDU2Nzg5/callback",
        "discord-secret-token-123",
        "slack-signing-secret",
        extra={"command": "done"},
    )
    try:
        raise ValueError("discord-secret-token-123 leaked into an error")
    except ValueError:
        log.exception("a failure")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["level"] == "WARNING"
    assert lines[0]["logger"] == "cohort.test"
    assert lines[0]["command"] == "done"
    text = out.getvalue()
    for secret in ("discord-secret-token-123", "slack-signing-secret", "db-password-9"):
        assert secret not in text
    assert "aW50ZXJhY3Rpb246MTIzNDU2Nzg5" not in text
    assert "/interactions/123/[redacted]/callback" in lines[0]["message"]
    assert "ValueError: [redacted] leaked" in lines[1]["exception"]


async def test_the_bot_waits_for_its_database_then_says_clearly_where_it_looked() -> None:
    url = f"postgresql+asyncpg://cohort:hunter2@127.0.0.1:{free_port()}/cohort"
    engine = make_engine(url)
    try:
        with pytest.raises(ConfigError) as caught:
            await wait_for_database(engine, patience=1.2)
    finally:
        await engine.dispose()
    message = str(caught.value)
    assert message.startswith("Could not reach the database at postgresql+asyncpg://cohort:***@")
    assert "hunter2" not in message
    assert "Check COHORT_DATABASE_URL" in message


async def test_a_graceful_stop_finishes_commands_in_flight_and_turns_new_ones_away(
    cohort: Cohort,
) -> None:
    extra = CommandSet()
    started, release = asyncio.Event(), asyncio.Event()

    @extra.command("slow")
    async def slow(ctx: CommandContext) -> Reply:
        """Take a while."""
        started.set()
        await release.wait()
        return Reply(body="finished")

    app = cohort.app
    dispatcher = Dispatcher(
        sessions=app.sessions, catalog=app.catalog, registry=Registry([extra]), clock=app.clock
    )
    running = asyncio.create_task(
        dispatcher.run_line("slow", actor=cohort.actor("ana"), place=cohort.place)
    )
    await started.wait()
    draining = asyncio.create_task(dispatcher.work.drain(grace=10))
    await asyncio.sleep(0.01)
    turned_away = await dispatcher.run_line("slow", actor=cohort.actor("ben"), place=cohort.place)
    assert turned_away.body == RESTARTING
    assert not draining.done()
    release.set()
    assert (await running).body == "finished"
    assert await draining is True


async def test_waiting_for_idle_work_turns_nobody_away() -> None:
    work = InFlight()
    assert await work.idle(within=0.01) is True, "nothing in flight"
    release = asyncio.Event()

    async def busy() -> None:
        async with work.track():
            await release.wait()

    running = asyncio.create_task(busy())
    await asyncio.sleep(0)
    assert await work.idle(within=0.01) is False, "still at work"
    assert not work.closing, "new work is still taken"
    release.set()
    await running
    assert await work.idle(within=1) is True
