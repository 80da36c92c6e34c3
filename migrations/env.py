"""Alembic environment for Cohort.

Cohort runs migrations itself (`cohort db upgrade`) and hands this module an open
connection from its async engine. Run through the `alembic` command instead, it builds an
async engine from COHORT_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.models import Base

target_metadata = Base.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_standalone() -> None:
    url = os.environ.get("COHORT_DATABASE_URL", "sqlite+aiosqlite:///cohort.db")
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(run_with)
    await engine.dispose()


if context.is_offline_mode():
    msg = "Cohort migrations run online only: use `cohort db upgrade`."
    raise SystemExit(msg)

provided = context.config.attributes.get("connection")
if provided is not None:
    run_with(provided)
else:
    asyncio.run(run_standalone())
