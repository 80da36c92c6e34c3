"""What the core needs from the outside world, as protocols adapters implement."""

from __future__ import annotations

from typing import Protocol

from bot.messages import Actor, Place, Reply


class Poster(Protocol):
    """Sends what the scheduler decided to post. One per platform."""

    async def post(self, place: Place, reply: Reply) -> None: ...

    async def dm(self, place: Place, actor: Actor, reply: Reply) -> None: ...
