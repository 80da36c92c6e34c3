"""Real platforms at real sizes: a 64-member group with long unicode names, a week with
hundreds of finished steps and long blockers, and a 100-step content pack at the schema's
limits. Every command, every page of /roadmap, the longest /step, /help, the check-in form,
the App Home and a fortnight of scheduled posts go through both adapters' own translation:
each Discord message and each Slack message or view keeps to the documented limits
(adapters/discord/limits.py, adapters/slack/limits.py, and the fakes' own checks), no line
of a reply goes missing on the way, no button is dropped, and the lists the core shortens
end with "and N more", never with a cut name.

The community is built once for the module (on SQLite, or on PostgreSQL with
COHORT_TEST_BACKEND=postgres); each test reads what it answered and posted."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
import pytest_asyncio

from adapters.discord import translate as discord
from adapters.discord.app import CheckinForm
from adapters.discord.limits import (
    ApplicationCommands,
    ComponentReference,
    ReceivingAndResponding,
)
from adapters.discord.limits import violations as discord_violations
from adapters.slack import translate as slack
from adapters.slack.limits import violations as slack_violations
from bot.bootstrap import App, accountability_engine, build_app
from bot.cli import main as cohort_cli
from bot.clock import ManualClock
from bot.commands import build_registry
from bot.commands.registry import OptionKind
from bot.db.models import StepStatus
from bot.markup import plain_text
from bot.messages import (
    Actor,
    Button,
    Field,
    Invocation,
    OptionValue,
    Place,
    Platform,
    Reply,
)
from bot.presentation import name as shown_name
from bot.scheduler.compose import EVERY_ANSWER
from bot.scheduler.engine import AccountabilityEngine, run_through
from bot.seals import Purpose
from bot.services import groups, helping, progress, schedules, study, tenancy
from bot.settings import Settings
from tests.conftest import module_database
from tests.discord.fake_discord import Refused, _check_message
from tests.scheduler.conftest import Posted, RecordingPoster
from tests.sizes_support import (
    LONGEST_STEP,
    NAME_LIMIT,
    PHASE_SIZES,
    STEPS,
    TRACK_ID,
    blocker,
    discord_shown,
    member_names,
    missing_lines,
    reply_lines,
    slack_shown,
    squash,
    step_id,
    write_stress_pack,
)
from tests.slack.fake_slack import _refused_message, _view_answer

# Every async test reads the one community, built on the module's event loop.
on_the_world = pytest.mark.asyncio(loop_scope="module")

# The longest places and user ids each platform has: a seal then fills a button's id.
DISCORD_PLACE = Place(Platform.DISCORD, "18446744073709551615", "18446744073709551614")
SLACK_PLACE = Place(Platform.SLACK, "T" + "A" * 31, "C" + "B" * 31)
SLACK_USER = "U" + "C" * 31
MEMBERS = 64
ACTIVE = 60  # members who study; the rest joined and never did
CHECKED_IN = 56  # of the active ones; the other four go quiet after Monday
HIDDEN = (5, 6)  # active members who keep their progress private
STEPS_EACH = 8
KAGGLE_ATTEMPTS = 24
ADMINS_ADDED = 40  # members on the group's admin list, for /group admins
CALLER = 0  # the organiser who runs every command (a platform admin)
OFFERING = 3  # offers to help with the first question asked
# Members who keep reminders on: those who do not check in, and every fourth one besides
# (100-character names among them). The rest turned them off, so the fortnight sends each
# kind of DM to long names without sending the same DM sixty times.
DMS_ON = frozenset(range(CHECKED_IN, MEMBERS)) | frozenset(range(0, MEMBERS, 4))
OTHER = 3  # a member at the 100-character name limit, looked up by name
SHARP_S = 21  # "Straße Weiß №21 …", 100 characters; in capitals, "STRASSE WEISS", 102

MONDAY = datetime(2026, 11, 16, 7, 0, tzinfo=UTC)
FORTNIGHT_END = MONDAY + timedelta(days=14, hours=6)
COMMANDS_AT = MONDAY + timedelta(days=6, hours=12)  # Sunday evening, after the summary
NOTE = (
    "Built a tiny transformer & wrote it up: <attention> heads, [masks], `einsum` tricks, "
    "données ✨ 注意力 — Größe matters. "
) * 4


def _id_of(number: int) -> str:
    return str(10**19 + number)  # a 20-digit snowflake, as long as Discord's get


# The typical arguments of every command, as a member would type them after its name.
# A command added to the registry needs a line here (test_every_command_has_its_arguments).
ARGUMENTS: dict[str, str] = {
    "roadmap": "",
    "step": step_id(LONGEST_STEP),
    "next": "",
    "start": step_id(97),
    "done": f"{step_id(98)} {NOTE[:480]}",
    "skip": step_id(99),
    "reset": step_id(99),
    "progress": "{other}",
    "log": f"1h30 {step_id(97)} {NOTE[:290]}",
    "focus": f"50 {step_id(LONGEST_STEP)}",
    "leaderboard": "week steps",
    "me timezone": "America/Argentina/ComodRivadavia",
    "me role": "learner",
    "me privacy": "public",
    "me forget": "",
    "me export": "",
    "me reminders": "on",
    "me quiet": "22-08",
    "me vacation": "3",
    "me images": "on",
    "me mentor": "on",
    "checkin": (
        f"finished: {step_id(98)} {NOTE[:300]} next: {NOTE[:480]} "
        f"blockers: {NOTE[:490]} hours: 12.5"
    ),
    "kaggle": "",
    "kaggle submit": (
        "https://www.kaggle.com/code/a_very_long_user_name/stress-notebook-attempt 0.87 "
        "challenge:stress-challenge-2-1"
    ),
    "group setup": f"{TRACK_ID} UTC",
    "group schedule daily": "09:00",
    "group schedule checkin": "friday 17:00",
    "group schedule kaggle": "weekly monday 10:00",
    "group images": "on",
    "group pause": "",
    "group resume": "",
    "group checkins": "",
    "group show": "",
    "group admin add": "{other}",
    "group admin remove": "{other}",
    "group admins": "",
    "help": "",
    "stuck": f"{step_id(97)} {NOTE[:490]}",
    "offer": "2",
    "solved": "",
    "review": "",
    "answer": "1 choice: 1",
}


# Mistakes whose answers quote what was typed or list what there is.
MISTAKES = (
    "/roadmap phase: " + "no such phase " * 6,
    "/step s999-attention-transformer",
    "/progress " + "Ｎｏｂｏｄｙ ｋｎｏｗｎ " * 8,
    f"/done {step_id(1)} " + (NOTE * 2)[:600],
    "/group schedule checkin someday 25:99",
    "/help " + "nosuchcommand" * 3,
)


@dataclass
class World:
    """The stress community, and everything it was answered and posted."""

    app: App
    content: Path
    names: list[str]
    commands: dict[str, Reply] = field(default_factory=dict)
    extra: dict[str, Reply] = field(default_factory=dict)  # other lines worth checking
    errors: dict[str, Reply] = field(default_factory=dict)  # mistakes, answered kindly
    blockers: list[str] = field(default_factory=list)  # as the members typed them
    pages: list[Reply] = field(default_factory=list)
    helps: dict[str, Reply] = field(default_factory=dict)
    home: Reply | None = None
    in_capitals: Reply | None = None  # /progress of a long name typed in capitals
    posts: list[Posted] = field(default_factory=list)
    setup_replies: list[Reply] = field(default_factory=list)

    def actor(self, number: int) -> Actor:
        return Actor(_id_of(number), self.names[number], is_admin=number == CALLER)

    def user_id_of(self, display_name: str) -> str:
        return _id_of(self.names.index(display_name))

    @property
    def shortened(self) -> list[str]:
        """The pack's texts a /roadmap page may show shortened with "…"."""
        track = self.app.catalog.get(TRACK_ID)
        assert track is not None
        timelines, stages = track.spec.timelines, track.spec.career_stages
        return [
            track.spec.summary,
            *(phase.summary for phase in track.phases),
            *(timeline.title for timeline in timelines),
            *(timeline.duration for timeline in timelines),
            *(stage.title for stage in stages),
        ]


