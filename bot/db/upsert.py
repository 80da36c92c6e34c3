"""`INSERT … ON CONFLICT DO NOTHING` on either database Cohort runs on."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignoring(session: AsyncSession, model: Any) -> Any:
    """An insert into `model`'s table that skips rows whose unique key is taken (add
    `.values(...)`, and `.returning(...)` to learn which rows went in)."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model).on_conflict_do_nothing()
