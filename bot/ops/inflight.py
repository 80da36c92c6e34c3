"""Work in progress, so that stopping can let it finish: SIGTERM stops taking new work,
waits for what is in flight, then exits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class InFlight:
    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.closing = False

    @property
    def count(self) -> int:
        return self._count

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        self.started()
        try:
            yield
        finally:
            self.finished()

    def started(self) -> None:
        """One more in flight (for work whose end is not where it began: see `track`)."""
        self._count += 1
        self._idle.clear()

    def finished(self) -> None:
        self._count -= 1
        if self._count == 0:
            self._idle.set()

    async def idle(self, *, within: float) -> bool:
        """True once nothing is in flight, within `within` s; new work is still taken."""
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:
            return False
        return True

    async def drain(self, *, grace: float) -> bool:
        """Take no new work; True once everything in flight finished within `grace` s."""
        self.closing = True
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            return False
        return True
