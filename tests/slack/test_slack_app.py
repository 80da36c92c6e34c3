"""The real slack-bolt app, end to end, against a fake Slack on 127.0.0.1."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import aiohttp

from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock
from bot.messages import Place, Platform
from bot.seals import Purpose
from tests.slack.conftest import SlackRig, text_of
from tests.slack.fake_slack import (
    interactive_body,
    signed,
    slash_body,
)

COMMANDS = {
    "help": "Cohort commands",
    "": "Cohort commands",
    "roadmap": "Machine Learning Engineer",
    "step python-basics": "Python fundamentals",
    "next": "Next up: Python fundamentals",
    "start python-basics": "Started: Python fundamentals",
    "done python-basics wrote a quiz": "finished *Python fundamentals*",
    "skip certifications": "Skipped",
    "reset certifications": "back to not started",
    "progress": "Your progress",
    "log 45m python-basics": "Logged *45 min*",
    "focus 30": "Focus: 30 minutes",
    "me role organiser": "You're an organiser",
    "leaderboard all": "Steps finished all time",
    "me timezone Europe/Berlin": "Europe/Berlin",
    "me privacy public": "You're public",
    "me reminders off": "Reminders are off",
    "me quiet 22-07": "Quiet hours set",
    "me vacation 0": "You weren't on vacation",
    "me images on": "Pictures are on",
    "me mentor on": "Thanks!",
    "review": "Nothing is due",
    "answer 1 choice:3": "comes back for review",
    "offer 1": "no help request number 1",
    "solved": "no open question here",
    "me forget": "Delete all your data?",
    "me export": "I sent the file to your DMs",
    "kaggle": "use this in your group's channel",
    "group show": "isn't a study group yet",
}


async def test_every_command_answers_through_slash_cohort(rig: SlackRig) -> None:
    for text, expected in COMMANDS.items():
        response = await rig.slash(text)
        assert expected in text_of(response), text
    assert rig.fake.called("auth.test"), "bolt checks its token before the first listener"


async def test_personal_answers_are_ephemeral_and_celebrations_public(rig: SlackRig) -> None:
    progress = await rig.slash("progress")
    done = await rig.slash("done python-basics")
    assert progress["response_type"] == "ephemeral"
    assert done["response_type"] == "in_channel"


async def test_blocks_carry_headers_links_bars_and_buttons(rig: SlackRig) -> None:
    step = await rig.slash("step python-basics")
    types = [b["type"] for b in step["blocks"]]
    assert types[0] == "header"
    assert "<https://nostarch.com/python-crash-course-3rd-edition|Python Crash Course>" in (
        text_of(step)
    )
    buttons = step["blocks"][-1]["elements"]
    assert [b["action_id"] for b in buttons] == [
        "cohort:start?step=python-basics",
        "cohort:done?step=python-basics",
    ]
    roadmap = await rig.slash("roadmap")
    assert "`░░░░░░░░░░` 1. Foundations · 0/7" in text_of(roadmap)


async def test_a_button_click_acts_without_typing(rig: SlackRig) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "channel": {"id": "C-study"},
        "user": {"id": "U-ana", "username": "ana"},
        "trigger_id": "trigger-2",
        "response_url": f"{rig.fake.url}/respond/button",
        "actions": [
            {
                "action_id": "cohort:done?step=python-basics",
                "type": "button",
                "value": "cohort:done?step=python-basics",
            }
        ],
    }
    assert await rig.post(interactive_body(payload)) == 200
    response = await rig.fake.wait_for(lambda: rig.fake.responses)
    assert "finished *Python fundamentals*" in text_of(response[0])
    progress = await rig.slash("progress")
    assert "*1 of 40 steps done (2%)*" in text_of(progress)


async def test_checkin_opens_a_modal_and_its_submission_is_stored(rig: SlackRig) -> None:
    await rig.slash("group setup", user="U-admin", name="admin")
    assert await rig.post(slash_body(rig.fake, "checkin")) == 200
    [opened] = await rig.fake.wait_for(lambda: rig.fake.called("views.open"))
    assert opened["trigger_id"] == "trigger-1"
    assert opened["view"]["private_metadata"].startswith("T1/C-study."), "sealed for Ana"

    view = dict(
        opened["view"],
        state={
            "values": {
                "finished": {"finished": {"type": "plain_text_input", "value": "python-basics"}},
                "hours": {"hours": {"type": "plain_text_input", "value": "4"}},
            }
        },
        team_id="T1",
    )
    submission = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U-ana", "username": "ana"},
        "view": view,
    }
    assert await rig.post(interactive_body(submission)) == 200
    [confirmation] = await rig.fake.wait_for(lambda: rig.fake.called("chat.postEphemeral"))
    assert confirmation["user"] == "U-ana"
    assert "Check-in saved" in text_of(confirmation)
    progress = await rig.slash("progress")
    assert "*1 of 40 steps done" in text_of(progress), "the check-in marked the step done"


async def test_a_bad_modal_answer_is_shown_on_the_form(rig: SlackRig) -> None:
    await rig.slash("group setup", user="U-admin", name="admin")
    view = {
        "type": "modal",
        "id": "V1",
        "callback_id": "cohort:checkin-modal",
        "private_metadata": rig.adapter.core.seals.seal(
            Place(Platform.SLACK, "T1", "C-study"), "U-ana", Purpose.FORM, "cohort:checkin-modal"
        ),
        "team_id": "T1",
        "state": {"values": {"hours": {"hours": {"value": "lots"}}}},
    }
    submission = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U-ana", "username": "ana"},
        "view": view,
    }
    async with aiohttp.ClientSession() as session:
        body = interactive_body(submission)
        response = await session.post(
            rig.events_url,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)},
        )
        answer = await response.json()
    assert answer["response_action"] == "errors"
    assert "must be a number" in answer["errors"]["hours"]


async def test_admin_commands_follow_slack_roles(rig: SlackRig) -> None:
    refused = await rig.slash("group setup", user="U-ana")
    allowed = await rig.slash("group setup", user="U-admin", name="admin")
    assert "Only community admins can use `/group setup`" in text_of(refused)
    assert "This channel is now a study group" in text_of(allowed)
    asked = [c["user"] for c in rig.fake.called("users.info")]
    assert asked == ["U-ana", "U-admin"]
    await rig.slash("group admin add ana", user="U-admin", name="admin")
    trusted = await rig.slash("group pause", user="U-ana")
    assert "Paused" in text_of(trusted), "the group's own admin list counts too"


async def test_the_app_home_shows_progress_and_is_refreshed_on_change(rig: SlackRig) -> None:
    event = {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": "Ev1",
        "event_time": 1,
        "event": {"type": "app_home_opened", "user": "U-ana", "channel": "D1", "tab": "home"},
    }
    import json

    body = json.dumps(event)
    assert await rig.post(body, content_type="application/json") == 200
    [home] = await rig.fake.wait_for(lambda: rig.fake.called("views.publish"))
    assert home["user_id"] == "U-ana"
    assert "0 of 40 steps done" in text_of(home["view"])
    await rig.slash("done python-basics")
    latest = await rig.fake.wait_for(
        lambda: [h for h in rig.fake.called("views.publish") if "1 of 40" in text_of(h["view"])]
    )
    assert "Next step" in text_of(latest[-1]["view"])
    assert await rig.post(body, content_type="application/json") == 200  # opened again
    board = await rig.slash("leaderboard all")
    assert "*ana* · 1 step" in text_of(board), "opening the home tab keeps the member's name"


async def test_bad_or_stale_signatures_get_401(rig: SlackRig) -> None:
    body = slash_body(rig.fake, "progress")
    assert await rig.post(body, headers=signed(body, secret="wrong")) == 401
    assert await rig.post(body, headers=signed(body, age=600)) == 401
    assert rig.fake.responses == []


async def test_scheduled_posts_and_dms_go_through_the_web_api(
    rig: SlackRig, app: App, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 18, 7, 0, tzinfo=UTC))
    await rig.slash("group setup ml-engineer Europe/Berlin", user="U-admin", name="admin")
    await rig.slash("log 30m", user="U-admin", name="admin")  # a learner: reminded
    engine = accountability_engine(app, rig.adapter.poster, instance="slack-test")
    clock.set(datetime(2026, 11, 18, 8, 0, tzinfo=UTC))
    await engine.run_due()
    [post] = rig.fake.called("chat.postMessage")
    assert post["channel"] == "C-study"
    assert "Today's resource" in text_of(post)
    clock.set(datetime(2026, 11, 21, 16, 0, tzinfo=UTC))  # Saturday: reminders
    await engine.run_due()
    assert rig.fake.called("conversations.open") == [{"users": "U-admin"}]
    assert rig.fake.called("chat.postMessage")[-1]["channel"] == "D-U-admin"


async def test_a_429_is_retried_after_retry_after_then_succeeds(rig: SlackRig) -> None:
    from bot.messages import Place, Platform, Reply

    rig.fake.failures["chat.postMessage"] = [429]
    await rig.adapter.poster.post(Place(Platform.SLACK, "T1", "C-study"), Reply(body="hi"))
    assert len(rig.fake.called("chat.postMessage")) == 2


async def test_a_5xx_is_retried_and_a_lasting_outage_keeps_the_post_for_later(
    rig: SlackRig, app: App, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 18, 7, 0, tzinfo=UTC))
    await rig.slash("group setup ml-engineer Europe/Berlin", user="U-admin", name="admin")
    engine = accountability_engine(app, rig.adapter.poster, instance="slack-test")
    rig.fake.failures["chat.postMessage"] = [500, 500, 500, 500, 500]  # more than 3 retries
    clock.set(datetime(2026, 11, 18, 8, 0, tzinfo=UTC))
    assert await engine.run_due() == []
    assert len(rig.fake.called("chat.postMessage")) == 4
    clock.set(clock.now() + timedelta(minutes=1))
    sent = await engine.run_due()  # one more 500, then the retry handler gets through
    assert len(sent) == 1
    assert len(rig.fake.called("chat.postMessage")) == 6


GROUP_COMMANDS = {
    "group setup ml-engineer Europe/Berlin": "This channel is now a study group",
    "group schedule daily 08:30": "The daily resource comes at 08:30",
    "group schedule checkin friday 18:00": "Check-ins open Friday at 18:00",
    "group schedule kaggle biweekly monday 10:00": "Kaggle challenges come biweekly",
    "group show": "Study group",
    "group checkins": "Check-ins",
    "group admin add admin": "can now run this group's admin commands",
    "group admins": "Group admins: admin.",
    "group admin remove admin": "no longer on this group's admin list",
    "group images on": "Pictures are on in this group",
    "group pause": "Paused",
    "group resume": "Back on",
    "kaggle": "Titanic",
    "kaggle submit https://www.kaggle.com/code/admin/titanic 0.76": "took on",
    "checkin finished: python-basics hours: 3": "Check-in saved",
    "leaderboard week kaggle": "Kaggle attempts this week",
    "stuck python-basics how do loops work?": "Asked for help with Python fundamentals",
    "leaderboard week helped": "Helped others this week",
}


async def test_group_kaggle_and_checkin_commands_through_slash_cohort(rig: SlackRig) -> None:
    for text, expected in GROUP_COMMANDS.items():
        response = await rig.slash(text, user="U-admin", name="admin")
        assert expected in text_of(response), text
    every = {*COMMANDS, *GROUP_COMMANDS}
    names = {c.name for c in rig.adapter.core.registry.commands}
    reached = {n for n in names if any(t == n or t.startswith(n + " ") for t in every)}
    assert reached == names, "every registry command was run through Slack"


async def test_the_check_in_button_on_the_weekly_prompt_opens_the_form(rig: SlackRig) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "channel": {"id": "C-study"},
        "user": {"id": "U-ana", "username": "ana"},
        "trigger_id": "trigger-9",
        "response_url": f"{rig.fake.url}/respond/checkin",
        "actions": [{"action_id": "cohort:checkin", "type": "button", "value": "cohort:checkin"}],
    }
    assert await rig.post(interactive_body(payload)) == 200
    [opened] = await rig.fake.wait_for(lambda: rig.fake.called("views.open"))
    assert opened["trigger_id"] == "trigger-9"
    assert opened["view"]["callback_id"] == "cohort:checkin-modal"


async def test_a_hostile_name_shows_as_text_and_pings_nobody(rig: SlackRig) -> None:
    await rig.slash("group setup", user="U-admin", name="admin")
    hostile = "<https://evil.example|prize> <!channel> [x](https://evil.example)"
    answer = await rig.slash("done python-basics", user="U-mal", name=hostile)
    texts = [answer["text"], text_of(answer)]
    specials = [found for text in texts for found in re.findall(r"<([^>]*)>", text)]
    assert not [s for s in specials if "evil" in s or s.startswith("!")], specials
    assert "&lt;https://evil.example|prize&gt; &lt;!channel&gt;" in text_of(answer)


def as_slack_shows(mrkdwn: str) -> str:
    """mrkdwn as a member reads it: links as their titles, Slack's escapes undone once."""
    titles = re.sub(r"<[^|>]*\|([^>]*)>", r"\1", mrkdwn)
    return titles.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def test_what_a_member_types_with_ampersands_and_brackets_comes_back_as_typed(
    rig: SlackRig,
) -> None:
    # The fake sends the text escaped, as Slack does: "Q&amp;A &lt;notes&gt; a &gt; b".
    answer = await rig.slash("log 30m python-basics Q&A <notes> a > b")
    shown = as_slack_shows(text_of(answer))
    assert "Q&A <notes> a > b" in shown
    assert "&amp;" not in shown
    assert "&lt;" not in shown
    typed = await rig.slash("log 15m python-basics I typed &amp; on purpose")
    assert "I typed &amp; on purpose" in as_slack_shows(text_of(typed)), "unescaped only once"
