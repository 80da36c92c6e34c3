"""What the core needs from the outside world, as protocols adapters implement."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.messages import Actor, Place, Platform, Reply


@dataclass(frozen=True)
class Sending:
    """Which scheduled delivery a post is, so that sending it again cannot post it twice.

    `key` is the delivery's unique key; `attempt` counts from 1. From the second attempt on,
    an earlier one may have reached the platform with its answer lost (a timeout, or the
    process stopped before marking it sent), so a poster first makes sure it did not."""

    key: str
    attempt: int = 1

    @property
    def unsure(self) -> bool:
        return self.attempt > 1

    def token(self, size: int) -> str:
        """A stable digest of the key in at most `size` characters (letters and digits),
        for platforms whose idempotency field is short (Discord's `nonce`: 25)."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:size]


class Poster(Protocol):
    """Sends what the scheduler decided to post. One per platform. With `sending`, a post
    is a scheduled delivery and must be idempotent at the platform: a second call for the
    same key finds the first message instead of posting again."""

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None: ...

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None: ...


class PosterByPlatform:
    """One Poster per platform this process serves, chosen by where a post goes."""

    def __init__(self, posters: Mapping[Platform, Poster]) -> None:
        self.posters = dict(posters)

    @property
    def platforms(self) -> frozenset[Platform]:
        return frozenset(self.posters)

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        await self._for(place).post(place, reply, sending)

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        await self._for(place).dm(place, actor, reply, sending)

    def _for(self, place: Place) -> Poster:
        poster = self.posters.get(place.platform)
        if poster is None:
            msg = f"this process does not serve {place.platform.value}"
            raise LookupError(msg)
        return poster
