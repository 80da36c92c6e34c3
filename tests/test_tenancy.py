"""No data crosses communities: the same people, the same channel names, two communities."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Group, GroupMember, Member
from bot.messages import Actor, Place, Platform
from bot.services import groups
from tests.conftest import Cohort
from tests.support import row_counts

GUILD_A = Place(Platform.DISCORD, "guild-a", "general")
GUILD_B = Place(Platform.DISCORD, "guild-b", "general")
SLACK_A = Place(Platform.SLACK, "guild-a", "general")  # same id, other platform


async def test_progress_in_one_community_is_invisible_in_another(cohort: Cohort) -> None:
    await cohort("/done python-basics", as_="ana", place=GUILD_A)
    await cohort("/done dev-tools", as_="ana", place=GUILD_A)
    in_b = await cohort("/progress", as_="ana", place=GUILD_B)
    in_slack = await cohort("/progress", as_="ana", place=SLACK_A)

    assert "**0 of 40 steps done" in in_b.body
    assert "**0 of 40 steps done" in in_slack.body
    assert "**2 of 40 steps done" in (await cohort("/progress", as_="ana", place=GUILD_A)).body


async def test_members_of_another_community_cannot_be_looked_up(cohort: Cohort) -> None:
    await cohort("/done python-basics", as_="ben", place=GUILD_A)
    reply = await cohort("/progress ben", as_="ana", place=GUILD_B)
    by_id = await cohort("/progress u-ben", as_="ana", place=GUILD_B)

    assert reply.is_error
    assert "don't know a member called `ben`" in reply.body
    assert by_id.is_error


async def test_changes_in_one_community_never_touch_another(cohort: Cohort) -> None:
    await cohort("/done python-basics", as_="ana", place=GUILD_A)
    await cohort("/reset python-basics", as_="ana", place=GUILD_B)
    await cohort("/me privacy hidden", as_="ana", place=GUILD_B)
    ask = await cohort("/me forget", as_="ana", place=GUILD_B)
    await cohort.app.dispatcher.press(
        ask.buttons[0].action_id, actor=cohort.actor("ana"), place=GUILD_B
    )

    still = await cohort("/progress", as_="ana", place=GUILD_A)
    board = await cohort("/leaderboard", as_="ben", place=GUILD_A)
    assert "**1 of 40 steps done" in still.body
    assert "**ana** · 1 step" in board.body


async def test_leaderboards_show_only_their_own_community(cohort: Cohort) -> None:
    await cohort("/done python-basics", as_="ana", place=GUILD_A)
    await cohort("/done python-basics", as_="ben", place=GUILD_B)
    board = await cohort("/leaderboard all", as_="ben", place=GUILD_B)
    assert board.body.splitlines() == ["🥇 **ben** · 1 step"]


async def test_no_community_comes_from_a_place_nobody_vouched_for(cohort: Cohort) -> None:
    before = await row_counts(cohort.app.sessions)
    no_server = Place(Platform.DISCORD, "", "600000000000000001")  # a DM belongs to no server
    reply = await cohort("/done python-basics", place=no_server)
    assert reply.is_error
    assert "work in a server or workspace channel" in reply.body
    assert await row_counts(cohort.app.sessions) == before


async def test_ids_no_platform_would_send_get_a_clear_answer_and_store_nothing(
    cohort: Cohort,
) -> None:
    before = await row_counts(cohort.app.sessions)
    huge = "T" * 5000
    for place in (
        Place(Platform.SLACK, huge, "C1"),
        Place(Platform.SLACK, "T1", huge),
        Place(Platform.SLACK, "T1", "C\x00\x01"),
    ):
        reply = await cohort("/done python-basics", place=place)
        assert reply.is_error
        assert "couldn't tell where that came from" in reply.body
    odd_user = Actor(user_id="U" * 5000, display_name="ana")
    reply = await cohort.app.dispatcher.run_line("/progress", actor=odd_user, place=SLACK_A)
    assert "couldn't tell where that came from" in reply.body
    assert await row_counts(cohort.app.sessions) == before


async def test_a_group_counts_only_its_own_communitys_learners(cohort: Cohort) -> None:
    """Where a group's learners stand (which picks its daily resources) counts members of
    its own community only, even with a membership row that says otherwise."""
    for place in (GUILD_A, GUILD_B):
        await cohort.make_group(place=place)
        await cohort("/done python-basics", as_="ana", place=place)
    app = cohort.app
    async with app.sessions() as session, session.begin():
        group_a, group_b = (await session.scalars(select(Group).order_by(Group.id))).all()
        [stranger] = (
            await session.scalars(select(Member).where(Member.community_id == group_b.community_id))
        ).all()
        stray = GroupMember(group_id=group_a.id, member_id=stranger.id)
        stray.community_id, stray.joined_at = group_a.community_id, app.clock.now()
        session.add(stray)
    async with app.sessions() as session:
        group_a = await session.get_one(Group, group_a.id)
        counted = await groups.learner_phases(
            session, group_a, app.catalog.default, app.clock.now()
        )
    assert sum(counted.values()) == 1, "Ana of guild A, and nobody from guild B"
