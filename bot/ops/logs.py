"""Logging: plain lines for people, JSON lines (COHORT_LOG_FORMAT=json) for log pipelines.
Either way, secrets never reach the log: tokens from the settings, the database password
and Discord's interaction tokens in URLs are replaced before a line is written."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy.engine import make_url

from bot.settings import Settings

REDACTED = "[redacted]"
# Interaction and webhook tokens travel in Discord's URL paths.
URL_TOKENS = re.compile(r"(/(?:interactions|webhooks)/\d+/)[A-Za-z0-9_.\-]{20,}")
# What `extra=` may add to a line, for the JSON format.
EXTRAS = ("error_id", "command", "delivery", "platform")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in EXTRAS:
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class RedactingFormatter(logging.Formatter):
    """Formats with `inner`, then takes every secret out of the finished line."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        # Longest first, so a secret containing another is removed whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = self.inner.format(record)
        for secret in self.secrets:
            line = line.replace(secret, REDACTED)
        return URL_TOKENS.sub(rf"\g<1>{REDACTED}", line)


def secrets_of(settings: Settings) -> list[str]:
    found = [
        value.get_secret_value()
        for value in (
            settings.discord_token,
            settings.slack_bot_token,
            settings.slack_signing_secret,
            settings.slack_app_token,
        )
        if value is not None
    ]
    password = make_url(settings.database_url).password
    if password:
        found.append(str(password))
    return found


def setup_logging(settings: Settings, *, quiet: bool = False, stream: TextIO | None = None) -> None:
    """Configure the root logger once for this process."""
    level = settings.log_level
    if quiet and level in {"DEBUG", "INFO"}:
        level = "WARNING"
    inner: logging.Formatter = (
        JsonFormatter()
        if settings.log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(inner, secrets_of(settings)))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
