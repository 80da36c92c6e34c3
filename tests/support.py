"""Small helpers the end-to-end tests share: a free loopback port, and waiting for
something a bot does in the background."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from typing import Any


def free_port() -> int:
    """A loopback port nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_until(check: Callable[[], Any], within: float = 10) -> Any:
    """The first truthy result of `check`, polled until `within` seconds pass."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        await asyncio.sleep(0.02)
    msg = "the bot never made the expected call"
    raise AssertionError(msg)


async def row_counts(sessions: Any) -> dict[str, int]:
    """How many rows each table holds: a command that was refused must leave these alone."""
    from sqlalchemy import func, select

    from bot.db.models import Base

    async with sessions() as session:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }
