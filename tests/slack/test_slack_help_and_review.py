"""Help when stuck and spaced review on Slack, end to end: the real slack-bolt app, the
real commands and the scheduler, against the fake Slack.

A button that asks for one more option (`Button.form`) opens a modal; its submission runs
the command with what was typed, for the presser, in the group the button was for, and
nothing a client sends back carries authority unless the bot sealed it. `/stuck` posts the
question and asks a mentor by DM; "I'll help" tells the asker; only the asker marks it
solved. Review questions come by DM, answered with a choice's button or through the form."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from adapters.slack import limits, translate
from adapters.slack.app import make_client
from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock
from bot.commands.dispatch import FormSpec
from bot.messages import Actor, Button, Place, Platform, Reply
from bot.scheduler.engine import AccountabilityEngine
from bot.seals import NOT_SEALED, Purpose
from tests.slack.conftest import SlackRig, facts, slack_settings, text_of
from tests.slack.fake_slack import FakeSlack
from tests.support import row_counts

STUDY = Place(Platform.SLACK, "T1", "C-study")
OTHER = Place(Platform.SLACK, "T1", "C-other")  # another group in the same workspace
ANA = Actor("U-ana", "ana")
ADD_NOTE = Button("Add a note", "done", {"step": "python-basics"}, form="note")
NOTE_ACTION = "cohort:done?form=note&step=python-basics"


@pytest.fixture
async def groups(rig: SlackRig) -> SlackRig:
    """Two study groups in one workspace: Ana studies in C-study, Ben in C-other."""
    await rig.slash("group setup", user="U-admin", name="admin")
    await rig.slash("group setup", user="U-admin", name="admin", channel="C-other")
    await rig.slash("progress", user="U-ana", name="ana")
    await rig.slash("progress", user="U-ben", name="ben", channel="C-other")
    return rig


def buttons_in(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in message.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def button_labelled(message: dict[str, Any], label: str) -> dict[str, Any]:
    return next(b for b in buttons_in(message) if b["text"]["text"] == label)


async def dm_with(rig: SlackRig, reply: Reply, actor: Actor = ANA) -> dict[str, Any]:
    """`reply` sent to `actor` by DM the way scheduled DMs go; the message Slack holds."""
    await rig.adapter.poster.dm(STUDY, actor, reply)
    return rig.fake.posted(f"D-{actor.user_id}")[-1]


async def open_form(
    rig: SlackRig, button: dict[str, Any], *, user: str = "U-ana", channel: str = "D-U-ana"
) -> dict[str, Any]:
    """Press `button`; the modal Slack opened for it."""
    before = len(rig.fake.views)
    await rig.interact(rig.fake.button_press(button, user=user, channel=channel))
    await rig.fake.wait_for(lambda: len(rig.fake.views) > before)
    return rig.fake.last_view()


async def progress_of(rig: SlackRig, user: str, channel: str = "C-study") -> str:
    return text_of(
        await rig.slash("progress", user=user, name=user.removeprefix("U-"), channel=channel)
    )


async def test_a_dm_button_with_a_form_runs_its_command_with_what_was_typed(
    groups: SlackRig,
) -> None:
    dm = await dm_with(groups, Reply(title="Finished Python?", buttons=(ADD_NOTE,)))
    button = button_labelled(dm, "Add a note")
    assert button["action_id"] == NOTE_ACTION

    view = await open_form(groups, button)
    [opened] = groups.fake.called("views.open")
    assert opened["trigger_id"].startswith("trigger-press-"), "the press's own trigger"
    assert view["title"]["text"] == "Add a note"
    [field] = view["blocks"]
    assert field["label"]["text"] == "What you built or learned (optional)"
    assert field["element"]["type"] == "plain_text_input"
    assert field["element"]["max_length"] == 500, "as long as /done takes a note"

    submission = groups.fake.view_submission(view, {translate.FORM_FIELD: "a quiz <game> & more"})
    assert await groups.interact(submission) == {}, "the form closes"
    answer = await groups.fake.wait_for(
        lambda: [m for m in groups.fake.posted("D-U-ana") if "finished" in text_of(m)]
    )
    shown = text_of(answer[-1])
    assert "finished *Python fundamentals*" in shown
    assert "a quiz &lt;game&gt; &amp; more" in shown, "the note, as typed, escaped"
    assert "*1 of 40 steps done" in await progress_of(groups, "U-ana"), "in Ana's group"
    assert "*0 of 40 steps done" in await progress_of(groups, "U-ben", "C-other")


async def test_the_answer_in_a_dm_has_buttons_that_work_for_the_same_group(
    groups: SlackRig,
) -> None:
    dm = await dm_with(groups, Reply(title="Finished Python?", buttons=(ADD_NOTE,)))
    view = await open_form(groups, button_labelled(dm, "Add a note"))
    await groups.interact(groups.fake.view_submission(view, {translate.FORM_FIELD: "a quiz"}))
    [answer] = await groups.fake.wait_for(
        lambda: [m for m in groups.fake.posted("D-U-ana") if "finished" in text_of(m)]
    )
    start = next(b for b in buttons_in(answer) if b["action_id"].startswith("cohort:start"))
    assert "#T1/C-study." in start["value"], "sealed for Ana and the group"
    before = len(groups.fake.responses)
    await groups.interact(groups.fake.button_press(start, channel="D-U-ana"))
    await groups.fake.wait_for(lambda: len(groups.fake.responses) > before)
    assert "Started" in text_of(groups.fake.responses[before])


async def test_a_form_button_in_a_channel_answers_there(groups: SlackRig) -> None:
    dm = await dm_with(groups, Reply(title="Finished Python?", buttons=(ADD_NOTE,)))
    button = dict(button_labelled(dm, "Add a note"))
    button["value"] = button["action_id"]  # as a channel message's button carries it
    view = await open_form(groups, button, channel="C-study")
    assert view["private_metadata"], "the channel Slack named, sealed for Ana"
    await groups.interact(groups.fake.view_submission(view, {translate.FORM_FIELD: "a quiz"}))
    [cheer] = await groups.fake.wait_for(lambda: groups.fake.posted("C-study"))
    assert "*ana* finished *Python fundamentals*" in text_of(cheer), "cheered in the channel"
    assert "*1 of 40 steps done" in await progress_of(groups, "U-ana")


def forged(view: dict[str, Any], app: App, how: str) -> dict[str, Any]:
    """`view` as a member's tampered client might send it back."""
    action, seal = translate.form_metadata_of(view) or ("", "")
    if how == "someone else's seal":
        bens = app.seals.seal(OTHER, "U-ben", Purpose.DM_BUTTON, action) or ""
        metadata = translate.form_metadata(action, bens)
    elif how == "another action":
        metadata = translate.form_metadata("cohort:done?form=note&step=dev-tools", seal)
    elif how == "another group":
        metadata = translate.form_metadata(action, seal.replace("C-study", "C-other"))
    elif how == "a made-up seal":
        metadata = translate.form_metadata(action, "T1/C-study.AAAAAAAAAAAA")
    else:
        metadata = json.dumps({"action": action})
    return {**view, "private_metadata": metadata}