@pytest.fixture(scope="module")
def stress_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with module_database(request, tmp_path_factory.mktemp("sizes")) as url:
        yield url


@pytest.fixture(scope="module")
def stress_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_stress_pack(tmp_path_factory.mktemp("pack") / "content")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(stress_db: str, stress_pack: Path) -> AsyncIterator[World]:
    clock = ManualClock(MONDAY)
    app = await build_app(Settings(database_url=stress_db, content_dir=stress_pack), clock=clock)
    world = World(app, stress_pack, member_names(MEMBERS))
    poster = RecordingPoster(clock)
    engine = accountability_engine(app, poster, instance="test")
    try:
        await _play_the_week(world, clock, engine)
        await _run_everything(world)
        await run_through(engine, clock, FORTNIGHT_END)
        world.posts = list(poster.sent)
        yield world
    finally:
        await app.close()


async def _run(world: World, number: int, name: str, **options: OptionValue) -> Reply:
    invocation = Invocation(name, world.actor(number), DISCORD_PLACE, options)
    reply = await (await world.app.dispatcher.run(invocation)).drawn()
    world.setup_replies.append(reply)
    return reply


async def _play_the_week(world: World, clock: ManualClock, engine: AccountabilityEngine) -> None:
    """Monday to Sunday of a busy week: everyone joins, sixty members finish eight steps
    each and log time, most check in with long blockers, some try the Kaggle challenge.

    Joining, finishing steps and logging time go through the services /done and /log call,
    in one transaction a day (a command each would take seconds); check-ins and Kaggle
    attempts go through the commands."""
    app = world.app
    track = app.catalog.get(TRACK_ID)
    assert track is not None
    path = [placed.id for placed in track.steps if not placed.step.optional]
    await _run(world, CALLER, "group setup", track=TRACK_ID, timezone="UTC")

    def steps_of(number: int) -> list[str]:
        start = (number * 5) % (len(path) - STEPS_EACH)
        return path[start : start + STEPS_EACH]

    def finished_on(number: int, day: int) -> list[str]:
        """Four steps on Monday and four on Wednesday. Those who will not check in do all
        eight on Monday and go quiet: they hear both nudges, the last on day fourteen."""
        steps, half = steps_of(number), STEPS_EACH // 2
        if number >= CHECKED_IN:
            return steps if day == 0 else []
        return steps[:half] if day == 0 else steps[half:]

    for day in (0, 2):  # Monday and Wednesday
        await run_through(engine, clock, MONDAY + timedelta(days=day, hours=5))
        now = clock.now()
        async with app.sessions() as session, session.begin():
            for number in range(MEMBERS):
                joining = Invocation("group show", world.actor(number), DISCORD_PLACE)
                caller = await tenancy.caller_of(session, joining, now=now)
                member, group = caller.member, caller.group
                assert group is not None
                if day == 0 and 1 <= number <= ADMINS_ADDED:
                    await groups.add_admin(session, group, member, now)
                if day == 0 and number not in DMS_ON:  # only some want DMs: fewer to send
                    await schedules.set_reminders(session, member, False, now=now)
                if day == 0 and number in DMS_ON:  # ... and to help on steps they finished
                    await helping.set_mentor(session, member, True)
                if number >= ACTIVE:
                    continue  # joined, and went quiet
                if day == 0:
                    first = track.get(steps_of(number)[0])
                    await study.log(
                        session,
                        member,
                        minutes=90,
                        now=now,
                        group=group,
                        track=track,
                        step=first,
                        note=NOTE[:480],
                    )
                for step in finished_on(number, day):
                    await progress.change_step(
                        session,
                        member,
                        track_id=TRACK_ID,
                        step_id=step,
                        target=StepStatus.DONE,
                        now=now,
                    )
        if day == 0:
            for number in HIDDEN:
                await _run(world, number, "me privacy", privacy="hidden")
    await run_through(engine, clock, MONDAY + timedelta(days=3, hours=12))
    for number in range(KAGGLE_ATTEMPTS):
        await _run(
            world,
            number,
            "kaggle submit",
            url=f"https://www.kaggle.com/code/user{number}/stress-attempt-{number}",
            score=f"0.{number + 10}",
            challenge=f"stress-challenge-{1 + number % 3}-1",
        )
    await run_through(engine, clock, MONDAY + timedelta(days=4, hours=11))  # Friday 18:00
    for number in range(CHECKED_IN):
        ahead = path[(number * 5 + STEPS_EACH) % len(path) :][:3] or path[:3]
        world.blockers.append(blocker(number, ahead))
        await _run(
            world,
            number,
            "checkin",
            finished=" ".join(steps_of(number))[:480],
            next=NOTE[:480],
            blockers=world.blockers[-1],
            hours=f"{number % 30 + 0.5}",
        )
    await run_through(engine, clock, MONDAY + timedelta(days=4, hours=12))
    await _run(world, OFFERING, "offer", request=1)  # someone will help the first asker
    await _run(world, OTHER, "focus", minutes="25", step=step_id(LONGEST_STEP))
    await run_through(engine, clock, COMMANDS_AT)


