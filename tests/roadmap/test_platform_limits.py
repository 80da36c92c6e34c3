"""A content pack at the schema's limits fits every platform, and one past them is refused.

The schema (bot/roadmap/schema.py) keeps its own numbers, since bot/ never imports the
adapters; these tests hold them to the adapters' real translation: every kind of button
Cohort builds, carrying the longest ids and the longest place a seal can hold, keeps its
button and its seal on Discord and on Slack, and every reply built from a pack at the
limits, commands and scheduled posts alike, shows its title whole on both platforms.

The platform numbers below are the documented ones (discord-api-docs: components reference,
embed limits, autocomplete, button label and action row; Slack Block Kit: header block,
button element). Review questions are held to them too: a multiple-choice answer is a
button, so a choice fits Slack's 75-character button text and a question has at most as
many choices as a Discord action row holds buttons."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.discord import translate as discord
from adapters.slack import translate as slack
from bot.bootstrap import accountability_engine, build_app
from bot.clock import ManualClock
from bot.messages import Button, Place, Platform, Reply
from bot.roadmap import schema
from bot.roadmap.loader import load_catalog, validate_path
from bot.scheduler.engine import run_through
from bot.seals import PlaceSeals, Purpose
from bot.settings import Settings
from tests.conftest import Cohort
from tests.scheduler.conftest import RecordingPoster

DISCORD_CUSTOM_ID = 100
DISCORD_EMBED_TITLE = 256
DISCORD_CHOICE_NAME = 100
SLACK_ACTION_ID = 255
SLACK_BUTTON_VALUE = 2000
SLACK_HEADER = 150
SLACK_BUTTON_TEXT = 75
DISCORD_BUTTON_LABEL = 80
DISCORD_BUTTONS_PER_ROW = 5

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"
SEALS = PlaceSeals(lambda platform: f"a test key for {platform.value}".encode())
# The largest places a seal carries: Discord's ids are snowflakes, 64-bit integers of at
# most 20 digits; Slack's are letters and digits, and a seal takes up to 32 of them.
DISCORD_PLACE = Place(Platform.DISCORD, "18446744073709551615", "18446744073709551614")
DISCORD_USER = "18446744073709551613"
SLACK_PLACE = Place(Platform.SLACK, "T" + "A" * 31, "C" + "B" * 31)
SLACK_USER = "U" + "C" * 31
# Characters Discord's markdown shows with a backslash, which our markup leaves as text:
# a title made of them is the longest a header can become.
MARKDOWN_HEAVY = "x<|>~[]*"


def longest_id(kind: str, number: int = 1) -> str:
    head = f"{kind}-{number}-"
    return head + "x" * (schema.ID_MAX - len(head))


def longest_title(limit: int, words: str = MARKDOWN_HEAVY) -> str:
    return "".join(itertools.islice(itertools.cycle(words), limit))


# The longest value each button option can carry.
LONGEST_OPTION = {
    "step": longest_id("step"),
    "phase": longest_id("phase"),
    "track": longest_id("track"),
    "minutes": "stop",  # or up to three digits
    "confirm": "yes",
    "card": f"{2**31 - 1}.99999",  # a review card's number and the answers it had
    "choice": "5",
    "request": str(2**31 - 1),
    "form": "text",  # the option a button's form asks for (`Button.form`)
}
# Buttons whose options are built before the call (or spread into it), by command: the
# options they can carry that way.
OPTIONS_BUILT_ELSEWHERE = {"focus": ("minutes",), "roadmap": ("track",)}


def button_kinds() -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(where, command, option names) of every `Button(...)` built under bot/. Only the
    scheduler's posts go out by DM, where buttons carry a sealed place: command replies
    answer in the channel they were asked in, and the scheduler never imports the commands
    (tests/test_architecture.py), so `where` says whether a button may carry a seal."""
    for path in sorted(BOT_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Button"):
                continue
            where = f"{path.relative_to(BOT_DIR.parent)}:{node.lineno}"
            given = dict(enumerate(node.args)) | {k.arg: k.value for k in node.keywords}
            command = given.get(1, given.get("command"))
            options = given.get(2, given.get("options"))
            assert isinstance(command, ast.Constant), f"{where}: name the command literally"
            if options is None:
                names: tuple[str, ...] = ()
            elif isinstance(options, ast.Dict) and None not in options.keys:
                names = tuple(ast.literal_eval(key) for key in options.keys if key is not None)
            else:
                assert command.value in OPTIONS_BUILT_ELSEWHERE, (
                    f"{where}: say which options a {command.value!r} button can carry"
                )
                names = OPTIONS_BUILT_ELSEWHERE[command.value]
                if isinstance(options, ast.Dict):
                    names += tuple(ast.literal_eval(k) for k in options.keys if k is not None)
            if "form" in given:  # the form's option rides in the action id too
                names += ("form",)
            yield where, str(command.value), names


def longest_button(command: str, names: tuple[str, ...], where: str) -> Button:
    unknown = [name for name in names if name not in LONGEST_OPTION]
    assert not unknown, f"{where}: give the longest value of {unknown} in LONGEST_OPTION"
    return Button("A label", command, {name: LONGEST_OPTION[name] for name in names})


def discord_custom_ids(reply: Reply, *, sealed: bool = True) -> list[str]:
    seal_for = SEALS.for_dm(DISCORD_PLACE, DISCORD_USER) if sealed else None
    return [value for row in discord.button_rows(reply, seal_for) for _, value, _ in row]


def slack_buttons(reply: Reply, *, sealed: bool = True) -> list[dict[str, Any]]:
    blocks = slack.blocks(reply, SEALS.for_dm(SLACK_PLACE, SLACK_USER) if sealed else None)
    return [e for block in blocks if block["type"] == "actions" for e in block["elements"]]


def assert_buttons_fit(reply: Reply, *, sealed: bool = True) -> list[str]:
    """Every button of `reply` keeps its action on each platform, and when `sealed` (sent by
    DM) a seal that opens to its group; returns the Discord custom ids."""
    actions = [button.action_id for button in reply.buttons]
    custom_ids = discord_custom_ids(reply, sealed=sealed)
    assert [discord.split_custom_id(value)[0] for value in custom_ids] == actions
    for value, action in zip(custom_ids, actions, strict=True):
        assert len(value) <= DISCORD_CUSTOM_ID
        seal = discord.split_custom_id(value)[1]
        assert (seal is not None) is sealed
        if seal is not None:
            opened = SEALS.open(seal, Platform.DISCORD, DISCORD_USER, Purpose.DM_BUTTON, action)
            assert opened == DISCORD_PLACE
    elements = slack_buttons(reply, sealed=sealed)
    assert [element["action_id"] for element in elements] == actions
    for element, action in zip(elements, actions, strict=True):
        assert len(element["action_id"]) <= SLACK_ACTION_ID
        assert len(element["value"]) <= SLACK_BUTTON_VALUE
        seal = slack.carried_seal(element)
        assert (seal is not None) is sealed
        if seal is not None:
            opened = SEALS.open(seal, Platform.SLACK, SLACK_USER, Purpose.DM_BUTTON, action)
            assert opened == SLACK_PLACE
    return custom_ids


def assert_title_shown_whole(reply: Reply) -> None:
    if not reply.title:
        return
    [header, *_] = slack.blocks(reply)
    assert header["type"] == "header"
    assert header["text"]["text"] == slack.plain(reply.title), "Slack cut the title"
    assert len(header["text"]["text"]) <= SLACK_HEADER
    title = discord.embed(reply).title
    assert title == discord.markdown(reply.title), "Discord cut the title"
    assert len(title) <= DISCORD_EMBED_TITLE


# Buttons ---------------------------------------------------------------------------------


def test_the_scan_finds_the_buttons_that_carry_ids() -> None:
    found = {(command, names) for _, command, names in button_kinds()}
    assert ("start", ("step",)) in found
    assert ("done", ("step",)) in found


@pytest.mark.parametrize(("where", "command", "names"), list(button_kinds()))
def test_every_kind_of_button_fits_at_the_longest_ids(
    where: str, command: str, names: tuple[str, ...]
) -> None:
    """With the longest ids and, for the scheduler's buttons, the longest sealed place."""
    button = longest_button(command, names, where)
    sealed = not where.startswith("bot/commands/")
    assert_buttons_fit(Reply(title="t", buttons=(button,)), sealed=sealed)


def test_the_id_limit_is_the_tight_one() -> None:
    """At the limit a DM's Start button, sealed in full, takes all of Discord's 100
    characters; one more character in the id and it could not be sent as it is."""
    longest = Button("Start it", "start", {"step": longest_id("step")})
    [custom_id] = assert_buttons_fit(Reply(title="t", buttons=(longest,)))
    assert len(custom_id) == DISCORD_CUSTOM_ID
    assert len(longest.action_id) == len(schema.LONGEST_BUTTON_WITH_AN_ID) + schema.ID_MAX

    over = Button("Start it", "start", {"step": longest_id("step") + "x"})
    seal = SEALS.seal(DISCORD_PLACE, DISCORD_USER, Purpose.DM_BUTTON, over.action_id)
    assert len(f"{over.action_id}{discord.PLACE_MARK}{seal}") == DISCORD_CUSTOM_ID + 1
    sent = discord_custom_ids(Reply(title="t", buttons=(over,)))
    assert all(len(value) <= DISCORD_CUSTOM_ID for value in sent)


# Validation -------------------------------------------------------------------------------


def pack(*, step_id_extra: str = "", title_extra: str = "") -> dict[str, Any]:
    """A track with every id and title at its limit (plus the extras, to go past them)."""
    return {
        "id": longest_id("track"),
        "title": longest_title(schema.TRACK_TITLE_MAX) + title_extra,
        "summary": "A track at the limits.",
        "phases": [
            {
                "id": longest_id("phase", p),
                "title": longest_title(schema.PHASE_TITLE_MAX, f"P{p}<|>~[]*") + title_extra,
                "summary": "A phase.",
                "steps": [
                    {
                        "id": longest_id("step", 10 * p + s) + step_id_extra,
                        "title": longest_title(schema.STEP_TITLE_MAX) + title_extra,
                        "summary": "A step.",
                        "why": "Because.",
                        "hours": 3,
                        "skills": ["patience"],
                        "resources": [
                            {
                                "type": "article",
                                "title": "Transformers",
                                "url": "https://en.wikipedia.org/wiki/"
                                f"Transformer_(deep_learning_architecture)?step={p}.{s}",
                                "checked": "2026-11",
                            }
                        ],
                        "projects": [{"title": "Build one", "description": "A small one."}],
                        "review": [longest_question(n) for n in range(schema.REVIEW_MAX)],
                    }
                    for s in (1, 2)
                ],
            }
            for p in (1, 2)
        ],
    }


def longest_question(number: int) -> dict[str, Any]:
    """A multiple-choice review question with every text at its limit."""
    choices = [
        longest_title(schema.REVIEW_ANSWER_MAX, f"{number}{c}<|>~[]*&")
        for c in "abcde"[: schema.REVIEW_CHOICES_MAX]
    ]
    return {
        "id": longest_id(f"q{number}"),
        "kind": "choice",
        "prompt": longest_title(schema.REVIEW_PROMPT_MAX),
        "choices": choices,
        "answer": choices[-1],
        "explanation": longest_title(schema.REVIEW_EXPLANATION_MAX),
    }


def write_pack(folder: Path, track: dict[str, Any]) -> Path:
    (folder / "tracks").mkdir(parents=True)
    (folder / "tracks" / "limits.yaml").write_text(yaml.safe_dump(track), encoding="utf-8")
    return folder


def test_a_pack_at_every_limit_is_valid(tmp_path: Path) -> None:
    assert validate_path(write_pack(tmp_path, pack())) == []


def test_one_past_each_limit_names_the_step_and_the_limit(tmp_path: Path) -> None:
    track = pack(step_id_extra="y", title_extra="!")
    step = track["phases"][0]["steps"][0]["id"]
    problems = validate_path(write_pack(tmp_path, track))
    found = {problem.location: problem.message for problem in problems}

    assert found["phases[0].steps[0].id"] == (
        f"step id {step!r} is 28 characters long; an id may have at most 27, so that every "
        "button carrying it fits in Discord's 100-character custom id"
    )
    assert found["phases[1].steps[1].title"] == (
        "the title of this step is 71 characters long; a step title may have at most 70, "
        "so that it fits in the headers that show it (Slack's hold 150 characters, "
        "Discord's 256)"
    )  # "this step": its id is no id to name it by
    assert found["phases[0].title"].startswith(
        f"the title of phase {track['phases'][0]['id']!r} is 61 characters long; "
        "a phase title may have at most 60"
    )
    assert found["title"].startswith(
        f"the title of track {track['id']!r} is 61 characters long; a track title may have "
        "at most 60"
    )
    assert all(problem.line for problem in problems)


def test_one_past_each_review_limit_is_refused(tmp_path: Path) -> None:
    track = pack()
    [first, second, third, *_] = track["phases"][0]["steps"][0]["review"]
    first["prompt"] += "x"
    second["choices"][0] += "x"
    third["explanation"] += "x"
    track["phases"][0]["steps"][1]["review"].append(longest_question(9))
    found = {p.location: p.message for p in validate_path(write_pack(tmp_path, track))}
    assert found == {
        "phases[0].steps[0].review[0].prompt": "a prompt is 301 characters long; it may "
        "have at most 300",
        "phases[0].steps[0].review[1].choices[0]": "a choice or answer (a button's text) is "
        "76 characters long; it may have at most 75",
        "phases[0].steps[0].review[2].explanation": "an explanation is 301 characters long; "
        "it may have at most 300",
        "phases[0].steps[1].review": "List should have at most 5 items after validation, not 6",
    }


def test_review_choices_at_the_limit_are_whole_buttons_on_both_platforms() -> None:
    """A choice at the limit, made of the characters each platform escapes, and every
    choice of the shipped pack, as the label of a button: shown whole on Slack (plain
    text) and on Discord."""
    shipped = load_catalog().default
    labels = [c for p in shipped.steps for q in p.step.review for c in q.choices]
    labels += longest_question(1)["choices"]
    for label in labels:
        reply = Reply(title="t", buttons=(Button(label, "help", {}),))
        [element] = slack_buttons(reply, sealed=False)
        assert element["text"]["text"] == label
        [[(shown, _, _)]] = discord.button_rows(reply, None)
        assert shown == label
    assert max(map(len, labels)) == schema.REVIEW_ANSWER_MAX <= SLACK_BUTTON_TEXT
    assert SLACK_BUTTON_TEXT <= DISCORD_BUTTON_LABEL
    assert schema.REVIEW_CHOICES_MAX == DISCORD_BUTTONS_PER_ROW


def test_a_long_title_names_its_step(tmp_path: Path) -> None:
    track = pack()
    track["phases"][0]["steps"][1]["title"] = "A" * 71
    [problem] = validate_path(write_pack(tmp_path, track))
    step = track["phases"][0]["steps"][1]["id"]
    assert problem.location == "phases[0].steps[1].title"
    assert problem.message.startswith(f"the title of step {step!r} is 71 characters long")
    assert "at most 70" in problem.message


# Every reply from a pack at the limits ---------------------------------------------------

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)


