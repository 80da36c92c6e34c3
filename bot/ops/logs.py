"""Logging: plain lines for people, JSON lines (COHORT_LOG_FORMAT=json) for log pipelines.
Either way, secrets never reach the log, even at DEBUG where the libraries log whole
payloads: each finished line goes through one regular expression that replaces the tokens
and the database password from the settings, and anything shaped like a secret (a field
named like one, a Slack or Discord token, an interaction or webhook token in a URL, a Slack
webhook URL, the password in `scheme://user:password@host`)."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO
from urllib.parse import quote

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.settings import SECRET_SETTINGS, Settings

REDACTED = "[redacted]"
# Every secret shape is one alternative of a single pattern, so a line is scanned once,
# and each comes with the characters it can start with: the pattern first looks for one
# of those, which rules most positions of a line out at once. What stays in front of a
# redacted secret is captured in a `keep` group.
SHAPES = (
    # A field named like a secret (token, access_token, signing_secret, password,
    # Authorization...) as a dict's repr, JSON (escaped inside a JSON line, too), a form or
    # a header prints it: 'token': '…', \"password\": \"…\", access_token=…, Authorization:
    # Bot …. A quoted value goes up to its closing quote; SecretStr(…), None and null,
    # which show no secret, stay.
    (
        "TtSsPpAa",
        r"(?P<keep>(?i:token|secret|passw(?:or)?d|authorization|api[_-]?key|ticket)"
        r"\\?[\"']?\s*[:=]\s*(?P<quote>\\?[\"'])?(?i:(?:bot|bearer|basic)\s+)?)"
        r"(?!SecretStr\(|None\b|null\b)(?(quote)[^\"'\\]+|[^\s\"'\\,&;{}\[\]()]+)",
    ),
    # Discord's interaction and webhook tokens travel in URL paths.
    ("/", r"(?P<keep_path>/(?:interactions|webhooks)/\d+/)[A-Za-z0-9_.\-]+"),
    # Slack's incoming-webhook and response URLs are credentials in themselves (also
    # form-encoded, as in a slash command's body).
    ("h", r"(?P<keep_hook>hooks\.slack\.com(?:/|%2[Ff]))[^\s\"'\\<>&]+"),
    # The password of any URL (scheme://user:password@host), up to the last @.
    (":", r"(?P<keep_user>://[^\s/:@\"'\\]*:)[^\s/?#\"'\\]+(?=@)"),
    # Slack tokens: bot, user, app-level...
    ("x", r"x(?:ox[a-z]|app)-[A-Za-z0-9\-]+"),
    # Discord bot tokens: base64 of the bot's id (so M, N or O first), a timestamp, an HMAC.
    (
        "MNO",
        r"[MNO](?<![A-Za-z0-9_.\-][MNO])[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{4,}"
        r"\.[A-Za-z0-9_\-]{20,}",
    ),
)
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
        self.pattern = secrets_pattern(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return self.pattern.sub(_redact, self.inner.format(record))


def secrets_pattern(secrets: Iterable[str]) -> re.Pattern[str]:
    """One pattern for the known `secrets` (as written, JSON-escaped and URL-encoded) and
    every secret shape. Known secrets come first and longest first, so each goes whole."""
    spellings = {
        spelled
        for secret in secrets
        if len(secret) >= 4
        for spelled in (secret, json.dumps(secret)[1:-1], quote(secret, safe=""))
    }
    known = [re.escape(s) for s in sorted(spellings, key=len, reverse=True)]
    starts = {s[0] for s in spellings}.union(*(first for first, _ in SHAPES))
    anywhere = "|".join([*known, *(shape for _, shape in SHAPES)])
    return re.compile(f"(?=[{re.escape(''.join(sorted(starts)))}])(?:{anywhere})")


def _redact(match: re.Match[str]) -> str:
    groups = match.groupdict()
    kept = groups["keep"] or groups["keep_path"] or groups["keep_hook"] or groups["keep_user"]
    return (kept or "") + REDACTED


def secrets_of(settings: Settings) -> list[str]:
    """Every secret setting (each SecretStr: tokens, signing secrets) and the password of
    the database URL."""
    values = [getattr(settings, name) for name in sorted(SECRET_SETTINGS)]
    found = [value.get_secret_value() for value in values if isinstance(value, SecretStr)]
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
