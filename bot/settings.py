"""Settings from the environment (and an optional `.env`), checked once at start."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Literal, get_args

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import ConfigError
from bot.messages import Platform

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///cohort.db"
DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
DATABASE_URL_HINT = (
    "use sqlite+aiosqlite:///path/to/cohort.db or postgresql+asyncpg://user:password@host/dbname"
)


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", populate_by_name=True, env_ignore_empty=True
    )

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias=_env("COHORT_DATABASE_URL"))
    db_pool_size: int = Field(5, ge=1, le=100, validation_alias=_env("COHORT_DB_POOL_SIZE"))
    content_dir: Path | None = Field(None, validation_alias=_env("COHORT_CONTENT_DIR"))
    export_dir: Path = Field(
        Path("cohort-exports"),
        validation_alias=_env("COHORT_EXPORT_DIR"),
        description=(
            "The folder the console writes files into (a member's `/me export`), made when "
            "first needed; Discord and Slack send files in the chat instead."
        ),
    )
    image_dir: Path = Field(
        Path("cohort-images"),
        validation_alias=_env("COHORT_IMAGE_DIR"),
        description=(
            "The folder the console writes pictures into (progress and leaderboard cards, "
            "the week at a glance), made when first needed; Discord and Slack show them "
            "in the chat instead."
        ),
    )
    http_host: str = Field("127.0.0.1", validation_alias=_env("COHORT_HTTP_HOST"))
    http_port: int = Field(8080, ge=1, le=65535, validation_alias=_env("COHORT_HTTP_PORT"))
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias=_env("COHORT_LOG_LEVEL")
    )
    log_format: Literal["text", "json"] = Field("text", validation_alias=_env("COHORT_LOG_FORMAT"))
    db_wait_seconds: float = Field(
        60.0, ge=0, le=3600, validation_alias=_env("COHORT_DB_WAIT_SECONDS")
    )
    shutdown_grace_seconds: float = Field(
        20.0, ge=0, le=600, validation_alias=_env("COHORT_SHUTDOWN_GRACE_SECONDS")
    )
    discord_token: SecretStr | None = Field(None, validation_alias=_env("DISCORD_TOKEN"))
    discord_api_base: str | None = Field(None, validation_alias=_env("DISCORD_API_BASE"))
    discord_gateway_url: str | None = Field(None, validation_alias=_env("DISCORD_GATEWAY_URL"))
    discord_shard_count: int | None = Field(
        None, ge=1, validation_alias=_env("DISCORD_SHARD_COUNT")
    )
    discord_shard_ids: str | None = Field(None, validation_alias=_env("DISCORD_SHARD_IDS"))
    slack_bot_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(
        None, validation_alias=_env("SLACK_SIGNING_SECRET")
    )
    slack_app_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_url: str | None = Field(None, validation_alias=_env("SLACK_API_URL"))
    signing_secret: SecretStr | None = Field(None, validation_alias=_env("COHORT_SIGNING_SECRET"))

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _driver(cls, value: str) -> str:
        scheme, sep, rest = value.partition("://")
        if not sep or scheme not in DRIVERS:
            raise ValueError(DATABASE_URL_HINT)
        url = f"{DRIVERS[scheme]}://{rest}"
        try:
            make_url(url)
        except (ArgumentError, ValueError):  # a port that is no number, say
            msg = f"this is not a URL Cohort can read (is the port a number?); {DATABASE_URL_HINT}"
            raise ValueError(msg) from None
        return url

    @field_validator("export_dir", "image_dir")
    @classmethod
    def _a_folder(cls, value: Path) -> Path:
        if any(ord(c) < 32 or ord(c) == 127 for c in str(value)):
            msg = "use a folder path without control characters, like ./cohort-files"
            raise ValueError(msg)
        try:
            folder = value.expanduser()
        except RuntimeError:  # ~someone who has no home here
            msg = "no such home folder; write the whole path"
            raise ValueError(msg) from None
        if folder.exists() and not folder.is_dir():
            msg = "this is a file; use a folder (it is made when first needed)"
            raise ValueError(msg)
        return folder

    @field_validator("signing_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            msg = "use a long random value (16 characters or more), the same in every process"
            raise ValueError(msg)
        return value

    @field_validator("discord_shard_ids")
    @classmethod
    def _shard_ids(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = [p.strip() for p in value.split(",")]
        if not all(p.isdigit() for p in parts):
            msg = "use shard numbers separated by commas, like 0,1,2"
            raise ValueError(msg)
        return ",".join(parts)

    @model_validator(mode="after")
    def _shards_within_count(self) -> Settings:
        ids = self.shard_ids
        if ids is None:
            return self
        if self.discord_shard_count is None:
            msg = "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT, the bot's total number of shards"
            raise ValueError(msg)
        if max(ids) >= self.discord_shard_count:
            msg = (
                f"DISCORD_SHARD_IDS run from 0 to {self.discord_shard_count - 1} "
                f"when DISCORD_SHARD_COUNT is {self.discord_shard_count}"
            )
            raise ValueError(msg)
        return self

    @property
    def shard_ids(self) -> list[int] | None:
        return (
            [int(p) for p in self.discord_shard_ids.split(",")] if self.discord_shard_ids else None
        )

    @property
    def discord_enabled(self) -> bool:
        return self.discord_token is not None

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None and self.slack_signing_secret is not None

    def seal_key(self, platform: Platform) -> bytes:
        """The key that signs places carried by `platform`'s buttons and forms (see
        bot/seals.py): COHORT_SIGNING_SECRET when set; otherwise derived from that
        platform's own secret, which every process serving it shares; with neither (the
        console), one per process."""
        own = {Platform.DISCORD: self.discord_token, Platform.SLACK: self.slack_signing_secret}
        secret = self.signing_secret or own.get(platform)
        if secret is None:
            return os.urandom(32)
        material = f"cohort place seals\n{platform.value}\n{secret.get_secret_value()}"
        return hashlib.sha256(material.encode()).digest()


ALIASES = {
    name: str(field.validation_alias.choices[0])  # type: ignore[union-attr]
    for name, field in Settings.model_fields.items()
}
FIELDS_BY_VARIABLE = {variable: name for name, variable in ALIASES.items()}
# Settings whose value is never repeated back, not even when it is wrong.
SECRET_SETTINGS = {
    name
    for name, field in Settings.model_fields.items()
    if field.annotation is SecretStr or SecretStr in get_args(field.annotation)
}


def hide_password(value: str) -> str:
    """`value` with the password of a URL replaced by ***, also when the rest is not a
    valid URL: no scheme (cohort:pw@db), or an @ inside the password."""
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest = "", value
    userinfo, at, host = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return value
    user = userinfo.partition(":")[0]
    return f"{scheme}{sep}{user}:***@{host}"


def _got(field: str, value: object) -> str:
    """The bad value, as an error message repeats it: never a secret, nor a password."""
    if field in SECRET_SETTINGS:
        return ""
    shown = hide_password(value) if isinstance(value, str) else value
    return f" (got {shown!r})"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; a ConfigError listing every bad value otherwise."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        lines = []
        for item in error.errors():
            reason = str(item["msg"]).removeprefix("Value error, ")
            if not item["loc"]:  # a rule across settings names them itself
                lines.append(f"  {reason}")
                continue
            where = str(item["loc"][0])  # the field's name, or the variable it came from
            field = FIELDS_BY_VARIABLE.get(where, where)
            name = ALIASES.get(field, where)
            lines.append(f"  {name}: {reason}{_got(field, item.get('input'))}")
        msg = "Some settings need fixing:\n" + "\n".join(lines)
        raise ConfigError(msg) from None