async def _run_everything(world: World) -> None:
    """Every command with its typical arguments, every roadmap page, /help for each
    command, and the member's App Home, as the organiser on Sunday evening."""
    actor = world.actor(CALLER)

    async def line(text: str) -> Reply:
        reply = await world.app.dispatcher.run_line(text, actor=actor, place=DISCORD_PLACE)
        return await reply.drawn()  # as members get it: with its picture

    other = world.names[OTHER].lower()  # typed as people type names
    world.extra["/group checkins (the busy week)"] = await line("/group checkins")
    for command in world.app.registry.commands:
        arguments = ARGUMENTS.get(command.name)
        if arguments is None:
            continue  # test_every_command_has_its_arguments says which
        world.commands[command.name] = await line(
            f"/{command.name} {arguments.format(other=other)}"
        )
    for period in ("week", "month", "all"):
        for metric in ("steps", "hours", "streak", "kaggle", "helped"):
            world.extra[f"/leaderboard {period} {metric}"] = await line(
                f"/leaderboard {period} {metric}"
            )
    world.extra["/me forget no"] = await line("/me forget no")
    for number, name in enumerate(world.names):  # each long name, typed in lower case
        if len(name) == NAME_LIMIT and number not in HIDDEN:
            world.extra[f"/progress {name}"] = await line(f"/progress {name.lower()}")
    world.in_capitals = await line(f"/progress {world.names[SHARP_S].upper()}")
    for mistake in MISTAKES:
        world.errors[mistake] = await line(mistake)
    world.extra["/focus stop"] = await line("/focus stop")
    track = world.app.catalog.get(TRACK_ID)
    assert track is not None
    world.pages = [await line(f"/roadmap phase:{n}") for n in range(1, len(track.phases) + 1)]
    world.helps = {
        command.name: await line(f"/help {command.name}") for command in world.app.registry.commands
    }
    for phrase in world.app.registry.groups():
        world.helps[phrase] = await line(f"/help {phrase}")
    # The App Home shows the member's /progress asked with no channel, as the Slack adapter
    # asks it (adapters/slack/app.py, refresh_home); the core answers every platform alike.
    home = Place(Platform.DISCORD, DISCORD_PLACE.workspace_id, "")
    home_reply = await world.app.dispatcher.run(Invocation("progress", world.actor(OTHER), home))
    world.home = await home_reply.drawn()


