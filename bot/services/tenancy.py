"""Communities, their members and their groups. Every lookup is scoped to one community."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Community, Group, GroupAdmin, GroupMember, Member
from bot.errors import UserError
from bot.markup import code
from bot.messages import Actor, Invocation, Place
from bot.services import schedules, upcoming

T = TypeVar("T")
MENTION = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$")
ID_LIMIT = 64  # platform ids are short (Discord snowflakes, Slack T…/C…/U… ids)
NAME_KEY_LIMIT = 200  # the `members.name_key` column's width

NOT_IN_A_COMMUNITY = (
    "Cohort's commands work in a server or workspace channel, where your study group meets. "
    "Try it there."
)
UNKNOWN_IDS = (
    "I couldn't tell where that came from, so nothing was changed. "
    "Try the command again in your group's channel."
)
NOT_YOUR_GROUP = (
    "That button belongs to a study group you're not a member of (any more), so nothing was "
    "changed. Use the commands in your group's channel instead."
)
ADMIN_NOT_CARRIED = (
    "Admin commands only run in the group's own channel, never from a button in a DM. "
    "Run the command there."
)


@dataclass(frozen=True)
class Caller:
    """Who runs a command, where: their community, their membership and their group."""

    community: Community
    member: Member
    group: Group | None
    may_administer: bool


async def caller_of(session: AsyncSession, invocation: Invocation, *, now: datetime) -> Caller:
    """The caller of `invocation`. A place the platform vouched for may bring a new
    community, member or group membership into being; a place carried back by a button or
    form (`invocation.carried`) only ever finds a group its caller already belongs to, and
    never lends them admin rights."""
    place, actor = invocation.place, invocation.actor
    _check_ids(place, actor)
    if invocation.carried:
        return await _carried_caller(session, place, actor)
    community = await ensure_community(session, place, now=now)
    member = await ensure_member(session, community, actor, now=now)
    group = await group_for_channel(session, community, place.channel_id)
    if group is not None:
        await join_group(session, group, member, now=now)
        if member.timezone == "UTC":
            # The first group's clock until they choose their own; a second group in another
            # zone does not move it (their days and quiet hours would jump around).
            await schedules.adopt_group_clock(session, member, group, now=now)
    admin = actor.is_admin or (group is not None and await is_group_admin(session, group, member))
    return Caller(community, member, group, may_administer=admin)


async def _carried_caller(session: AsyncSession, place: Place, actor: Actor) -> Caller:
    community = await find_community(session, place)
    if community is not None:
        member = await session.scalar(
            select(Member).where(
                Member.community_id == community.id, Member.platform_user_id == actor.user_id
            )
        )
        group = await group_for_channel(session, community, place.channel_id)
        if member is not None and group is not None and await is_in_group(session, group, member):
            return Caller(community, member, group, may_administer=False)
    raise UserError(NOT_YOUR_GROUP)


def _check_ids(place: Place, actor: Actor) -> None:
    if not place.workspace_id:
        raise UserError(NOT_IN_A_COMMUNITY)
    ids = (place.workspace_id, place.channel_id, actor.user_id)
    if not actor.user_id or not all(_is_plain_id(value) for value in ids):
        raise UserError(UNKNOWN_IDS)


def _is_plain_id(value: str) -> bool:
    return len(value) <= ID_LIMIT and not any(
        unicodedata.category(char).startswith("C") for char in value
    )


async def find_community(session: AsyncSession, place: Place) -> Community | None:
    return await session.scalar(_community_at(place))


def _community_at(place: Place) -> Select[Community]:
    return select(Community).where(
        Community.platform == place.platform.value, Community.external_id == place.workspace_id
    )


async def ensure_community(
    session: AsyncSession, place: Place, *, now: datetime, name: str = ""
) -> Community:
    query = _community_at(place)
    community = await session.scalar(query)
    if community is not None:
        return community
    community = Community(
        platform=place.platform.value, external_id=place.workspace_id, name=name, created_at=now
    )
    return await _insert_or_fetch(session, community, query)


async def ensure_member(
    session: AsyncSession, community: Community, actor: Actor, *, now: datetime
) -> Member:
    query = select(Member).where(
        Member.community_id == community.id, Member.platform_user_id == actor.user_id
    )
    member = await session.scalar(query)
    given = actor.display_name.strip()[:100]  # empty when the platform did not say
    if member is not None:
        if given and member.display_name != given:
            member.display_name = given
        key = name_key(member.display_name)
        if member.name_key != key:
            member.name_key = key
        return member
    name = given or actor.user_id
    member = Member(
        community_id=community.id,
        platform_user_id=actor.user_id,
        display_name=name,
        name_key=name_key(name),
        joined_at=now,
    )
    return await _insert_or_fetch(session, member, query)


def name_key(text: str) -> str:
    """A name the way it is looked up: compatibility-normalised (fullwidth `Ｚ` is `Z`) and
    case-folded the way Unicode says (`Ł` is `ł`, `ß` is `ss`), so a member is found
    however their name is typed. SQL's `lower()` only folds ASCII letters on SQLite."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return folded.strip()[:NAME_KEY_LIMIT]