@pytest.mark.parametrize(
    "how",
    ["someone else's seal", "another action", "another group", "a made-up seal", "no seal"],
)
async def test_a_forged_form_changes_nothing_and_says_why(
    groups: SlackRig, app: App, how: str
) -> None:
    dm = await dm_with(groups, Reply(title="Finished Python?", buttons=(ADD_NOTE,)))
    view = await open_form(groups, button_labelled(dm, "Add a note"))
    before = facts(await row_counts(app.sessions))
    submission = groups.fake.view_submission(forged(view, app, how), {"typed": "forged"})
    answer = await groups.interact(submission)
    assert answer == {
        "response_action": "errors",
        "errors": {translate.FORM_FIELD: NOT_SEALED[:150]},
    }
    assert facts(await row_counts(app.sessions)) == before
    assert not [m for m in groups.fake.posted("D-U-ana") if "finished" in text_of(m)]


async def test_a_form_submitted_by_someone_else_is_refused(groups: SlackRig, app: App) -> None:
    dm = await dm_with(groups, Reply(title="Finished Python?", buttons=(ADD_NOTE,)))
    view = await open_form(groups, button_labelled(dm, "Add a note"))
    before = facts(await row_counts(app.sessions))
    answer = await groups.interact(
        groups.fake.view_submission(view, {translate.FORM_FIELD: "mine now"}, user="U-ben")
    )
    assert answer["errors"][translate.FORM_FIELD] == NOT_SEALED[:150]
    assert facts(await row_counts(app.sessions)) == before