# --- checking one reply on both platforms ------------------------------------------------------


def fits_discord(world: World, reply: Reply, *, dm_to: str | None = None) -> list[str]:
    """What goes wrong sending `reply` to Discord: limits broken, lines lost, buttons
    dropped. Empty when nothing does."""
    seal_for = world.app.seals.for_dm(DISCORD_PLACE, dm_to) if dm_to else None
    sent = discord.messages(reply, seal_for)
    payloads = [message.payload() for message in sent]
    problems = [p for payload in payloads for p in discord_violations(payload)]
    for payload in payloads:
        try:
            _check_message(payload)
        except Refused as refused:
            problems.append(f"the fake Discord refuses it: {refused}")
    if any(discord.TOO_BIG in str(payload) for payload in payloads):
        problems.append("Discord would be sent the 'too large' apology instead")
    lost = missing_lines(reply_lines(reply), discord_shown(payloads))
    problems += [f"lost on Discord: {line[:120]!r}" for line in lost]
    custom_ids = [
        discord.split_custom_id(button["custom_id"])
        for payload in payloads
        for row in payload.get("components", [])
        for button in row["components"]
    ]
    if [action for action, _ in custom_ids] != [b.action_id for b in reply.buttons]:
        problems.append(f"Discord buttons {custom_ids} for {reply.buttons}")
    if dm_to and any(seal is None for _, seal in custom_ids):
        problems.append("a DM button lost its sealed place on Discord")
    return problems


