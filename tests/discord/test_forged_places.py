"""A button carries no authority: a place written into a custom id is honoured only when the
bot sealed it for the person pressing, pressed in a DM, by someone still in that server,
and never for an admin command. Each forged press is refused, changes nothing and shows
nothing from the other community."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.bootstrap import App
from bot.db.models import Group
from bot.messages import Place, Platform
from bot.seals import NOT_SEALED, Purpose
from bot.services.tenancy import ADMIN_NOT_CARRIED, NOT_YOUR_GROUP
from tests.discord.conftest import DiscordRig, text_of
from tests.discord.fake_discord import (
    ADMIN,
    ANA,
    BEN,
    button,
    in_dm,
    in_guild,
    slash,
    user,
)
from tests.support import row_counts

GUILD_B = "700000000000000002"
CHANNEL_B = "710000000000000002"
CAROL = user("800000000000000003", "carol")  # studies in server B only
GROUP_B = Place(Platform.DISCORD, GUILD_B, CHANNEL_B)


def in_guild_b(who: dict[str, Any], *, admin: bool = False) -> dict[str, Any]:
    payload = in_guild(who, admin=admin, channel=CHANNEL_B)
    payload["guild_id"] = GUILD_B
    payload["channel"]["guild_id"] = GUILD_B
    return payload


@pytest.fixture
async def two_servers(rig: DiscordRig) -> DiscordRig:
    """Server A (Ana, Ben, an admin) and server B (Carol, with Ben helping run its group)."""
    rig.fake.guild_members[GUILD_B] = {CAROL["id"], BEN["id"]}
    await rig.run("group setup", who=ADMIN, admin=True)
    await rig.run("progress", who=ANA)
    for payload in (
        {**in_guild_b(CAROL, admin=True), **slash("group setup")},
        {**in_guild_b(CAROL), **slash("done", step="python-basics")},
        {**in_guild_b(BEN), **slash("progress")},
        {**in_guild_b(CAROL, admin=True), **slash("group admin add", member=BEN)},
    ):
        await rig.answer(await rig.fake.interact(payload))
    return rig


async def press(rig: DiscordRig, custom_id: str, where: dict[str, Any]) -> str:
    return text_of(await rig.answer(await rig.fake.interact({**where, **button(custom_id)})))


def sealed(app: App, action_id: str, who: dict[str, Any], place: Place = GROUP_B) -> str:
    seal = app.seals.seal(place, who["id"], Purpose.DM_BUTTON, action_id)
    return f"{action_id}#{seal}"


async def group_b(app: App) -> Group:
    async with app.sessions() as session:
        found = await session.scalar(select(Group).where(Group.channel_id == CHANNEL_B))
    assert found is not None
    return found


async def test_in_a_server_the_place_is_always_the_servers_own(
    two_servers: DiscordRig, app: App
) -> None:
    rig = two_servers
    for carried in (f"#{GUILD_B}/{CHANNEL_B}", ""):
        if not carried:  # a genuine seal for Ana, pressed inside server A
            carried = "#" + sealed(app, "cohort:done?step=python-basics", ANA).partition("#")[2]
        done = await press(rig, f"cohort:done?step=python-basics{carried}", in_guild(ANA))
        assert "finished" in done or "already" in done
        board = await press(rig, f"cohort:leaderboard?period=all{carried}", in_guild(ANA))
        assert "Carol" not in board, "server B's leaderboard stays in server B"
        theirs = await press(rig, f"cohort:progress?member={CAROL['id']}{carried}", in_guild(ANA))
        assert "don't know a member" in theirs
        assert "Python fundamentals" not in theirs
    mine = text_of(await rig.run("progress", who=ANA))
    assert "1 of 40 steps done" in mine, "Ana's step counted in her own server"
    paused = await press(
        rig, f"cohort:group pause#{GUILD_B}/{CHANNEL_B}", in_guild(ADMIN, admin=True)
    )
    assert "Paused" in paused
    assert not (await group_b(app)).paused, "an admin of A paused their own group, not B's"


@pytest.mark.parametrize(
    "carried",
    [
        f"#{GUILD_B}/{CHANNEL_B}",  # the old, unsealed form
        f"#{GUILD_B}/{CHANNEL_B}.AAAAAAAAAAAA",  # a made-up seal
        "#" + "9" * 19 + "/" + "8" * 19,  # a server nobody has heard of
        "#not a place",
    ],
)
async def test_an_unsealed_place_from_a_dm_is_refused_and_changes_nothing(
    two_servers: DiscordRig, app: App, carried: str
) -> None:
    before = await row_counts(app.sessions)
    for action in ("cohort:done?step=python-basics", "cohort:leaderboard", "cohort:group setup"):
        answer = await press(two_servers, action + carried, in_dm(ANA))
        assert NOT_SEALED in answer
        assert "Carol" not in answer
    assert await row_counts(app.sessions) == before


async def test_a_seal_made_for_someone_else_is_refused(two_servers: DiscordRig, app: App) -> None:
    before = await row_counts(app.sessions)
    carols = sealed(app, "cohort:done?step=linear-algebra", CAROL)
    assert NOT_SEALED in await press(two_servers, carols, in_dm(ANA))
    assert await row_counts(app.sessions) == before


async def test_a_sealed_place_counts_only_for_members_of_that_server_and_group(
    two_servers: DiscordRig, app: App
) -> None:
    rig = two_servers
    before = await row_counts(app.sessions)
    anas = sealed(app, "cohort:done?step=python-basics", ANA)
    assert NOT_YOUR_GROUP in await press(rig, anas, in_dm(ANA)), "Ana is not in server B"
    rig.fake.guild_members[GUILD_B].add(ANA["id"])
    assert NOT_YOUR_GROUP in await press(rig, anas, in_dm(ANA)), "nor in B's study group"
    del rig.fake.guild_members[GUILD_B]  # the bot was removed from server B
    carols = sealed(app, "cohort:done?step=linear-algebra", CAROL)
    assert NOT_YOUR_GROUP in await press(rig, carols, in_dm(CAROL))
    assert await row_counts(app.sessions) == before


async def test_admin_commands_never_run_from_a_carried_place(
    two_servers: DiscordRig, app: App
) -> None:
    rig = two_servers
    before = await row_counts(app.sessions)
    for action in (
        "cohort:group pause",
        "cohort:group setup",
        f"cohort:group admin add?member={ANA['id']}",
        "cohort:group schedule daily?time=03:00",
    ):
        for who in (BEN, CAROL):  # B's listed group admin, and the one who set it up
            answer = await press(rig, sealed(app, action, who), in_dm(who))
            assert ADMIN_NOT_CARRIED in answer
    assert await row_counts(app.sessions) == before
    assert not (await group_b(app)).paused


async def test_a_sealed_dm_button_works_for_its_member(two_servers: DiscordRig, app: App) -> None:
    answer = await press(
        two_servers, sealed(app, "cohort:leaderboard?period=all", CAROL), in_dm(CAROL)
    )
    assert "Carol" in answer, "Carol sees her own group's leaderboard from her DM"
    check = await press(two_servers, sealed(app, "cohort:progress", BEN), in_dm(BEN))
    assert "Your progress" in check


async def test_a_seal_runs_only_the_action_it_was_made_for(
    two_servers: DiscordRig, app: App
) -> None:
    """Ben keeps the seal of a nudge's "Start it" and swaps the action in front of it."""
    before = await row_counts(app.sessions)
    nudge = sealed(app, "cohort:start?step=dev-tools", BEN)
    seal = nudge.partition("#")[2]
    for swapped in (
        f"cohort:progress?member={CAROL['id']}",
        "cohort:group admins",
        "cohort:checkin?finished=forged",
        "cohort:done?step=dev-tools",
    ):
        answer = await press(two_servers, f"{swapped}#{seal}", in_dm(BEN))
        assert NOT_SEALED in answer
        assert "Python fundamentals" not in answer
    assert await row_counts(app.sessions) == before
    assert "Started" in await press(two_servers, nudge, in_dm(BEN)), "the real button works"
