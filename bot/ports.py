"""What the core needs from the outside world, as protocols adapters implement."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from bot.messages import Actor, Place, Platform, Reply


class Poster(Protocol):
    """Sends what the scheduler decided to post. One per platform."""

    async def post(self, place: Place, reply: Reply) -> None: ...

    async def dm(self, place: Place, actor: Actor, reply: Reply) -> None: ...


class PosterByPlatform:
    """One Poster per platform this process serves, chosen by where a post goes."""

    def __init__(self, posters: Mapping[Platform, Poster]) -> None:
        self.posters = dict(posters)

    @property
    def platforms(self) -> frozenset[Platform]:
        return frozenset(self.posters)

    async def post(self, place: Place, reply: Reply) -> None:
        await self._for(place).post(place, reply)

    async def dm(self, place: Place, actor: Actor, reply: Reply) -> None:
        await self._for(place).dm(place, actor, reply)

    def _for(self, place: Place) -> Poster:
        poster = self.posters.get(place.platform)
        if poster is None:
            msg = f"this process does not serve {place.platform.value}"
            raise LookupError(msg)
        return poster
