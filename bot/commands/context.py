"""What a command handler gets: the invocation, its checked options, and the caller's
community, member, group and transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.registry import Registry
from bot.db.models import Community, Group, Member
from bot.messages import Invocation, OptionValue
from bot.roadmap.catalog import Catalog, PlacedStep, Track


@dataclass
class CommandContext:
    invocation: Invocation
    args: dict[str, OptionValue]
    session: AsyncSession
    community: Community
    member: Member
    group: Group | None
    catalog: Catalog
    registry: Registry
    now: datetime

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.member.timezone)

    @property
    def track(self) -> Track:
        """The track the caller studies here: their group's, or the default one."""
        if self.group is not None:
            track = self.catalog.get(self.group.track_id)
            if track is not None:
                return track
        return self.catalog.default

    def text(self, name: str) -> str | None:
        value = self.args.get(name)
        return None if value is None else str(value)

    def step(self, name: str = "step") -> PlacedStep:
        return self.track.find_step(self.text(name) or "")