async def test_a_forged_dm_button_opens_no_form(groups: SlackRig) -> None:
    dm = await dm_with(groups, Reply(title="Finished Python?", buttons=(ADD_NOTE,)))
    button = dict(button_labelled(dm, "Add a note"))
    button["value"] = NOTE_ACTION + "#T1/C-other.AAAAAAAAAAAA"
    before = len(groups.fake.responses)
    await groups.interact(groups.fake.button_press(button, channel="D-U-ana"))
    await groups.fake.wait_for(lambda: len(groups.fake.responses) > before)
    assert NOT_SEALED in text_of(groups.fake.responses[before])
    assert groups.fake.views == {}


async def test_a_command_refusing_the_answer_says_so_on_the_form(
    groups: SlackRig, app: App
) -> None:
    no_such_step = Button("Add a note", "done", {"step": "pythn"}, form="note")
    dm = await dm_with(groups, Reply(title="Finished Python?", buttons=(no_such_step,)))
    view = await open_form(groups, button_labelled(dm, "Add a note"))
    before = facts(await row_counts(app.sessions))
    answer = await groups.interact(groups.fake.view_submission(view, {translate.FORM_FIELD: "x"}))
    assert answer["response_action"] == "errors", "shown under the field; the form stays open"
    assert "pythn" in answer["errors"][translate.FORM_FIELD]
    assert facts(await row_counts(app.sessions)) == before


async def test_an_answer_that_is_no_error_closes_the_form_and_shows_in_the_dm(
    groups: SlackRig,
) -> None:
    await groups.slash("done python-basics")
    dm = await dm_with(groups, Reply(title="Finished Python?", buttons=(ADD_NOTE,)))
    view = await open_form(groups, button_labelled(dm, "Add a note"))
    answer = await groups.interact(groups.fake.view_submission(view, {translate.FORM_FIELD: "x"}))
    assert answer == {}
    await groups.fake.wait_for(
        lambda: [m for m in groups.fake.posted("D-U-ana") if "already done" in text_of(m)]
    )


async def test_a_long_label_is_fitted_to_the_modal_title(groups: SlackRig) -> None:
    long_label = Button(
        "Tell the group what you built this week", "done", {"step": "python-basics"}, form="note"
    )
    dm = await dm_with(groups, Reply(title="Finished Python?", buttons=(long_label,)))
    view = await open_form(groups, buttons_in(dm)[0])
    title = view["title"]["text"]
    assert len(title) <= limits.Views.MODAL_TITLE == 24
    assert title.startswith("Tell the group")
    assert title.endswith("…")


def test_a_form_takes_no_more_than_slack_allows() -> None:
    spec = FormSpec("answer", "Your answer " * 300, max_length=10_000)
    view = translate.form_modal("Answer", spec, translate.form_metadata(NOTE_ACTION, "x"))
    assert limits.violations(view) == []
    [field] = view["blocks"]
    assert field["element"]["max_length"] == limits.BlockElements.TEXT_INPUT_MAX_LENGTH
    assert len(field["label"]["text"]) <= limits.Blocks.INPUT_LABEL


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"title": {"type": "plain_text", "text": "x" * 25}}, "title"),
        ({"submit": {"type": "plain_text", "text": "x" * 25}}, "submit"),
        ({"close": {"type": "plain_text", "text": "x" * 25}}, "close"),
        ({"submit": None}, "submit is required"),
        ({"max_length": 3001}, "max_length"),
        ({"max_length": 0}, "max_length"),
        ({"min_length": 3001}, "min_length"),
        ({"placeholder": {"type": "plain_text", "text": "x" * 151}}, "placeholder"),
        ({"label": {"type": "plain_text", "text": "x" * 2001}}, "label"),
        ({"callback_id": "x" * 256}, "callback_id"),
    ],
)
async def test_the_fake_refuses_a_modal_slack_would_refuse(
    fake_slack: FakeSlack, change: dict[str, Any], error: str
) -> None:
    spec = FormSpec("note", "A note", max_length=500)
    view = translate.form_modal("Add a note", spec, "{}")
    element = view["blocks"][0]["element"]
    for key, value in change.items():
        if key in {"max_length", "min_length", "placeholder"}:
            element[key] = value
        elif key == "label":
            view["blocks"][0]["label"] = value
        elif value is None:
            del view[key]
        else:
            view[key] = value
    client = make_client(slack_settings(fake_slack))
    with pytest.raises(SlackApiError) as refused:
        await client.views_open(trigger_id="t", view=view)
    assert refused.value.response["error"] == "invalid_arguments"
    assert error in json.dumps(refused.value.response["errors"])
    assert limits.violations(view), "and our own check catches it before Slack would"


