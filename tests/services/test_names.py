"""Members are found by name as people type them: any case, following Unicode (Ł and ł,
Á and á, ß and SS), and compatibility forms (fullwidth Ｚ is Z). On SQLite, whose own
lower() folds only ASCII letters, and on PostgreSQL (COHORT_TEST_BACKEND=postgres)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import Community, Member
from bot.errors import UserError
from bot.messages import Actor, Place
from bot.services import tenancy
from tests.conftest import GENERAL, Cohort


def _person(name: str) -> Actor:
    """Someone called exactly `name`, with a user id of their own."""
    return Actor(f"u-{name}", name)


async def _meet(cohort: Cohort, *names: str, line: str = "/next") -> None:
    """Each of `names` runs `line`, so the community knows them."""
    for who in names:
        reply = await cohort.app.dispatcher.run_line(line, actor=_person(who), place=GENERAL)
        assert not reply.is_error, reply.body


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Łukasz", "łukasz"),
        ("Łukasz", "ŁUKASZ"),
        ("Ágnes", "ÁGNES"),
        ("Ágnes", "ágnes"),
        ("Zoe", "ｚoe"),  # a fullwidth z, as some keyboards type it
        ("ＺＯＥ", "zoe"),  # a fullwidth name, typed plainly
        ("Straße", "STRASSE"),
        ("Straße", "strasse"),
        ("Ωmega", "ωMEGA"),
    ],
)
async def test_progress_finds_a_member_however_their_name_is_typed(
    cohort: Cohort, stored: str, typed: str
) -> None:
    await _meet(cohort, stored, line="/done python-basics")

    reply = await cohort(f"/progress {typed}", as_="ana")

    assert not reply.is_error, reply.body
    assert reply.title.startswith(f"📈 {stored}'s progress")
    assert reply.body.startswith("**1 of ")


async def test_group_admin_add_finds_a_name_typed_in_another_case(cohort: Cohort) -> None:
    cohort.admins.add("boss")
    assert not (await cohort("/group setup", as_="boss")).is_error
    await _meet(cohort, "Łucja")

    added = await cohort("/group admin add łUCJA", as_="boss")

    assert not added.is_error, added.body
    assert "Łucja can now run this group's admin commands" in added.body
    assert "Łucja" in (await cohort("/group admins", as_="boss")).body


@pytest.mark.parametrize(
    ("first", "second", "typed"),
    [("Straße", "STRASSE", "strasse"), ("Zoe", "ＺＯＥ", "ZOE"), ("Łukasz", "łukasz", "Łukasz")],
)
async def test_two_names_that_fold_alike_ask_for_a_mention(
    cohort: Cohort, first: str, second: str, typed: str
) -> None:
    await _meet(cohort, first, second)

    reply = await cohort(f"/progress {typed}", as_="ana")

    assert reply.is_error
    assert "More than one member is called" in reply.body
    assert "mention them instead" in reply.body


async def test_a_mention_still_finds_one_of_two_alike_names(cohort: Cohort) -> None:
    await _meet(cohort, "Straße", "STRASSE")
    reply = await cohort("/progress u-STRASSE", as_="ana")
    assert reply.title.startswith("📈 STRASSE's progress")


async def test_a_new_display_name_is_found_by_its_new_spelling(cohort: Cohort) -> None:
    await _meet(cohort, "Agnes")
    # The platform now reports the same person (same user id) under a new name.
    renamed = Actor(_person("Agnes").user_id, "ÁGNES K")
    await cohort.app.dispatcher.run_line("/next", actor=renamed, place=GENERAL)

    found = await cohort("/progress ágnes k", as_="ana")
    gone = await cohort("/progress agnes", as_="ana")

    assert found.title.startswith("📈 ÁGNES K's progress")
    assert gone.is_error
    assert "I don't know a member called `agnes`" in gone.body


async def test_names_are_looked_up_in_the_callers_community_only(cohort: Cohort) -> None:
    await _meet(cohort, "Łukasz")
    elsewhere = Place(GENERAL.platform, "guild-2", "general")
    reply = await cohort("/progress łukasz", as_="ana", place=elsewhere)
    assert reply.is_error
    assert "I don't know a member called `łukasz`" in reply.body


async def test_the_stored_key_is_the_folded_name(cohort: Cohort) -> None:
    actor = Actor("u-strasse", "  ＳＴＲＡßＥ  ")
    await cohort.app.dispatcher.run_line("/next", actor=actor, place=GENERAL)
    async with cohort.app.sessions() as session:
        community = await session.scalar(
            select(Community).where(Community.external_id == GENERAL.workspace_id)
        )
        assert community is not None
        member = await session.scalar(select(Member).where(Member.platform_user_id == "u-strasse"))
        assert member is not None
        assert member.display_name == "ＳＴＲＡßＥ"
        assert member.name_key == "strasse"
        found = await tenancy.find_member(session, community, "Strasse")
        assert found.id == member.id
        with pytest.raises(UserError, match="I don't know a member called"):
            await tenancy.find_member(session, community, "@")


def test_the_key_follows_unicode_case_folding() -> None:
    assert tenancy.name_key("Łukasz") == tenancy.name_key("ŁUKASZ") == "łukasz"
    assert tenancy.name_key("Straße") == tenancy.name_key("STRASSE") == "strasse"
    assert tenancy.name_key("ＺＯＥ") == tenancy.name_key("ｚoe") == "zoe"
    assert tenancy.name_key("ǅemal") == tenancy.name_key("DŽEMAL")  # a titlecase digraph
    assert tenancy.name_key("  ana  ") == "ana"
    assert len(tenancy.name_key("ﷺ" * 100)) <= tenancy.NAME_KEY_LIMIT
