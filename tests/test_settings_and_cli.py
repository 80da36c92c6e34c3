"""Settings are checked at start with one clear line per bad value; the CLI reports them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.db import migrate
from bot.errors import ConfigError
from bot.messages import Platform
from bot.settings import Settings, load_settings


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
    assert down.returncode == 0
    assert "(empty)" in down.stdout
    assert refused.returncode == 2
    assert "Run `cohort db upgrade`" in refused.stderr


def test_db_upgrade_speaks_plainly_and_keeps_revisions_for_who_asks(tmp_path: Path) -> None:
    url = "sqlite+aiosqlite:///study.db"  # relative, as the default is: said as typed
    head = migrate.head_revision()
    new = _cohort(tmp_path, "db", "upgrade", COHORT_DATABASE_URL=url)
    again = _cohort(tmp_path, "db", "upgrade", COHORT_DATABASE_URL=url)
    verbose = _cohort(tmp_path, "db", "upgrade", "--verbose", COHORT_DATABASE_URL=url)
    status = _cohort(tmp_path, "db", "status", COHORT_DATABASE_URL=url)
    assert new.stdout.splitlines() == ["New database ready for your study data in study.db."]
    assert again.stdout.splitlines() == ["Your study data is in study.db (up to date)."]
    assert verbose.stdout.splitlines()[0] == again.stdout.splitlines()[0]
    assert f"newest is {head}" in verbose.stdout
    assert status.stdout.startswith(f"database at revision {head}; newest is {head}")
    assert "up to date" in status.stdout


def test_db_upgrade_says_an_older_database_was_brought_up_to_date(tmp_path: Path) -> None:
    url = "sqlite+aiosqlite:///study.db"
    _cohort(tmp_path, "db", "upgrade", COHORT_DATABASE_URL=url)
    _cohort(tmp_path, "db", "downgrade", "-1", COHORT_DATABASE_URL=url)
    up = _cohort(tmp_path, "db", "upgrade", COHORT_DATABASE_URL=url)
    assert up.stdout.splitlines() == [
        "Updated the database in study.db for this version of Cohort; your data is kept."
    ]


def test_a_postgres_database_is_named_without_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.cli import _where_data_lives

    monkeypatch.setenv("COHORT_DATABASE_URL", "postgresql://cohort:s3cr3t@db.internal:5432/study")
    assert _where_data_lives() == "the PostgreSQL database study on db.internal"


def test_a_bad_setting_stops_the_bot_with_a_clear_message(tmp_path: Path) -> None:
    result = _cohort(tmp_path, "run", COHORT_HTTP_PORT="99999")
    assert result.returncode == 2
    assert "COHORT_HTTP_PORT: Input should be less than or equal to 65535" in result.stderr


@pytest.mark.parametrize(
    ("url", "reason", "shown"),
    [
        ("mysql://cohort:s3cr3t-pw@db/cohort", "use sqlite", "mysql://cohort:***@db/cohort"),
        ("cohort:s3cr3t-pw@db/cohort", "use sqlite", "cohort:***@db/cohort"),
        (
            "postgresql://cohort:s3cr3t@pw@db:port/cohort",
            "is the port a number?",
            "postgresql://cohort:***@db:port/cohort",
        ),
    ],
)
def test_a_bad_database_url_is_shown_without_its_password(
    monkeypatch: pytest.MonkeyPatch, url: str, reason: str, shown: str
) -> None:
    monkeypatch.setenv("COHORT_DATABASE_URL", url)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "s3cr3t" not in message
    [line] = [line for line in message.splitlines() if "COHORT_DATABASE_URL:" in line]
    assert reason in line
    assert line.endswith(f"(got {shown!r})")


def test_the_cli_reports_a_bad_database_url_without_its_password(tmp_path: Path) -> None:
    result = _cohort(tmp_path, "run", COHORT_DATABASE_URL="mysql://cohort:s3cr3t-pw@db/cohort")
    assert result.returncode == 2
    assert "s3cr3t-pw" not in result.stderr + result.stdout
    assert "COHORT_DATABASE_URL: use sqlite+aiosqlite:///" in result.stderr
    assert "mysql://cohort:***@db/cohort" in result.stderr


def test_a_short_signing_secret_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(signing_secret="hunter2")
    assert "COHORT_SIGNING_SECRET" in str(refused.value)
    assert "16 characters" in str(refused.value)
    assert "hunter2" not in str(refused.value)


def test_each_platform_seals_with_a_key_every_process_shares() -> None:
    one = Settings(discord_token="d" * 40, slack_signing_secret="s" * 32)
    other = Settings(discord_token="d" * 40)
    assert one.seal_key(Platform.DISCORD) == other.seal_key(Platform.DISCORD)
    assert one.seal_key(Platform.SLACK) != one.seal_key(Platform.DISCORD)
    chosen = Settings(discord_token="d" * 40, signing_secret="x" * 20)
    assert chosen.seal_key(Platform.DISCORD) != one.seal_key(Platform.DISCORD)


def test_the_console_export_folder_is_a_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert load_settings().export_dir == Path("cohort-exports")
    monkeypatch.setenv("COHORT_EXPORT_DIR", str(tmp_path / "exports"))
    assert load_settings().export_dir == tmp_path / "exports"
    monkeypatch.setenv("COHORT_EXPORT_DIR", "~/cohort-exports")
    assert load_settings().export_dir == Path.home() / "cohort-exports"


def test_an_export_folder_that_is_a_file_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "taken").write_text("a file")
    monkeypatch.setenv("COHORT_EXPORT_DIR", str(tmp_path / "taken"))
    with pytest.raises(ConfigError, match="COHORT_EXPORT_DIR: this is a file; use a folder"):
        load_settings()


def test_the_console_member_and_start_are_options(tmp_path: Path) -> None:
    from bot.cli import DEMO_MEMBER, _parser

    args = _parser().parse_args(["console", "--start", "2026-11-16T09:00+01:00"])
    assert args.member == DEMO_MEMBER == "ana"
    assert args.start.isoformat() == "2026-11-16T09:00:00+01:00"
    assert _parser().parse_args(["run"]).member == "ana"
    bad = _cohort(tmp_path, "console", "--start", "tomorrow")
    assert bad.returncode == 2
    assert "not a date and time with a UTC offset" in bad.stderr
