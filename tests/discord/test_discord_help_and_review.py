"""Help threads and one-field forms on Discord, end to end with the real discord.py against
the fake: a scheduled post that names a thread opens exactly one (a retry finds it there, a
channel without permission keeps the post without it), and a button with a form opens a
modal whose answer runs the button's command."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest

from adapters.discord import translate as discord_translate
from adapters.discord.app import DiscordPoster
from adapters.discord.limits import (
    ComponentReference,
    OpcodesAndStatusCodes,
    ReceivingAndResponding,
    StartThreadFromMessage,
)
from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock
from bot.messages import Actor, Button, Place, Platform, Reply
from bot.ports import Sending
from bot.scheduler.engine import AccountabilityEngine, run_through
from tests.discord.conftest import DiscordRig, custom_ids, is_ephemeral, text_of
from tests.discord.fake_discord import (
    ADMIN,
    ANA,
    BEN,
    CHANNEL,
    GUILD,
    Refused,
    _check_modal,
    button,
    in_dm,
    in_guild,
    modal_submit,
    user,
)
from tests.support import row_counts

GROUP = Place(Platform.DISCORD, GUILD, CHANNEL)
ANA_DM = f"6{ANA['id'][1:]}"  # the DM channel the fake opens with Ana
QUESTION = Reply(title="Ana is stuck on Python fundamentals", body="How do I read a CSV file?")
HELP = Reply(QUESTION.title, QUESTION.body, thread="Help: Python fundamentals")
NOTE_BUTTON = Button("Add a note", "done", {"step": "python-basics"}, form="note")
NOTE_LABEL = "What you built or learned (optional)"  # /done's `note`, as declared


def impatient(rig: DiscordRig, app: App, *, timeout: float = 0.3) -> DiscordPoster:
    """A poster that gives up on an answer quickly and leaves retrying to the engine."""
    return DiscordPoster(rig.adapter.client, app.seals, retry_delays=(), timeout=timeout)


# --- a post that opens a thread -----------------------------------------------------------


async def test_a_post_with_a_thread_opens_one_on_its_message(rig: DiscordRig, app: App) -> None:
    await impatient(rig, app).post(GROUP, HELP, Sending("help:1"))

    [posted] = rig.fake.messages_in(CHANNEL)
    assert "How do I read a CSV file?" in text_of(posted)
    [thread] = rig.fake.threads_on(CHANNEL)
    assert thread["name"] == "Help: Python fundamentals"
    assert thread["id"] == posted["id"], "a thread started from a message has its id"
    assert thread["thread_metadata"]["auto_archive_duration"] in (
        StartThreadFromMessage.AUTO_ARCHIVE_DURATIONS
    )
    # The thread is a channel: answers can be posted in it.
    await impatient(rig, app).post(Place(Platform.DISCORD, GUILD, thread["id"]), Reply(body="Hi!"))
    assert [text_of(m) for m in rig.fake.messages_in(thread["id"])] == ["Hi!"]


async def test_a_post_without_a_thread_opens_none(rig: DiscordRig, app: App) -> None:
    await impatient(rig, app).post(GROUP, QUESTION, Sending("help:1"))
    assert len(rig.fake.messages_in(CHANNEL)) == 1
    assert rig.fake.threads == {}


async def test_a_long_thread_name_is_shortened_to_what_discord_takes(
    rig: DiscordRig, app: App
) -> None:
    long = Reply(body="Stuck.", thread="Help: " + "Deploying models to production " * 5)
    await impatient(rig, app).post(GROUP, long)
    [thread] = rig.fake.threads_on(CHANNEL)
    assert len(thread["name"]) <= StartThreadFromMessage.NAME
    assert thread["name"].startswith("Help: Deploying models")
    assert thread["name"].endswith("…")


async def test_a_post_retried_after_its_answer_was_lost_has_one_message_and_one_thread(
    rig: DiscordRig, app: App
) -> None:
    poster = impatient(rig, app)
    first = Sending("help:1")
    rig.fake.take_then_hang(CHANNEL)  # Discord takes the message; its answer is lost
    with pytest.raises(TimeoutError):
        await poster.post(GROUP, HELP, first)
    assert rig.fake.threads == {}, "no message came back to start a thread from"

    await poster.post(GROUP, HELP, Sending(first.key, attempt=2))

    assert len(rig.fake.messages_in(CHANNEL)) == 1
    assert len(rig.fake.threads_on(CHANNEL)) == 1


async def test_a_thread_whose_answer_was_lost_is_found_there_on_the_retry(
    rig: DiscordRig, app: App
) -> None:
    poster = DiscordPoster(rig.adapter.client, app.seals, retry_delays=(0.01,), timeout=0.3)
    rig.fake.take_then_hang(CHANNEL, thread=True)  # the thread is made; its answer is lost
    await poster.post(GROUP, HELP, Sending("help:1"))  # the retry finds it there: done

    assert len(rig.fake.messages_in(CHANNEL)) == 1
    assert len(rig.fake.threads_on(CHANNEL)) == 1
    starts = rig.fake.called("POST", f"/channels/{CHANNEL}/messages/")
    assert len(starts) == 2, "asked twice; Discord answered the second with 160004"


async def test_a_thread_that_never_answers_leaves_the_post_standing_once(
    rig: DiscordRig, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    """Posting again later could outlast Discord's memory of the nonce and post twice."""
    poster = impatient(rig, app)
    rig.fake.take_then_hang(CHANNEL, thread=True)
    with caplog.at_level(logging.WARNING, logger="adapters.discord.app"):
        await poster.post(GROUP, HELP, Sending("help:1"))
    assert len(rig.fake.messages_in(CHANNEL)) == 1
    assert "the post stands without it" in caplog.text


