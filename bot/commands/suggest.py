"""What to offer while someone is still typing an option, for platforms that autocomplete
(Discord). Read-only: suggesting never creates a community, member or group."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.registry import Option, OptionKind
from bot.messages import Place
from bot.roadmap.catalog import Catalog, Track
from bot.services import tenancy
from bot.timeutil import zone_names_matching

LIMIT = 25  # Discord shows at most 25 choices
LABEL_LIMIT = 100


@dataclass(frozen=True)
class Suggestion:
    label: str  # what the person sees
    value: str  # what the command receives


async def suggestions(
    session: AsyncSession, catalog: Catalog, option: Option, typed: str, place: Place
) -> list[Suggestion]:
    text = typed.strip().lower()
    if option.kind is OptionKind.STEP:
        track = await _track_at(session, catalog, place)
        return [
            Suggestion(_clip(f"{p.step.title} · {p.id}"), p.id) for p in track.search(text, LIMIT)
        ]
    if option.kind is OptionKind.TRACK:
        return [
            Suggestion(_clip(f"{t.title} · {t.id}"), t.id)
            for t in catalog.tracks
            if text in t.id or text in t.title.lower()
        ][:LIMIT]
    if option.kind is OptionKind.TIMEZONE:
        return [Suggestion(name, name) for name in zone_names_matching(text, LIMIT)]
    if option.kind is OptionKind.CHOICE:
        return [Suggestion(c, c) for c in option.choices if c.startswith(text)]
    return []


async def _track_at(session: AsyncSession, catalog: Catalog, place: Place) -> Track:
    """The track of the group in this channel, or the default one."""
    community = await tenancy.find_community(session, place)
    if community is not None:
        group = await tenancy.group_for_channel(session, community, place.channel_id)
        if group is not None:
            return catalog.track_or_default(group.track_id)
    return catalog.default


def _clip(text: str) -> str:
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"