async def test_a_reply_naming_a_thread_posts_as_any_other(groups: SlackRig) -> None:
    await groups.adapter.poster.post(STUDY, Reply(body="Help wanted", thread="Help: Python"))
    [post] = groups.fake.posted("C-study")
    assert text_of(post) == "Help wanted"


# Help when stuck and spaced review, end to end with the real commands and the engine -----


async def press(
    rig: SlackRig, button: dict[str, Any], *, user: str = "U-ana", channel: str = "D-U-ana"
) -> str:
    """Press `button` as `user` in `channel`; what the press was answered with."""
    before = len(rig.fake.responses)
    await rig.interact(rig.fake.button_press(button, user=user, channel=channel))
    await rig.fake.wait_for(lambda: len(rig.fake.responses) > before)
    return text_of(rig.fake.responses[before])


def dms_to(rig: SlackRig, user: str) -> list[dict[str, Any]]:
    return rig.fake.posted(f"D-{user}")


@pytest.fixture
def engine(rig: SlackRig, app: App) -> AccountabilityEngine:
    return accountability_engine(app, rig.adapter.poster, instance="slack-test")


async def run_engine(engine: AccountabilityEngine, clock: ManualClock, minutes: int = 1) -> None:
    clock.set(clock.now() + timedelta(minutes=minutes))
    await engine.run_due()


async def test_stuck_posts_asks_a_mentor_and_tells_the_asker_who_will_help(
    rig: SlackRig, engine: AccountabilityEngine, clock: ManualClock
) -> None:
    await rig.slash("group setup", user="U-admin", name="admin")
    for mentor in ("ben", "cleo"):
        await rig.slash("done python-basics", user=f"U-{mentor}", name=mentor)
        await rig.slash("me mentor on", user=f"U-{mentor}", name=mentor)
    await rig.slash("me privacy hidden", user="U-cleo", name="cleo")
    await rig.slash("done python-basics", user="U-dan", name="dan")  # finished, not a mentor

    asked = await rig.slash("stuck python-basics what does `*args` collect?")
    assert asked["response_type"] == "ephemeral"
    assert "Asked for help with Python fundamentals" in text_of(asked)

    await run_engine(engine, clock)
    [post] = [m for m in rig.fake.posted("C-study") if "Stuck on" in text_of(m)]
    assert "ana is stuck on *Python fundamentals*" in text_of(post)
    assert "what does `*args` collect?" in text_of(post)
    assert [b["text"]["text"] for b in buttons_in(post)] == ["I'll help", "Solved"]
    [ask] = dms_to(rig, "U-ben")[-1:]
    assert "Can you help?" in text_of(ask)
    assert dms_to(rig, "U-cleo") == [], "a hidden mentor is never asked"
    assert dms_to(rig, "U-dan") == [], "nor is someone who never said they'd mentor"
    assert dms_to(rig, "U-ana") == []

    offer = button_labelled(ask, "I'll help")
    assert "#T1/C-study." in offer["value"], "sealed for Ben and the group"
    thanks = await press(rig, offer, user="U-ben", channel="D-U-ben")
    assert "I'm telling ana you'll help" in thanks

    await run_engine(engine, clock)
    [news] = dms_to(rig, "U-ana")
    assert "ben will help with your question on *Python fundamentals*" in text_of(news)

    solved = button_labelled(post, "Solved")
    refused = await press(rig, solved, user="U-ben", channel="C-study")
    assert "Only the member who asked can mark a question solved" in refused
    assert "Marked solved" not in refused
    accepted = await press(rig, button_labelled(news, "Solved"))  # from Ana's DM
    assert "Marked solved: your question on *Python fundamentals*" in accepted
    again = await press(rig, button_labelled(post, "Solved"), channel="C-study")
    assert "Marked solved" in again, "from the channel's post too, and nothing breaks"