async def group_for_channel(
    session: AsyncSession, community: Community, channel_id: str
) -> Group | None:
    return await session.scalar(
        select(Group).where(Group.community_id == community.id, Group.channel_id == channel_id)
    )


async def create_group(
    session: AsyncSession,
    community: Community,
    *,
    channel_id: str,
    name: str,
    track_id: str,
    timezone: str,
    now: datetime,
) -> Group:
    group = Group(
        community_id=community.id,
        channel_id=channel_id,
        name=name,
        track_id=track_id,
        timezone=timezone,
        created_at=now,
    )
    session.add(group)
    await session.flush()
    await upcoming.add_group(session, group, now=now)
    return group


async def join_group(session: AsyncSession, group: Group, member: Member, *, now: datetime) -> None:
    if group.community_id != member.community_id:
        msg = "a member can only join groups of their own community"
        raise ValueError(msg)
    exists = await session.scalar(
        select(GroupMember.member_id).where(
            GroupMember.group_id == group.id, GroupMember.member_id == member.id
        )
    )
    if exists is None:
        link = GroupMember(
            group_id=group.id, member_id=member.id, community_id=member.community_id, joined_at=now
        )
        query = select(GroupMember).where(
            GroupMember.group_id == group.id, GroupMember.member_id == member.id
        )
        await _insert_or_fetch(session, link, query)
        await upcoming.add_member(session, group, member, now=now)


async def find_member(session: AsyncSession, community: Community, text: str) -> Member:
    """The community member `text` names: a mention, a platform user id, or a display name
    however it is cased or written (`łukasz` finds Łukasz, `STRASSE` finds Straße)."""
    wanted = text.strip().removeprefix("@")
    mention = MENTION.match(text.strip())
    if mention:
        wanted = mention.group(1)
    in_community = select(Member).where(Member.community_id == community.id)
    member = await session.scalar(in_community.where(Member.platform_user_id == wanted))
    key = name_key(wanted)
    if member is None and key:
        matches = (await session.scalars(in_community.where(Member.name_key == key).limit(2))).all()
        if len(matches) > 1:
            msg = f"More than one member is called {code(wanted)}; mention them instead."
            raise UserError(msg)
        member = matches[0] if matches else None
    if member is None:
        msg = (
            f"I don't know a member called {code(wanted)} here yet. "
            "They appear once they use Cohort."
        )
        raise UserError(msg)
    return member


async def _insert_or_fetch(session: AsyncSession, row: T, query: Select[T]) -> T:
    """Insert `row`; if a concurrent request inserted the same one first, use theirs."""
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = await session.scalar(query)
        if existing is None:
            raise
        return existing
    return row


async def is_in_group(session: AsyncSession, group: Group, member: Member) -> bool:
    return await _listed(session, GroupMember, group, member)


async def is_group_admin(session: AsyncSession, group: Group, member: Member) -> bool:
    return await _listed(session, GroupAdmin, group, member)


async def _listed(
    session: AsyncSession, table: type[GroupMember] | type[GroupAdmin], group: Group, member: Member
) -> bool:
    found = await session.scalar(
        select(table.member_id).where(
            table.community_id == group.community_id,
            table.group_id == group.id,
            table.member_id == member.id,
        )
    )
    return found is not None