def fits_slack(world: World, reply: Reply, *, dm: bool = False) -> list[str]:
    """What goes wrong sending `reply` to Slack (as a DM when `dm`)."""
    seal_for = world.app.seals.for_dm(SLACK_PLACE, SLACK_USER) if dm else None
    messages = slack.messages(reply, seal_for)
    problems = [p for message in messages for p in slack_violations(message)]
    for message in messages:
        refused = _refused_message(message)
        if refused is not None:
            problems.append(f"the fake Slack refuses it: {refused}")
    lost = missing_lines(reply_lines(reply), slack_shown(messages), slack=True)
    problems += [f"lost on Slack: {line[:120]!r}" for line in lost]
    buttons = [
        element
        for message in messages
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    if [b["action_id"] for b in buttons] != [b.action_id for b in reply.buttons]:
        problems.append(f"Slack buttons {buttons} for {reply.buttons}")
    if dm and any(slack.carried_seal(b) is None for b in buttons):
        problems.append("a DM button lost its sealed place on Slack")
    return problems


def fits_both(world: World, what: str, reply: Reply, *, dm_to: str | None = None) -> list[str]:
    problems = fits_discord(world, reply, dm_to=dm_to) + fits_slack(world, reply, dm=bool(dm_to))
    return [f"{what}: {problem}" for problem in problems]


def cut_lists(what: str, reply: Reply, sources: Iterable[str] = ()) -> list[str]:
    """A list the core shortened ends with "and N more ..." (then, at most, a count of
    hidden members and a pointer to the full list). A text the core shortens with "…" (a
    summary, a blocker: one of `sources`) ends at a whole word of it; nothing else ends
    with "…"."""
    problems = []
    whole = [squash(plain_text(source)) for source in sources]
    for text in [reply.body, *(f.value for f in reply.fields)]:
        lines = plain_text(text).split("\n")
        for index, line in enumerate(lines):
            after = [rest for rest in lines[index + 1 :] if rest]
            if re.match(r"and \d+ more\b", line) and not all(
                re.match(r"and \d+ \w+ privately$", rest) or rest == plain_text(EVERY_ANSWER)
                for rest in after
            ):
                problems.append(f"{what}: {line!r} does not end its list")
            if line.endswith("…") and line.strip() != "…" and not _at_a_word(line, whole):
                problems.append(f"{what}: a line ends in a cut word: {line[-60:]!r}")
    return problems


def _at_a_word(line: str, sources: list[str]) -> bool:
    """Whether `line`, shortened with "…", ends where a word of one of `sources` ends."""
    kept = squash(line.removesuffix("…"))[-40:]
    for source in sources:
        at = source.find(kept)
        while at >= 0:
            end = at + len(kept)
            if end == len(source) or not source[end].isalnum():
                return True
            at = source.find(kept, at + 1)
    return False


def replies_ok(world: World, replies: dict[str, Reply]) -> list[str]:
    problems = []
    for what, reply in replies.items():
        if reply.is_error:
            problems.append(f"{what}: answered with an error: {reply.body}")
        problems += fits_both(world, what, reply)
        problems += cut_lists(what, reply, world.shortened)
    return problems


# --- the pack and the table --------------------------------------------------------------------


def test_every_command_has_its_arguments() -> None:
    declared = {command.name for command in build_registry().commands}
    assert sorted(declared - set(ARGUMENTS)) == [], "give each new command its typical arguments"
    assert sorted(set(ARGUMENTS) - declared) == [], "a command in ARGUMENTS no longer exists"


def test_the_stress_pack_passes_content_validate(
    stress_pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cohort_cli(["content", "validate", str(stress_pack)]) == 0
    assert "all good" in capsys.readouterr().out


@on_the_world
async def test_the_world_is_as_big_as_it_says(world: World) -> None:
    """The stress is real: 100 steps at the limits, 64 long names, hundreds of steps
    finished in the week, check-ins with blockers near the limit."""
    track = world.app.catalog.get(TRACK_ID)
    assert track is not None
    assert len(track.steps) == STEPS == 100
    assert [len(phase.steps) for phase in track.phases] == list(PHASE_SIZES)
    assert {len(placed.id) for placed in track.steps} == {27}
    assert {len(placed.step.title) for placed in track.steps} == {70}
    assert sum(len(name) == 100 for name in world.names) >= 20
    failed = [reply.body for reply in world.setup_replies if reply.is_error]
    assert failed == []
    summary = next(p.reply for p in world.posts if p.reply.title == "📊 Weekly summary")
    finished = re.search(r"(\d+) steps finished", summary.body)
    assert finished is not None
    assert int(finished[1]) >= ACTIVE * STEPS_EACH
    checkins = world.extra["/group checkins (the busy week)"]
    assert checkins.body.startswith(f"{CHECKED_IN} check-ins ({len(HIDDEN)} privately)")
    assert len(checkins.fields) == CHECKED_IN - len(HIDDEN)


# --- commands ------------------------------------------------------------------------------


@on_the_world
async def test_every_command_fits_both_platforms(world: World) -> None:
    assert set(world.commands) == set(ARGUMENTS)
    assert replies_ok(world, world.commands) == []


@on_the_world
async def test_every_leaderboard_and_follow_up_fits_both_platforms(world: World) -> None:
    assert replies_ok(world, world.extra) == []


@on_the_world
async def test_a_name_at_the_limit_is_found_typed_in_capitals(world: World) -> None:
    name = world.names[SHARP_S]
    assert len(name) == NAME_LIMIT
    assert "ß" in name
    reply = world.in_capitals
    assert reply is not None
    assert not reply.is_error, reply.body
    assert plain_text(reply.title).startswith(f"📈 {name}'s progress")


@on_the_world
async def test_every_mistake_is_answered_in_a_reply_that_fits(world: World) -> None:
    assert set(world.errors) == set(MISTAKES)
    assert [what for what, reply in world.errors.items() if not reply.is_error] == []
    assert [p for what, reply in world.errors.items() for p in fits_both(world, what, reply)] == []


@on_the_world
async def test_every_roadmap_page_fits_and_its_long_list_says_how_many_more(
    world: World,
) -> None:
    pages = {f"/roadmap phase:{n}": page for n, page in enumerate(world.pages, start=1)}
    assert len(pages) == len(PHASE_SIZES)
    assert replies_ok(world, pages) == []
    assert [p for what, page in pages.items() for p in cut_lists(what, page, world.shortened)] == []
    longest = world.pages[PHASE_SIZES.index(max(PHASE_SIZES))]
    listed = "\n".join(plain_text(f.value) for f in longest.fields)
    more = re.search(r"^and (\d+) more — /step <id> for any step$", listed, re.MULTILINE)
    assert more is not None, "the 36-step phase is listed with how many more"
    shown = [line for line in listed.split("\n") if line[:1] in {"⬜", "✅", "🔶", "⏭"}]
    assert len(shown) + int(more[1]) == max(PHASE_SIZES)


@on_the_world
async def test_the_longest_step_fits_with_every_resource(world: World) -> None:
    reply = world.commands["step"]
    assert fits_both(world, "/step", reply) == []
    track = world.app.catalog.get(TRACK_ID)
    assert track is not None
    step = track.steps[LONGEST_STEP - 1].step
    shown = discord_shown(m.payload() for m in discord.messages(reply))
    assert all(squash(plain_text(resource.title)) in shown for resource in step.resources)
    assert len(discord.messages(reply)) > 1, "the longest step takes more than one message"


@on_the_world
async def test_help_and_help_for_each_command_fit(world: World) -> None:
    assert set(world.helps) >= set(ARGUMENTS)
    assert replies_ok(world, world.helps) == []


# --- scheduled posts ---------------------------------------------------------------------------

KINDS = {
    "📚 Today's resource": "daily",
    "📝 Weekly check-in": "check-in",
    "⏰ Check-in reminder": "reminder",
    "📊 Weekly summary": "summary",
    "🏁 Kaggle challenge of the week": "kaggle",
    "👋 Missing you in the group": "nudge",
    "🍅 Focus session done": "focus",
    "🧠 Review": "review",
    "🆘": "help request",
    "🤝 Can you help?": "help asked of a mentor",
    "🙌 Help is coming": "help offered",
}


def kind_of(post: Posted) -> str:
    return next(kind for title, kind in KINDS.items() if post.reply.title.startswith(title))


@on_the_world
async def test_every_scheduled_post_of_a_fortnight_fits_both_platforms(world: World) -> None:
    kinds = {kind_of(post) for post in world.posts}
    assert kinds == set(KINDS.values())
    assert any("my last nudge" in post.reply.body for post in world.posts)
    problems = []
    for post in world.posts:
        what = f"{kind_of(post)} post at {post.at:%a %d %H:%M}"
        dm_to = world.user_id_of(post.to) if post.to is not None else None
        problems += fits_both(world, what, post.reply, dm_to=dm_to)
        problems += cut_lists(what, post.reply)
    assert problems == []


def whole_names(text: str, names: list[str]) -> bool:
    """Whether `text` is whole names, one after another, separated by ", " (a name may
    itself hold a comma)."""
    longest_first = sorted(set(names), key=len, reverse=True)
    at = 0
    while at < len(text):
        found = next((n for n in longest_first if text.startswith(n, at)), None)
        if found is None:
            return False
        at += len(found)
        if text.startswith(", ", at):
            at += 2
        elif at != len(text):
            return False
    return True


def _field(fields: dict[str, str], heading: str) -> tuple[int, list[str]]:
    """The count in a summary field's heading ("Who studied (58)") and its lines."""
    name = next(name for name in fields if name.startswith(heading))
    counted = re.search(r"\((\d+)", name)
    assert counted is not None, name
    return int(counted[1]), fields[name].split("\n")


def _more(line: str, noun: str) -> int:
    found = re.fullmatch(rf"(?:(.*) )?and (\d+) more {noun}s?(?: \(\d+ privately\))?", line)
    assert found is not None, f"{line!r} does not end with how many more {noun}s"
    return int(found[2])


@on_the_world
async def test_the_busy_weeks_summary_cuts_its_lists_between_names(world: World) -> None:
    """The summary of a week with hundreds of finished steps and 56 check-ins: each list
    shows whole lines and whole names, then how many more (counting hidden members), and
    points to /group checkins for every answer."""
    summary = next(p.reply for p in world.posts if p.reply.title == "📊 Weekly summary")
    fields = {plain_text(f.name): plain_text(f.value) for f in summary.fields}
    names, hidden = world.names, len(HIDDEN)

    total, lines = _field(fields, "Who studied")
    assert total == ACTIVE
    *shown, more, privately = lines
    assert privately == f"and {hidden} members privately"
    assert shown
    assert all(any(line.startswith(f"{n} · ✅") for n in names) for line in shown)
    assert len(shown) + _more(more, "member") + hidden == total

    total, (listed, pointer) = _field(fields, "Checked in")
    # Learners are expected to check in: the quiet ones never studied, so they are not.
    assert f"Checked in ({CHECKED_IN} of {ACTIVE}, {hidden} privately)" in fields
    assert pointer == plain_text(EVERY_ANSWER)
    head = listed.rsplit(" and ", 1)[0]
    assert whole_names(head, names), head
    assert head.count("№") + _more(listed, "member") == total == CHECKED_IN

    total, (missing,) = _field(fields, "Didn't check in")
    assert total == ACTIVE - CHECKED_IN
    assert whole_names(missing, names)

    *told, more, privately, pointer = fields["Blockers"].split("\n")
    assert pointer == plain_text(EVERY_ANSWER)
    assert privately == f"and {hidden} blockers privately"
    assert len(told) + _more(more, "blocker") + hidden == CHECKED_IN
    for line in told:
        who = next((n for n in names if line.startswith(f"{n}: ")), None)
        assert who is not None, line
        text, _, helpers = line.removeprefix(f"{who}: ").partition(" · can help: ")
        shortened = text.split("…")[0]
        assert _at_a_word(shortened, [squash(b) for b in world.blockers]), text
        if helpers:
            assert whole_names(re.sub(r" and \d+ more$", "", helpers), names), helpers

    *attempts, more, privately = fields["Kaggle attempts"].split("\n")
    assert privately == f"and {hidden} attempts privately"
    assert len(attempts) + _more(more, "attempt") + hidden == KAGGLE_ATTEMPTS
    assert all(any(line.startswith(f"{n}: stress-challenge-") for n in names) for line in attempts)


# --- views and forms ---------------------------------------------------------------------------


@on_the_world
async def test_the_app_home_fits_slack(world: World) -> None:
    assert world.home is not None
    assert not world.home.is_error
    view = slack.home_view(world.home)
    assert slack_violations(view) == []
    assert _view_answer(view)["ok"], _view_answer(view)
    # The App Home shows the card as a picture of a shared file, or not at all: its words
    # are those of the text, which is all there.
    text = replace(world.home, image=None)
    assert missing_lines(reply_lines(text), slack_shown([view]), slack=True) == []
    assert world.home.image is not None
    pictured = slack.home_view(world.home, picture="F0000001")
    assert slack_violations(pictured) == []
    assert _view_answer(pictured)["ok"], _view_answer(pictured)
    [image] = [block for block in pictured["blocks"] if block["type"] == "image"]
    assert image["alt_text"] == plain_text(world.home.image.alt_text), "its alt text whole"


@on_the_world
async def test_the_check_in_form_fits_both_platforms(world: World) -> None:
    form = CheckinForm(cast(Any, None), DISCORD_PLACE).to_dict()
    assert len(form["title"]) <= ReceivingAndResponding.MODAL_TITLE
    assert 1 <= len(form["components"]) <= ReceivingAndResponding.MODAL_COMPONENTS
    for label in form["components"]:
        assert len(label["label"]) <= ComponentReference.LABEL_TEXT
        assert len(label.get("description") or "") <= ComponentReference.LABEL_DESCRIPTION
        assert label["component"]["max_length"] <= ComponentReference.TEXT_INPUT_VALUE
    seal = world.app.seals.seal(SLACK_PLACE, SLACK_USER, Purpose.FORM, slack.CHECKIN_VIEW)
    assert seal is not None
    view = slack.checkin_modal(seal)
    assert slack_violations(view) == []
    assert _view_answer(view)["ok"], _view_answer(view)


@on_the_world
async def test_autocomplete_offers_fit_discord(world: World) -> None:
    problems = []
    for command in world.app.registry.commands:
        for option in command.options:
            if option.kind not in {OptionKind.STEP, OptionKind.TRACK, OptionKind.CHOICE}:
                continue
            for typed in ("", "s0", "transformers"):
                offered = await world.app.dispatcher.suggest(
                    command.name, option.name, typed, place=DISCORD_PLACE
                )
                if len(offered) > ReceivingAndResponding.AUTOCOMPLETE_CHOICES:
                    problems.append(f"/{command.name} {option.name}: {len(offered)} choices")
                for choice in offered:
                    if len(choice.label) > ApplicationCommands.CHOICE_NAME:
                        problems.append(f"/{command.name} {option.name}: {choice.label!r}")
                    if len(choice.value) > ApplicationCommands.CHOICE_VALUE:
                        problems.append(f"/{command.name} {option.name}: {choice.value!r}")
    assert problems == []


@on_the_world
async def test_names_are_shown_whole(world: World) -> None:  # a sanity check of the reader
    assert all(plain_text(shown_name(n)) == n for n in world.names)


@on_the_world
async def test_the_checks_notice_what_they_look_for(world: World) -> None:
    """The checks above can fail: a lost message, a dropped button, a list cut early or in
    a word, a name cut in two."""
    reply = world.commands["step"]
    discord_sent = [message.payload() for message in discord.messages(reply)]
    assert missing_lines(reply_lines(reply), discord_shown(discord_sent[:-1]))
    slack_sent = slack.messages(reply)
    assert missing_lines(reply_lines(reply), slack_shown(slack_sent[:-1]), slack=True)
    too_long = Button("Start it", "start", {"step": step_id(1) + "x"})
    assert fits_discord(world, Reply(title="t", buttons=(too_long,)), dm_to=_id_of(1))
    assert cut_lists("cut", Reply(body="Zoë Ångström №01, Smith, J…"))
    assert cut_lists("early", Reply(fields=(Field("x", "and 3 more members\nana"),)))
    assert not whole_names("Zoë Ångström №01, Smith, J", world.names)
    assert whole_names("Zoë Ångström №01, Smith, Jo №02", world.names)
