"""Long stretches of work, cut into turns, so that what members wait on comes first.

The event loop runs one thing at a time. A loop over thousands of rows (planning a batch
of scheduled posts, counting where each group's learners stand) would hold it for tens of
milliseconds, and a Slack request owed its ack, or a member's command, would wait all that
time. A loop that may run long calls `await turns.take()` on each step: once `every`
seconds of its work went by since its last turn, it gives way (`give_way`: by default one
pass of the event loop, for everything ready to run)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

TURN = 0.002  # seconds of work before giving way


async def one_pass() -> None:
    await asyncio.sleep(0)


class Turns:
    def __init__(
        self,
        every: float = TURN,
        give_way: Callable[[], Awaitable[None]] = one_pass,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.every = every
        self.give_way = give_way
        self.clock = clock
        self.given = 0  # turns given so far
        self._since = clock()

    async def take(self) -> None:
        """Give way if this work has run for `every` seconds since it last did."""
        if self.clock() - self._since >= self.every:
            await self.give_way()
            self.given += 1
            self._since = self.clock()