async def test_a_hidden_mentor_is_never_asked_even_when_nobody_else_is(
    rig: SlackRig, engine: AccountabilityEngine, clock: ManualClock
) -> None:
    await rig.slash("group setup", user="U-admin", name="admin")
    await rig.slash("done python-basics", user="U-cleo", name="cleo")
    await rig.slash("me mentor on", user="U-cleo", name="cleo")
    await rig.slash("me privacy hidden", user="U-cleo", name="cleo")
    await rig.slash("stuck python-basics how do I read a CSV file?")
    for _ in range(26):  # a day and more: the first round, the repeat, and giving up
        await run_engine(engine, clock, minutes=60)
    assert [m for m in rig.fake.posted("C-study") if "Stuck on" in text_of(m)], "posted"
    assert dms_to(rig, "U-cleo") == []


async def review_dm(
    rig: SlackRig, engine: AccountabilityEngine, clock: ManualClock, day: datetime
) -> dict[str, Any]:
    """Run the engine at 18:01 UTC (Ana's time) each day up to `day`, as the scheduler
    would; the review question it DMed her that day."""
    while True:
        clock.set(clock.now().replace(hour=18, minute=0) + timedelta(days=1))
        before = len(dms_to(rig, "U-ana"))
        await run_engine(engine, clock)
        if clock.now().date() >= day.date():
            break
    [question] = [m for m in dms_to(rig, "U-ana")[before:] if "Review" in text_of(m)]
    return question


async def test_review_questions_come_by_dm_and_are_answered_by_button_and_form(
    rig: SlackRig, engine: AccountabilityEngine, clock: ManualClock
) -> None:
    await rig.slash("group setup", user="U-admin", name="admin")
    await rig.slash("done python-basics")
    await run_engine(engine, clock)
    assert not [m for m in dms_to(rig, "U-ana") if "Review" in text_of(m)], "not on the day"

    choice = await review_dm(rig, engine, clock, datetime(2026, 11, 19, tzinfo=UTC))
    assert "can be changed after it is created" in text_of(choice)
    assert "From *Python fundamentals*" in text_of(choice)
    labels = [b["text"]["text"] for b in buttons_in(choice)]
    assert labels == ["tuple", "str", "list", "frozenset"], "one button per choice"
    assert all("#T1/C-study." in b["value"] for b in buttons_in(choice)), "sealed for Ana"
    result = await press(rig, button_labelled(choice, "list"))
    assert "✅ Right!" in result
    assert "Lists are mutable" in result, "with the explanation"
    assert "Right!" not in await press(
        rig, button_labelled(choice, "list"), user="U-ben", channel="D-U-ben"
    ), "forwarded to someone else, it answers nothing"

    short = await review_dm(rig, engine, clock, datetime(2026, 11, 26, tzinfo=UTC))
    assert "look up a student's score" in text_of(short), "a week later, the next question"
    [answer] = buttons_in(short)
    assert answer["text"]["text"] == "Answer"
    view = await open_form(rig, answer)
    assert view["title"]["text"] == "Answer"
    field = view["blocks"][0]
    assert field["label"]["text"] == "Your answer"
    assert field["element"]["max_length"] == 200
    before = len(dms_to(rig, "U-ana"))
    submission = rig.fake.view_submission(view, {translate.FORM_FIELD: "a Dictionary"})
    assert await rig.interact(submission) == {}
    await rig.fake.wait_for(lambda: len(dms_to(rig, "U-ana")) > before)
    shown = text_of(dms_to(rig, "U-ana")[-1])
    assert "✅ Right!" in shown
    assert "hash table" in shown