async def test_a_thread_that_fails_for_a_while_is_retried_like_any_send(
    rig: DiscordRig, app: App
) -> None:
    poster = DiscordPoster(rig.adapter.client, app.seals, retry_delays=(0.01, 0.01))
    rig.fake.failures["thread"] = [503, 503]
    await poster.post(GROUP, HELP, Sending("help:1"))
    assert len(rig.fake.messages_in(CHANNEL)) == 1
    assert len(rig.fake.threads_on(CHANNEL)) == 1


async def test_a_channel_where_the_bot_may_not_open_threads_keeps_the_post(
    rig: DiscordRig, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    rig.fake.threads_refused.add(CHANNEL)
    with caplog.at_level(logging.WARNING, logger="adapters.discord.app"):
        await impatient(rig, app).post(GROUP, HELP, Sending("help:1"))
    [posted] = rig.fake.messages_in(CHANNEL)
    assert "How do I read a CSV file?" in text_of(posted)
    assert rig.fake.threads == {}
    assert "could not open a thread" in caplog.text


async def test_a_dm_never_asks_for_a_thread(rig: DiscordRig, app: App) -> None:
    await impatient(rig, app).dm(GROUP, Actor(ANA["id"], "Ana"), HELP, Sending("help-dm:1"))
    assert len(rig.fake.messages_in(ANA_DM)) == 1
    assert rig.fake.called("POST", f"/channels/{ANA_DM}/messages/") == []


# --- the fake starts threads as Discord documents ------------------------------------------


async def test_the_fake_starts_threads_as_discord_does(rig: DiscordRig, app: App) -> None:
    http = rig.adapter.client.http
    await impatient(rig, app).post(GROUP, QUESTION)
    [posted] = rig.fake.messages_in(CHANNEL)
    with pytest.raises(discord.HTTPException) as long:
        await http.start_thread_with_message(
            CHANNEL, posted["id"], name="x" * 101, auto_archive_duration=1440
        )
    assert (long.value.status, long.value.code) == (400, 50035)
    with pytest.raises(discord.HTTPException) as bad_duration:
        await http.start_thread_with_message(
            CHANNEL,
            posted["id"],
            name="Help",
            auto_archive_duration=90,  # type: ignore[arg-type]
        )
    assert bad_duration.value.code == 50035
    await http.start_thread_with_message(
        CHANNEL, posted["id"], name="Help", auto_archive_duration=60
    )
    with pytest.raises(discord.HTTPException) as again:
        await http.start_thread_with_message(
            CHANNEL, posted["id"], name="Help", auto_archive_duration=60
        )
    assert (again.value.status, again.value.code) == (
        400,
        OpcodesAndStatusCodes.THREAD_ALREADY_CREATED,
    )
    rig.fake.threads_refused.add(CHANNEL)
    await impatient(rig, app).post(GROUP, QUESTION)
    newest = rig.fake.messages_in(CHANNEL)[-1]
    with pytest.raises(discord.Forbidden):
        await http.start_thread_with_message(
            CHANNEL, newest["id"], name="Help", auto_archive_duration=60
        )


def test_the_fake_refuses_a_modal_over_discords_limits() -> None:
    def modal(title: str, label: str, max_length: int) -> dict[str, Any]:
        field = {"type": 4, "custom_id": "note", "style": 2, "max_length": max_length}
        return {
            "custom_id": "form",
            "title": title,
            "components": [{"type": 18, "label": label, "component": field}],
        }

    _check_modal(modal("Add a note", NOTE_LABEL, 500))  # fits
    for too_much in (
        modal("t" * (ReceivingAndResponding.MODAL_TITLE + 1), NOTE_LABEL, 500),
        modal("", NOTE_LABEL, 500),
        modal("Add a note", "l" * (ComponentReference.LABEL_TEXT + 1), 500),
        modal("Add a note", NOTE_LABEL, ComponentReference.TEXT_INPUT_VALUE + 1),
        {**modal("Add a note", NOTE_LABEL, 500), "components": []},
    ):
        with pytest.raises(Refused) as refused:
            _check_modal(too_much)
        assert refused.value.status == 400


# --- a button with a one-field form ---------------------------------------------------------


async def dm_button(rig: DiscordRig, app: App, reply: Reply, who: dict[str, Any] = ANA) -> str:
    """Send `reply` to `who` by DM as the scheduler would; the custom id of its button."""
    await impatient(rig, app).dm(GROUP, Actor(who["id"], who["username"]), reply)
    dm = f"6{who['id'][1:]}"
    [sent] = rig.fake.messages_in(dm)[-1:]
    [custom_id] = custom_ids(sent)
    return custom_id


async def test_a_dm_button_with_a_form_opens_a_modal_whose_answer_runs_the_command(
    rig: DiscordRig, app: App
) -> None:
    await rig.run("group setup", who=ADMIN, admin=True)
    await rig.run("progress", who=ANA)  # Ana joins the group
    custom_id = await dm_button(rig, app, Reply(body="Finished it?", buttons=(NOTE_BUTTON,)))
    before = await row_counts(app.sessions)

    pressed = {**in_dm(ANA), **button(custom_id, "Add a note")}
    opened = await rig.answer(await rig.fake.interact(pressed))

    assert opened["type"] == 9, "a modal"
    form = opened["data"]
    assert form["title"] == "Add a note"
    [field] = form["components"]
    assert field["label"] == NOTE_LABEL
    assert field["component"]["custom_id"] == "note"
    assert field["component"]["required"] is True
    assert field["component"]["max_length"] == 500
    assert await row_counts(app.sessions) == before, "opening the form changed nothing"

    submitted = await rig.fake.interact(
        {**in_dm(ANA), **modal_submit(form["custom_id"], {"note": "built a quiz game"})}
    )
    answer = text_of(await rig.answer(submitted))
    assert "finished **Python fundamentals**" in answer
    assert "built a quiz game" in answer
    assert "1 of 40 steps done" in text_of(await rig.run("progress", who=ANA))


async def test_a_forms_title_and_label_are_fitted_to_discords_modal(
    rig: DiscordRig, app: App
) -> None:
    await rig.run("group setup", who=ADMIN, admin=True)
    long = Button("Tell the group what you built " * 3, "done", {"step": "git"}, form="note")
    press = button(long.action_id, label=long.label[: ComponentReference.BUTTON_LABEL])
    opened = await rig.answer(await rig.send(press))
    assert opened["type"] == 9
    title = opened["data"]["title"]
    assert len(title) <= ReceivingAndResponding.MODAL_TITLE
    assert title.startswith("Tell the group what you built")


async def test_a_form_answered_in_the_server_runs_there(rig: DiscordRig) -> None:
    await rig.run("group setup", who=ADMIN, admin=True)
    opened = await rig.answer(await rig.send(button(NOTE_BUTTON.action_id, "Add a note"), who=BEN))
    submitted = await rig.fake.interact(
        {**in_guild(BEN), **modal_submit(opened["data"]["custom_id"], {"note": "a CSV reader"})}
    )
    answer = await rig.answer(submitted)
    assert "finished **Python fundamentals**" in text_of(answer)
    assert "a CSV reader" in text_of(answer)


async def test_a_forged_form_on_a_button_runs_nothing_and_says_so(
    rig: DiscordRig, app: App
) -> None:
    await rig.run("group setup", who=ADMIN, admin=True)
    await rig.run("progress", who=ANA)
    before = await row_counts(app.sessions)
    for forged in (
        "cohort:done?form=secret&step=python-basics",  # /done has no `secret` option
        "cohort:nothing-here?form=note",  # nor is there such a command
    ):
        answer = await rig.answer(await rig.send(button(forged)))
        assert answer["type"] == 4, "an answer, not a form"
        assert is_ephemeral(answer)
        assert text_of(answer).strip(), "the member is told something"
    assert await row_counts(app.sessions) == before


# --- end to end: /stuck, its post, thread and mentors' DMs; review questions by DM -----------

CAROL = user("800000000000000003", "carol")
WED_0800 = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
WED_0900 = WED_0800 + timedelta(hours=1)


def dm_of(who: dict[str, Any]) -> str:
    return f"6{who['id'][1:]}"


def titled(rig: DiscordRig, channel: str, title: str) -> list[dict[str, Any]]:
    """The messages of a channel whose first embed's title starts with `title`."""
    return [
        m
        for m in rig.fake.messages_in(channel)
        if (m.get("embeds") or [{}])[0].get("title", "").startswith(title)
    ]


def labelled(message: dict[str, Any], label: str) -> str:
    """The custom id of a message's button with that label."""
    rows = message.get("components") or []
    return next(b["custom_id"] for row in rows for b in row["components"] if b["label"] == label)


async def press_in_dm(rig: DiscordRig, who: dict[str, Any], custom_id: str, label: str) -> str:
    pressed = {**in_dm(who), **button(custom_id, label)}
    return text_of(await rig.answer(await rig.fake.interact(pressed)))


async def press_in_server(
    rig: DiscordRig, who: dict[str, Any], custom_id: str, label: str
) -> dict[str, Any]:
    return await rig.answer(await rig.send(button(custom_id, label), who=who))


async def mentor(rig: DiscordRig, who: dict[str, Any]) -> None:
    """A member who finished Python fundamentals and may be asked to help with it."""
    await rig.run("me timezone", who=who, timezone="Europe/Berlin")
    await rig.run("done", who=who, step="python-basics")
    assert "Thanks!" in text_of(await rig.run("me mentor", who=who, setting="on"))


@pytest.fixture
def engine(app: App, rig: DiscordRig) -> AccountabilityEngine:
    rig.fake.channel_limit = None  # days of posts go out at once; pacing is tested elsewhere
    return accountability_engine(app, rig.adapter.poster, instance="discord-test")


async def test_stuck_posts_with_a_thread_asks_a_mentor_and_the_asker_hears_who_helps(
    rig: DiscordRig, app: App, clock: ManualClock, engine: AccountabilityEngine
) -> None:
    rig.fake.guild_members[GUILD].add(CAROL["id"])
    clock.set(WED_0800)
    await rig.run("group setup", who=ADMIN, admin=True, timezone="Europe/Berlin")
    await mentor(rig, BEN)
    await mentor(rig, CAROL)
    await rig.run("me privacy", who=CAROL, privacy="hidden")  # hidden: never asked
    clock.set(WED_0900)

    asked = await rig.run("stuck", who=ANA, step="python-basics", question="how do I read a dict?")
    assert is_ephemeral(asked)
    assert "the 1 mentor who finished it" in text_of(asked), "Carol is hidden: not counted"
    await run_through(engine, clock, WED_0900 + timedelta(minutes=1))

    [question] = titled(rig, CHANNEL, "🆘")
    assert "Stuck on Python fundamentals" in text_of(question)
    assert "how do I read a dict?" in text_of(question)
    [thread] = rig.fake.threads_on(CHANNEL)
    assert (thread["id"], thread["name"]) == (question["id"], "Help: Python fundamentals")
    [ask] = titled(rig, dm_of(BEN), "🤝 Can you help?")
    assert "Ana" in text_of(ask)
    assert rig.fake.messages_in(dm_of(CAROL)) == [], "a hidden member is never asked"

    # Ben offers from his DM: the button carries the group, sealed for him.
    offered = await press_in_dm(rig, BEN, labelled(ask, "I'll help"), "I'll help")
    assert "I'm telling Ana you'll help" in offered
    await run_through(engine, clock, clock.now() + timedelta(minutes=1))
    [news] = titled(rig, dm_of(ANA), "🙌 Help is coming")
    assert "Ben will help" in text_of(news)

    solved = labelled(question, "Solved")
    refused = await press_in_server(rig, BEN, solved, "Solved")
    assert is_ephemeral(refused)
    assert "Only the member who asked" in text_of(refused)
    accepted = await press_in_server(rig, ANA, solved, "Solved")
    assert "Marked solved" in text_of(accepted)
    late = await press_in_server(rig, BEN, labelled(question, "I'll help"), "I'll help")
    assert "solved already" in text_of(late)
    assert len(rig.fake.threads) == 1, "one question, one thread"


async def test_review_questions_come_by_dm_and_are_answered_by_button_and_by_form(
    rig: DiscordRig, app: App, clock: ManualClock, engine: AccountabilityEngine
) -> None:
    clock.set(WED_0800)
    await rig.run("group setup", who=ADMIN, admin=True, timezone="Europe/Berlin")
    await rig.run("me reminders", who=ANA, setting="off")  # Saturday's reminder keeps its DM
    await rig.run("done", who=ANA, step="python-basics")

    await run_through(engine, clock, datetime(2026, 11, 19, 17, 1, tzinfo=UTC))  # 18:00 Berlin
    [first] = titled(rig, dm_of(ANA), "🧠 Review")
    assert "Which of these built-in Python types can be changed" in text_of(first)
    labels = [b["label"] for row in first["components"] for b in row["components"]]
    assert labels == ["tuple", "str", "list", "frozenset"]
    right = await press_in_dm(rig, ANA, labelled(first, "list"), "list")
    assert "✅ Right!" in right
    assert "comes back 26 Nov 2026" in right

    await run_through(engine, clock, datetime(2026, 11, 26, 17, 1, tzinfo=UTC))
    second = titled(rig, dm_of(ANA), "🧠 Review")[1]
    answer_id = labelled(second, "Answer")
    opened = await rig.answer(
        await rig.fake.interact({**in_dm(ANA), **button(answer_id, "Answer")})
    )
    assert opened["type"] == 9, "a short question is answered in a form"
    form = opened["data"]
    assert form["title"] == "Answer"
    [field] = form["components"]
    assert field["label"] == "Your answer"
    assert field["component"]["max_length"] == 200
    submitted = await rig.fake.interact(
        {**in_dm(ANA), **modal_submit(form["custom_id"], {field["component"]["custom_id"]: "Dict"})}
    )
    assert "✅ Right!" in text_of(await rig.answer(submitted))


async def test_next_question_pressed_in_a_dm_asks_it_for_the_same_group(
    rig: DiscordRig, app: App, clock: ManualClock, engine: AccountabilityEngine
) -> None:
    clock.set(WED_0800)
    await rig.run("group setup", who=ADMIN, admin=True, timezone="Europe/Berlin")
    await rig.run("me reminders", who=ANA, setting="off")
    await rig.run("done", who=ANA, step="python-basics")
    await rig.run("done", who=ANA, step="dev-tools")  # two steps due the same day
    await run_through(engine, clock, datetime(2026, 11, 19, 17, 1, tzinfo=UTC))
    [first] = titled(rig, dm_of(ANA), "🧠 Review")
    pressed = {**in_dm(ANA), **button(labelled(first, "list"), "list")}
    answered = await rig.answer(await rig.fake.interact(pressed))
    assert "1 more question due today" in text_of(answered)
    rows = answered["data"]["components"]
    [next_id] = [b["custom_id"] for row in rows for b in row["components"]]
    assert discord_translate.split_custom_id(next_id)[1] is not None, "sealed for the group"
    following = await press_in_dm(rig, ANA, next_id, "Next question")
    assert "🧠 Review · Git" in following or "Git" in following, following
