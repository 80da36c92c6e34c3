"""The dispatcher: unknown commands, permissions, crashes rolled back, buttons."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import build_registry
from bot.commands.context import CommandContext
from bot.commands.dispatch import Dispatcher
from bot.commands.parse import parse_command_line
from bot.commands.registry import CommandSet, Option, Registry
from bot.db.models import StepStatus
from bot.errors import UserError
from bot.messages import Button, Reply, parse_action_id
from bot.services import progress
from tests.conftest import Cohort


async def test_unknown_command_suggests_the_closest(cohort: Cohort) -> None:
    reply = await cohort("/dnoe python-basics")
    assert reply.is_error
    assert reply.ephemeral
    assert "There's no `/dnoe` command. Did you mean `/done`? `/help` lists them all." in (
        reply.body
    )


async def test_a_group_word_alone_lists_its_commands(cohort: Cohort) -> None:
    reply = await cohort("/me")
    assert reply.is_error
    assert all(f"`/me {word}`" in reply.body for word in ("timezone", "privacy", "forget"))


async def test_unknown_subcommand_suggests_one(cohort: Cohort) -> None:
    reply = await cohort("/me timezon Europe/Paris")
    assert "Did you mean `/me timezone`?" in reply.body


async def test_options_by_name_as_discord_users_type_them(cohort: Cohort) -> None:
    reply = await cohort("/leaderboard metric:streak period:all")
    assert reply.title.startswith("🔥 Current streaks")


async def test_an_option_the_command_does_not_have(cohort: Cohort) -> None:
    reply = await cohort.invoke("next", {"colour": "blue"})
    assert reply.is_error
    assert "`/next` has no option `colour`" in reply.body


def _dispatcher_with(cohort: Cohort, extra: CommandSet) -> Dispatcher:
    app = cohort.app
    registry = Registry([extra])
    return Dispatcher(
        sessions=app.sessions, catalog=app.catalog, registry=registry, clock=app.clock
    )


async def test_admin_only_commands_refuse_members(cohort: Cohort) -> None:
    extra = CommandSet()

    @extra.command("purge", admin_only=True)
    async def purge(ctx: CommandContext) -> Reply:
        """Remove everything."""
        return Reply(body="purged")

    dispatcher = _dispatcher_with(cohort, extra)
    cohort.admins.add("boss")
    refused = await dispatcher.run_line("/purge", actor=cohort.actor("ana"), place=cohort.place)
    allowed = await dispatcher.run_line("/purge", actor=cohort.actor("boss"), place=cohort.place)

    assert refused.is_error
    assert "Only community admins can use `/purge`." in refused.body
    assert allowed.body == "purged"


async def test_a_crash_is_rolled_back_and_answered_with_an_error_id(
    cohort: Cohort, caplog: pytest.LogCaptureFixture
) -> None:
    extra = CommandSet()

    @extra.command("flaky", Option("step", "a step"))
    async def flaky(ctx: CommandContext) -> Reply:
        """Write, then fail."""
        await progress.change_step(
            ctx.session,
            ctx.member,
            track_id=ctx.track.id,
            step_id="python-basics",
            target=StepStatus.DONE,
            now=ctx.now,
        )
        raise RuntimeError("disk on fire")

    dispatcher = _dispatcher_with(cohort, extra)
    with caplog.at_level(logging.ERROR):
        reply = await dispatcher.run_line("/flaky", actor=cohort.actor("ana"), place=cohort.place)

    assert reply.is_error
    assert "something went wrong on my side and nothing was changed" in reply.body
    error_id = reply.body.split("`")[1]
    assert error_id in caplog.text
    assert "disk on fire" in caplog.text
    assert await cohort.event_count() == 0
    # The bot keeps answering afterwards.
    assert not (await cohort("/next")).is_error


async def test_a_button_that_is_not_ours_is_refused_politely(cohort: Cohort) -> None:
    reply = await cohort.app.dispatcher.press(
        "someone-else:thing", actor=cohort.actor("ana"), place=cohort.place
    )
    assert reply.is_error
    assert "isn't one of mine" in reply.body


def test_every_command_has_help_and_commands_are_unique() -> None:
    registry = build_registry()
    names = [c.name for c in registry.commands]
    assert len(names) == len(set(names))
    assert {
        "roadmap",
        "step",
        "next",
        "start",
        "done",
        "skip",
        "log",
        "focus",
        "me role",
        "me export",
        "reset",
        "progress",
        "leaderboard",
        "me timezone",
        "me privacy",
        "me forget",
        "me reminders",
        "me quiet",
        "me vacation",
        "me images",
        "me mentor",
        "checkin",
        "stuck",
        "offer",
        "solved",
        "review",
        "answer",
        "kaggle",
        "kaggle submit",
        "group setup",
        "group schedule daily",
        "group schedule checkin",
        "group schedule kaggle",
        "group pause",
        "group resume",
        "group show",
        "group checkins",
        "group admin add",
        "group admin remove",
        "group admins",
        "group images",
        "help",
    } == set(names)
    assert all(c.help and not c.help.endswith(" ") for c in registry.commands)


def test_declaring_the_same_command_twice_is_refused() -> None:
    one, two = CommandSet(), CommandSet()
    for commands in (one, two):

        @commands.command("same")
        async def same(ctx: CommandContext) -> Reply:
            """The same."""
            return Reply()

    with pytest.raises(ValueError, match="declared twice"):
        Registry([one, two])


@given(st.text(max_size=200))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_typed_line_parses_or_gets_a_user_error(line: str) -> None:
    registry = build_registry()
    try:
        command, options = parse_command_line(line, registry)
    except UserError as error:
        message = str(error)
        assert message, "a refusal always says what would be right"
    else:
        assert command.name in {c.name for c in registry.commands}
        assert set(options) <= {o.name for o in command.options}


@given(
    st.sampled_from(["start", "done", "me forget"]),
    st.dictionaries(st.sampled_from(["step", "confirm", "note"]), st.text(max_size=20)),
)
def test_button_action_ids_round_trip(command: str, options: dict[str, str]) -> None:
    button = Button("x", command, options)
    assert parse_action_id(button.action_id) == (command, options)
