"""Settings are checked at start with one clear line per bad value; the CLI reports them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import load_settings


def test_defaults_are_the_embedded_console_setup() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///cohort.db"
    assert not settings.discord_enabled
    assert not settings.slack_enabled


def test_plain_postgres_urls_get_the_async_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COHORT_DATABASE_URL", "postgres://cohort:pw@db/cohort")
    assert load_settings().database_url == "postgresql+asyncpg://cohort:pw@db/cohort"


def test_every_bad_value_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COHORT_HTTP_PORT", "eighty")
    monkeypatch.setenv("COHORT_DATABASE_URL", "mysql://x")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "0,one")
    monkeypatch.setenv("COHORT_LOG_LEVEL", "loud")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "COHORT_HTTP_PORT: Input should be a valid integer" in message
    assert "COHORT_DATABASE_URL: use sqlite+aiosqlite:///" in message
    assert "DISCORD_SHARD_IDS: use shard numbers separated by commas" in message
    assert "COHORT_LOG_LEVEL:" in message


def test_shard_ids_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_SHARD_IDS", "0, 2,3")
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "4")
    assert load_settings().shard_ids == [0, 2, 3]


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (None, "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"),
        ("3", "DISCORD_SHARD_IDS run from 0 to 2 when DISCORD_SHARD_COUNT is 3"),
    ],
)
def test_shard_ids_must_fit_the_shard_count(
    monkeypatch: pytest.MonkeyPatch, count: str | None, expected: str
) -> None:
    monkeypatch.setenv("DISCORD_SHARD_IDS", "1,3")
    if count is not None:
        monkeypatch.setenv("DISCORD_SHARD_COUNT", count)
    with pytest.raises(ConfigError, match=expected):
        load_settings()


def _cohort(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("COHORT_", "DISCORD_", "SLACK_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**clean, **env},
        timeout=60,
        check=False,
        input="",
    )


def test_db_commands_upgrade_and_report(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"
    up = _cohort(tmp_path, "db", "upgrade", COHORT_DATABASE_URL=url)
    down = _cohort(tmp_path, "db", "downgrade", "base", COHORT_DATABASE_URL=url)
    refused = _cohort(tmp_path, "console", COHORT_DATABASE_URL=url)
    assert up.returncode == 0
    assert "database at revision 0003" in up.stdout
    assert down.returncode == 0
    assert "(empty)" in down.stdout
    assert refused.returncode == 2
    assert "Run `cohort db upgrade`" in refused.stderr


def test_a_bad_setting_stops_the_bot_with_a_clear_message(tmp_path: Path) -> None:
    result = _cohort(tmp_path, "run", COHORT_HTTP_PORT="99999")
    assert result.returncode == 2
    assert "COHORT_HTTP_PORT: Input should be less than or equal to 65535" in result.stderr
