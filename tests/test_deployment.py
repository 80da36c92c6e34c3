"""The deployment files: every setting is documented and passed to the bot, and the
compose file has what a production start needs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.settings import ALIASES

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_env_example_documents_every_setting() -> None:
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert set(ALIASES.values()) <= documented


def test_the_bot_and_the_migration_get_every_setting() -> None:
    services = _compose()["services"]
    for name in ("bot", "migrate"):
        assert set(ALIASES.values()) - {"COHORT_HTTP_HOST", "COHORT_HTTP_PORT"} <= set(
            services[name]["environment"]
        ), name


def test_postgres_is_healthy_before_migrating_and_migrated_before_the_bot() -> None:
    services = _compose()["services"]
    postgres = services["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    after = services["bot"]["depends_on"]["migrate"]["condition"]
    assert after == "service_completed_successfully"


def test_the_image_runs_as_a_user_and_caches_dependencies() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^USER cohort$", dockerfile, re.M)
    deps = dockerfile.index("pip install .")
    code = dockerfile.index("COPY bot ./bot")
    assert dockerfile.index("COPY pyproject.toml") < deps < code, "dependencies before code"
