"""/me settings, forgetting a member, and /help."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Member
from tests.conftest import Cohort


async def _member(cohort: Cohort, name: str) -> Member | None:
    async with cohort.app.sessions() as session:
        return await session.scalar(select(Member).where(Member.platform_user_id == f"u-{name}"))


async def test_timezone_is_stored_and_echoed_in_local_time(cohort: Cohort) -> None:
    reply = await cohort("/me timezone america/new_york")
    member = await _member(cohort, "ana")

    assert "Your timezone is now **America/New_York** (it's 05:00 on Wednesday there)" in (
        reply.body
    )
    assert member is not None
    assert member.timezone == "America/New_York"


async def test_unknown_timezone_suggests_one_and_changes_nothing(cohort: Cohort) -> None:
    await cohort("/me timezone Asia/Tokyo")
    reply = await cohort("/me timezone Europe/Berln")
    member = await _member(cohort, "ana")

    assert reply.is_error
    assert "`Europe/Berln` is not a timezone I know. Did you mean `Europe/Berlin`?" in reply.body
    assert member is not None
    assert member.timezone == "Asia/Tokyo"


async def test_a_refused_first_command_leaves_no_trace(cohort: Cohort) -> None:
    reply = await cohort("/me timezone Europe/Berln", as_="newcomer")
    assert reply.is_error
    assert await _member(cohort, "newcomer") is None, "nothing half written, on any database"


async def test_missing_timezone_shows_an_example(cohort: Cohort) -> None:
    reply = await cohort("/me timezone")
    assert reply.is_error
    assert "For example: `/me timezone Europe/Berlin`" in reply.body


async def test_privacy_switches_both_ways(cohort: Cohort) -> None:
    hidden = await cohort("/me privacy hidden")
    assert "You're hidden" in hidden.body
    assert (await _member(cohort, "ana")).privacy == "hidden"  # type: ignore[union-attr]
    await cohort("/me privacy PUBLIC")
    assert (await _member(cohort, "ana")).privacy == "public"  # type: ignore[union-attr]
    bad = await cohort("/me privacy secret")
    assert bad.is_error
    assert "Use one of `public`, `hidden`" in bad.body


async def test_forget_asks_first_and_keep_it_deletes_nothing(cohort: Cohort) -> None:
    await cohort("/done python-basics")
    ask = await cohort("/me forget")
    kept = await cohort.press(ask, "Keep it")

    assert ask.title == "Delete all your data?"
    assert [b.label for b in ask.buttons] == ["Delete my data", "Keep it"]
    assert "Nothing was deleted" in kept.body
    assert await cohort.statuses("ana") == {"python-basics": "done"}


async def test_forget_deletes_the_member_and_only_them(cohort: Cohort) -> None:
    await cohort.make_group()
    await cohort("/done python-basics", as_="ana")
    await cohort("/done python-basics", as_="ben")
    ask = await cohort("/me forget", as_="ana")
    done = await cohort.press(ask, "Delete my data", as_="ana")

    assert "deleted" in done.body
    assert await _member(cohort, "ana") is None
    assert await cohort.event_count() == 1
    assert await cohort.statuses("ben") == {"python-basics": "done"}
    assert (await cohort("/leaderboard", as_="ben")).body.splitlines() == ["🥇 **ben** · 1 step"]


async def test_help_lists_every_command_from_the_registry(cohort: Cohort) -> None:
    reply = await cohort("/help")
    admin = {f.name: f.value for f in reply.fields}["For admins"]
    for command in cohort.app.registry.commands:
        listed = admin if command.admin_only else reply.body
        assert f"`{command.usage}` · {command.help}" in listed


async def test_help_for_one_command(cohort: Cohort) -> None:
    reply = await cohort("/help done")
    fields = {f.name: f.value for f in reply.fields}
    assert reply.title == "/done"
    assert fields["Usage"] == "`/done <step> [note]`"
    assert "`note` · What you built or learned (optional) · optional" in fields["Options"]
    assert "`/done python-basics built a quiz game`" in fields["Examples"]


async def test_help_for_a_command_group(cohort: Cohort) -> None:
    reply = await cohort("/help me")
    assert "`/me timezone <timezone>`" in reply.body
    assert "`/me forget [yes|no]`" in reply.body


async def test_help_for_an_unknown_command_suggests_one(cohort: Cohort) -> None:
    reply = await cohort("/help leaderbord")
    assert reply.is_error
    assert "Did you mean `/leaderboard`?" in reply.body


async def test_display_names_follow_the_platform(cohort: Cohort) -> None:
    await cohort.invoke("next", {}, as_="ana")
    renamed = cohort.actor("ana").__class__("u-ana", "Ana Lima")
    await cohort.app.dispatcher.run_line("/next", actor=renamed, place=cohort.place)
    member = await _member(cohort, "ana")
    assert member is not None
    assert member.display_name == "Ana Lima"