async def test_every_reply_from_a_pack_at_the_limits_fits_both_platforms(
    tmp_path: Path, database_url: str, clock: ManualClock
) -> None:
    track = pack()
    folder = write_pack(tmp_path / "content", track)
    first, second = (step["id"] for step in track["phases"][0]["steps"])
    clock.set(WED_0700)
    app = await build_app(Settings(database_url=database_url, content_dir=folder), clock=clock)
    try:
        cohort = Cohort(app, admins={"admin"})
        poster = RecordingPoster(clock)
        engine = accountability_engine(app, poster, instance="test")
        await cohort(f"/group setup {track['id']} UTC", as_="admin")
        replies = [
            await cohort(line)
            for line in (
                "/roadmap",
                f"/roadmap {track['id']}",
                f"/step {first}",
                "/next",
                f"/start {first}",
                "/next",
                f"/focus 180 {second}",
                "/progress",
                f"/done {first}",
            )
        ]
        suggested = [
            *await app.dispatcher.suggest("step", "step", "", place=cohort.place),
            *await app.dispatcher.suggest("roadmap", "track", "", place=cohort.place),
        ]
        await run_through(engine, clock, WED_0700 + timedelta(days=8))
    finally:
        await app.close()

    posted = [post.reply for post in poster.sent]
    shown = [(reply, False) for reply in replies]  # answers in the channel: no seal
    shown += [(post.reply, post.to is not None) for post in poster.sent]  # DMs are sealed
    assert {"🍅 Focus session done", "👋 Missing you in the group"} <= {r.title for r in posted}
    assert any(r.title.startswith("📚 Today's resource · P1<|>") for r in posted)
    for reply, sealed in shown:
        assert not reply.is_error, reply.body
        assert_title_shown_whole(reply)
        assert_buttons_fit(reply, sealed=sealed)
    assert sum(len(reply.buttons) for reply in [*replies, *posted]) >= 6
    assert suggested
    for suggestion in suggested:
        assert len(suggestion.label) <= DISCORD_CHOICE_NAME
        assert suggestion.label.endswith(suggestion.value), "the id was cut from the name"
