"""Revision 0008 gives every member already stored a name key, folded in Python the way the
app folds names (SQL's lower() would leave Ł, Á and Ｚ alone on SQLite), so members who
joined before the upgrade are found by name as people type it. On SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from bot.db import migrate
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Community
from bot.db.types import UTCDateTime
from bot.services import tenancy

T0 = datetime(2026, 11, 18, tzinfo=UTC)
NAMES = ("Łukasz", "ÁGNES", "ＺＯＥ", "Straße", "ana")


def _revision_module() -> Any:
    path = migrate.MIGRATIONS_DIR / "versions" / "0008_member_name_key.py"
    spec = importlib.util.spec_from_file_location("name_key_0008", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The members table as revision 0007 left it (only the columns written here).
MEMBERS = sa.table(
    "members",
    sa.column("id", sa.Integer),
    sa.column("community_id", sa.Integer),
    sa.column("platform_user_id", sa.String),
    sa.column("display_name", sa.String),
    sa.column("joined_at", UTCDateTime()),
    sa.column("timezone", sa.String),
    sa.column("privacy", sa.String),
    sa.column("reminders", sa.Boolean),
    sa.column("quiet_start", sa.Integer),
    sa.column("quiet_end", sa.Integer),
)
# What every member row holds besides its name.
SETTINGS: dict[str, object] = {
    "joined_at": T0,
    "timezone": "UTC",
    "privacy": "public",
    "reminders": True,
    "quiet_start": 22,
    "quiet_end": 8,
}


async def _columns(engine: Any) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: {c["name"] for c in sa.inspect(sync).get_columns("members")}
        )


async def test_the_upgrade_gives_every_stored_member_a_name_key(any_empty_db_url: str) -> None:
    extra = _revision_module().SLICE + 2  # more members than one slice of reading
    engine = make_engine(any_empty_db_url)
    sessions = make_sessions(engine)
    try:
        await migrate.upgrade(engine, "0007")
        async with sessions() as session, session.begin():
            community = Community(platform="discord", external_id="g1", name="", created_at=T0)
            session.add(community)
            await session.flush()
            cid = community.id
            rows = [
                {
                    "community_id": cid,
                    "platform_user_id": f"u-{i}",
                    "display_name": name,
                    **SETTINGS,
                }
                for i, name in enumerate(NAMES)
            ]
            rows += [
                {
                    "community_id": cid,
                    "platform_user_id": f"x-{i}",
                    "display_name": f"Ẋ Member {i}",
                    **SETTINGS,
                }
                for i in range(extra)
            ]
            await session.execute(sa.insert(MEMBERS), rows)

        await migrate.upgrade(engine, "0008")

        async with sessions() as session:
            keys = dict(
                (
                    await session.execute(
                        sa.text("SELECT display_name, name_key FROM members WHERE id <= :n"),
                        {"n": len(NAMES)},
                    )
                ).all()
            )
            last = await session.scalar(
                sa.text("SELECT name_key FROM members WHERE platform_user_id = :u"),
                {"u": f"x-{extra - 1}"},
            )
            unkeyed = await session.scalar(
                sa.text("SELECT COUNT(*) FROM members WHERE name_key = ''")
            )
        assert keys == {
            "Łukasz": "łukasz",
            "ÁGNES": "ágnes",
            "ＺＯＥ": "zoe",
            "Straße": "strasse",
            "ana": "ana",
        }
        assert last == f"ẋ member {extra - 1}", "the last slice is keyed too"
        assert unkeyed == 0

        async with sessions() as session:
            community = await session.get(Community, cid)
            assert community is not None
            for typed, stored in (("łUKASZ", "Łukasz"), ("ágnes", "ÁGNES"), ("ｚoe", "ＺＯＥ")):
                found = await tenancy.find_member(session, community, typed)
                assert found.display_name == stored
            found = await tenancy.find_member(session, community, "STRASSE")
            assert found.display_name == "Straße"

        await migrate.downgrade(engine, "0007")
        assert "name_key" not in await _columns(engine)
        async with sessions() as session:
            count = await session.scalar(sa.text("SELECT COUNT(*) FROM members"))
        assert count == len(NAMES) + extra, "the members themselves are left alone"
    finally:
        await engine.dispose()


def test_the_revision_folds_names_as_the_app_does() -> None:
    fold = _revision_module().name_key
    for name in (*NAMES, "  ǅemal ", "ﬃ", "ﷺ" * 100, "İstanbul", "ΣΊΣΥΦΟΣ"):
        assert fold(name) == tenancy.name_key(name)
