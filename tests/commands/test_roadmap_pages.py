"""/roadmap shows one phase at a time: the caller's own by default, others by number or
name or with the buttons to the phases either side. Every page fits one Discord embed and
Slack's sections whatever the content pack, even with 40 long-titled steps in a phase."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.discord import translate as discord
from adapters.slack import translate as slack
from bot.bootstrap import App, build_app
from bot.clock import ManualClock
from bot.messages import Actor, Place, Platform, Reply
from bot.settings import Settings
from tests.conftest import Cohort

# Discord's embed limits (discord-api-docs, resources/message, "Embed Limits"), its button
# limits (components/reference) and Slack's Block Kit limits (header and section blocks,
# button element).
DISCORD_DESCRIPTION = 4096
DISCORD_FIELDS = 25
DISCORD_FIELD_NAME = 256
DISCORD_FIELD_VALUE = 1024
DISCORD_TITLE = 256
DISCORD_EMBED_TOTAL = 6000
DISCORD_CUSTOM_ID = 100
DISCORD_BUTTON_LABEL = 80
SLACK_HEADER = 150
SLACK_SECTION = 3000
SLACK_BUTTON_TEXT = 75

SHIPPED_PHASES = (
    "Foundations",
    "Core machine learning",
    "Deep learning",
    "Production and MLOps",
    "AI engineering with LLMs",
    "Specialisation",
    "Portfolio and career",
)


def labels(reply: Reply) -> list[str]:
    return [button.label for button in reply.buttons]


def assert_fits_one_embed_and_slack(reply: Reply) -> None:
    """`reply` as the platforms would render it, checked against their documented limits
    before any adapter had to split or shorten it."""
    assert not reply.is_error, reply.body
    title = discord.markdown(reply.title)
    body = discord.markdown(reply.body)
    bars = "\n".join(discord.bar_line(bar) for bar in reply.progress)
    description = f"{body}\n\n{bars}" if bars else body
    assert len(title) <= DISCORD_TITLE
    assert len(description) <= DISCORD_DESCRIPTION
    assert len(reply.fields) <= DISCORD_FIELDS
    total = len(title) + len(description)
    for field in reply.fields:
        name, value = discord.markdown(field.name), discord.markdown(field.value)
        assert 0 < len(name.strip()) <= DISCORD_FIELD_NAME
        assert 0 < len(value.strip()) <= DISCORD_FIELD_VALUE, field.name
        total += len(name) + len(value)
    assert total <= DISCORD_EMBED_TOTAL
    ids = [button.action_id for button in reply.buttons]
    assert len(set(ids)) == len(ids), "custom ids are unique within a message"
    for button in reply.buttons:
        assert len(button.action_id) <= DISCORD_CUSTOM_ID
        assert len(button.label) <= min(DISCORD_BUTTON_LABEL, SLACK_BUTTON_TEXT)

    assert len(slack.plain(reply.title)) <= SLACK_HEADER
    assert len(slack.mrkdwn(reply.body)) <= SLACK_SECTION
    assert len("\n".join(slack.bar_line(bar) for bar in reply.progress)) <= SLACK_SECTION
    for field in reply.fields:
        assert len(f"*{slack.mrkdwn(field.name)}*\n{slack.mrkdwn(field.value)}") <= SLACK_SECTION


# The shipped roadmap -----------------------------------------------------------------------


async def test_the_default_page_is_the_phase_of_the_callers_next_step(cohort: Cohort) -> None:
    first = await cohort("/roadmap")
    assert "**Phase 1 of 7 · Foundations**" in first.body
    assert first.fields[0].name == "1. Foundations · 0/7"

    for placed in cohort.app.catalog.default.phase_steps("foundations"):
        await cohort(f"/done {placed.id}")
    await cohort("/skip supervised-learning")
    second = await cohort("/roadmap")

    assert "**Phase 2 of 7 · Core machine learning**" in second.body
    assert second.fields[0].name == "2. Core machine learning · 0/9"
    assert "⏭️ `supervised-learning`" in second.fields[0].value
    assert "You've done **7 of 40** steps" in second.body
    # Someone else is still on the first phase.
    assert "**Phase 1 of 7" in (await cohort("/roadmap", as_="ben")).body


async def test_a_member_with_nothing_left_sees_the_last_phase(cohort: Cohort) -> None:
    for placed in cohort.app.catalog.default.steps:
        await cohort(f"/skip {placed.id}")
    reply = await cohort("/roadmap")
    assert "**Phase 7 of 7 · Portfolio and career**" in reply.body


async def test_buttons_move_to_the_phases_either_side(cohort: Cohort) -> None:
    first = await cohort("/roadmap")
    second = await cohort.press(first, "Core machine learning ▶")
    third = await cohort.press(second, "Deep learning ▶")
    back = await cohort.press(third, "◀ Core machine learning")

    assert "**Phase 2 of 7 · Core machine learning**" in second.body
    assert labels(second) == ["◀ Foundations", "Deep learning ▶", "What should I do next?"]
    assert "**Phase 3 of 7 · Deep learning**" in third.body
    assert third.fields[0].name.startswith("3. Deep learning")
    assert back.body == second.body
    # A button comes back as `/roadmap phase:<n>`.
    assert [b.action_id for b in second.buttons[:2]] == [
        "cohort:roadmap?phase=1",
        "cohort:roadmap?phase=3",
    ]


async def test_the_first_and_last_pages_lead_one_way_only(cohort: Cohort) -> None:
    first = await cohort("/roadmap phase:1")
    last = await cohort("/roadmap phase:7")

    assert labels(first) == ["Core machine learning ▶", "What should I do next?"]
    assert labels(last) == ["◀ Specialisation", "What should I do next?"]
    assert "**Phase 7 of 7 · Portfolio and career**" in last.body


async def test_the_first_page_introduces_the_track_and_others_stay_short(cohort: Cohort) -> None:
    first = await cohort("/roadmap phase:1")
    fourth = await cohort("/roadmap phase:4")

    assert {"How long it takes", "Where it leads"} <= {f.name for f in first.fields}
    assert first.body.startswith("From first lines of Python")
    assert [f.name for f in fourth.fields] == ["4. Production and MLOps · 0/7"]
    assert not fourth.body.startswith("From first lines of Python")
    # Every page keeps a bar for every phase: where you are in the whole roadmap.
    assert [bar.label for bar in fourth.progress] == [
        f"{n}. {title}" for n, title in enumerate(SHIPPED_PHASES, start=1)
    ]
    for page in range(1, 8):
        assert_fits_one_embed_and_slack(await cohort(f"/roadmap phase:{page}"))


@pytest.mark.parametrize(
    "line",
    [
        "/roadmap phase:3",
        "/roadmap phase: deep learning",
        "/roadmap phase:DEEP LEARNING",
        "/roadmap phase:deep",  # the start of one phase's name
        "/roadmap phase:deep-learning",  # its id
        "/roadmap phase:ＤＥＥＰ",  # fullwidth letters
        "/roadmap ml-engineer 3",
        "/roadmap ml-engineer deep learning",
        "/roadmap 3",  # no track is called 3: the caller's own track's phase 3
        "/roadmap deep learning",
    ],
)
async def test_a_phase_is_named_by_number_or_name(cohort: Cohort, line: str) -> None:
    reply = await cohort(line)
    assert not reply.is_error, reply.body
    assert "**Phase 3 of 7 · Deep learning**" in reply.body


async def test_a_platform_may_send_the_phase_as_a_number(cohort: Cohort) -> None:
    reply = await cohort.invoke("roadmap", {"phase": 6})
    assert "**Phase 6 of 7 · Specialisation**" in reply.body
    assert "⬜ `reinforcement-learning` Reinforcement learning · _optional_" in (
        reply.fields[0].value
    )


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("0", "`0`"),
        ("8", "`8`"),
        ("-1", "`-1`"),
        ("99999999999", "`99999999999`"),
        ("²", "`²`"),  # a superscript two is not a number here
        ("٣", "`٣`"),  # nor another script's digit
        ("1.5", "`1.5`"),
        ("learning", "`learning`"),  # the start of no name, the end of several
        ("xyz", "`xyz`"),
    ],
)
async def test_a_phase_that_does_not_exist_gets_the_choices(
    cohort: Cohort, typed: str, shown: str
) -> None:
    reply = await cohort(f"/roadmap phase:{typed}")
    assert reply.is_error
    assert f"Machine Learning Engineer has no phase {shown}." in reply.body
    assert (
        "Give its number, 1 to 7, or its name: Foundations, Core machine learning, Deep "
        "learning, Production and MLOps, AI engineering with LLMs, Specialisation, Portfolio "
        "and career." in reply.body
    )


async def test_a_misspelt_phase_gets_a_suggestion(cohort: Cohort) -> None:
    reply = await cohort("/roadmap phase:specialsation")
    assert reply.is_error
    assert "Did you mean Specialisation (6)?" in reply.body


async def test_an_unknown_track_is_still_an_unknown_track(cohort: Cohort) -> None:
    reply = await cohort("/roadmap ml-enginer")
    assert "No track called `ml-enginer`. Did you mean `ml-engineer`?" in reply.body
    discord_style = await cohort.invoke("roadmap", {"track": "nope", "phase": "2"})
    assert "No track called `nope`" in discord_style.body


# A generated pack at the sizes the content schema allows --------------------------------

ID_LENGTH = 27  # the longest ids and titles a pack may have (bot.roadmap.schema)
STEP_TITLE_LENGTH = 70
PHASE_TITLE_LENGTH = 60


def _words(prefix: str, length: int) -> str:
    """`prefix` then words, to exactly `length` characters."""
    text = prefix
    while len(text) < length:
        text += " ünïcödé_wörd*"
    return text[:length].rstrip() + "x" * (length - len(text[:length].rstrip()))


def _step(phase: int, number: int) -> dict[str, Any]:
    step_id = f"p{phase}-s{number}-".ljust(ID_LENGTH, "x")
    return {
        "id": step_id,
        "title": _words(f"Step {number} of phase {phase}:", STEP_TITLE_LENGTH),
        "summary": _words("What it covers.", 600),
        "why": "It matters.",
        "hours": 5,
        "skills": ["a skill"],
        "resources": [{"type": "docs", "title": "Docs", "url": "https://example.org/docs"}],
        "optional": number % 7 == 0,
    }


def _pack(track_id: str, sizes: list[int]) -> dict[str, Any]:
    phases = [
        {
            "id": f"{track_id}-phase-{p}",
            "title": _words(f"Phase {p} of a long roadmap", PHASE_TITLE_LENGTH),
            "summary": _words("A phase whose summary goes on.", 2000),
            "steps": [_step(p, n) for n in range(1, size + 1)],
        }
        for p, size in enumerate(sizes, start=1)
    ]
    return {
        "id": track_id,
        "title": _words("A very long community roadmap", 60),
        "summary": _words("Summary <of> the & whole track.", 3000),
        "timelines": [
            {
                "id": f"t{n}",
                "title": _words(f"Plan {n}", 60),
                "hours_per_week": "10",
                "duration": _words("about", 200),
            }
            for n in range(30)
        ],
        "career_stages": [{"title": _words(f"Stage {n}", 60), "focus": "x"} for n in range(30)],
        "phases": phases,
    }


LONG_PHASES = [40, 40, 15, 5]  # 100 steps, two phases of 40
MANY_PHASES = [2] * 50  # 100 steps in 50 phases


@pytest.fixture
async def pack_app(tmp_path: Path, database_url: str, clock: ManualClock) -> AsyncIterator[App]:
    tracks = tmp_path / "packs" / "tracks"
    tracks.mkdir(parents=True)
    for name, sizes in (("a-long", LONG_PHASES), ("b-many", MANY_PHASES)):
        text = yaml.safe_dump(_pack(name, sizes), allow_unicode=True, sort_keys=False)
        (tracks / f"{name}.yaml").write_text(text, encoding="utf-8")
    app = await build_app(
        Settings(database_url=database_url, content_dir=tmp_path / "packs"), clock=clock
    )
    yield app
    await app.close()


ANA = Actor("u-ana", "ana")
HERE = Place(Platform.DISCORD, "guild-1", "general")


async def _run(app: App, line: str) -> Reply:
    return await app.dispatcher.run_line(line, actor=ANA, place=HERE)


async def test_the_generated_packs_load_with_a_hundred_steps_each(pack_app: App) -> None:
    assert [len(track.steps) for track in pack_app.catalog.tracks] == [100, 100]


async def test_every_page_of_a_hundred_step_pack_fits_one_embed(pack_app: App) -> None:
    track = pack_app.catalog.get("a-long")
    assert track is not None
    # Some progress, so that marks and counts are not all the same.
    for placed in track.steps[:45:3]:
        assert not (await _run(pack_app, f"/done {placed.id}")).is_error
    for number, size in enumerate(LONG_PHASES, start=1):
        reply = await _run(pack_app, f"/roadmap phase:{number}")
        assert_fits_one_embed_and_slack(reply)
        assert f"**Phase {number} of 4 · Phase {number} of a long roadmap" in reply.body
        listed = "\n".join(f.value for f in reply.fields if f.name.startswith(f"{number}. "))
        shown = listed.count("\n") + 1
        if size == 40:
            # Too long for ids and titles: titles alone, then how many more, never a cut one.
            left = size - (shown - 1)
            assert listed.endswith(f"and {left} more — `/step <id>` for any step")
            assert f"`{track.phases[number - 1].steps[0].id}`" not in listed
            assert track.phases[number - 1].steps[0].title in listed
            assert shown - 1 >= 20, "a long phase still lists most of its steps"
        else:
            assert shown == size
            assert "more — `/step <id>`" not in listed
            assert f"`{track.phases[number - 1].steps[-1].id}`" in listed


async def test_the_pages_of_a_hundred_step_pack_are_walked_by_their_buttons(
    pack_app: App,
) -> None:
    reply = await _run(pack_app, "/roadmap a-long phase:1")
    seen = [reply]
    while any(label.endswith("▶") for label in labels(reply)):
        button = next(b for b in reply.buttons if b.label.endswith("▶"))
        reply = await pack_app.dispatcher.press(button.action_id, actor=ANA, place=HERE)
        seen.append(reply)
    assert [f"**Phase {n} of 4 ·" in page.body for n, page in enumerate(seen, 1)] == [True] * 4
    assert not any(label.startswith("◀") for label in labels(seen[0]))
    # The first track is the caller's own: its buttons need not name it.
    assert all("track=" not in b.action_id for page in seen for b in page.buttons)


async def test_fifty_phases_get_bars_around_the_shown_one_and_buttons_keep_the_track(
    pack_app: App,
) -> None:
    reply = await _run(pack_app, "/roadmap b-many 25")
    assert_fits_one_embed_and_slack(reply)
    assert "**Phase 25 of 50 · Phase 25 of a long roadmap" in reply.body
    bars = [bar.label.split(".")[0] for bar in reply.progress]
    assert "25" in bars
    assert len(bars) < 50, "only the phases around the shown one"
    assert bars == [str(n) for n in range(int(bars[0]), int(bars[-1]) + 1)], "in a row"

    # b-many is not the caller's own track, so the buttons carry it.
    later = await pack_app.dispatcher.press(reply.buttons[1].action_id, actor=ANA, place=HERE)
    assert "**Phase 26 of 50" in later.body
    assert later.title == reply.title
    for number in (1, 2, 49, 50):
        assert_fits_one_embed_and_slack(await _run(pack_app, f"/roadmap b-many {number}"))


async def test_a_bad_phase_of_a_fifty_phase_track_lists_the_names_in_a_short_answer(
    pack_app: App,
) -> None:
    reply = await _run(pack_app, "/roadmap b-many phase:51")
    assert reply.is_error
    assert "has no phase `51`. Give its number, 1 to 50, or its name: Phase 1 of" in reply.body
    assert reply.body.endswith("more phases.")
    assert len(reply.body) < 1000
