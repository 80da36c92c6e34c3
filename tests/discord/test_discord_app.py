"""The real discord.py client, end to end, against a fake Discord on 127.0.0.1."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.discord.app import SHARED, DiscordPoster
from adapters.discord.tree import discord_path
from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock
from bot.messages import Actor, Button, Place, Platform, Reply
from tests.discord.conftest import (
    DiscordRig,
    custom_ids,
    is_ephemeral,
    start_adapter,
    text_of,
)
from tests.discord.fake_discord import (
    ADMIN,
    ANA,
    BEN,
    CHANNEL,
    GUILD,
    FakeDiscord,
    autocomplete,
    button,
    in_dm,
    in_guild,
    modal_submit,
    slash,
    user,
)

COMMANDS: list[tuple[str, dict[str, Any], str]] = [
    ("help", {}, "Cohort commands"),
    ("roadmap", {}, "Machine Learning Engineer"),
    ("step", {"step": "python-basics"}, "Python fundamentals"),
    ("next", {}, "Next up: Python fundamentals"),
    ("start", {"step": "python-basics"}, "Started: Python fundamentals"),
    ("done", {"step": "python-basics", "note": "wrote a quiz"}, "finished **Python fundamentals**"),
    ("skip", {"step": "certifications"}, "Skipped"),
    ("reset", {"step": "certifications"}, "back to not started"),
    ("progress", {}, "Your progress"),
    ("log", {"duration": "45m", "step": "python-basics"}, "Logged **45 min**"),
    ("focus", {"minutes": "30"}, "Focus: 30 minutes"),
    ("me role", {"role": "organiser"}, "You're an organiser"),
    ("leaderboard", {"period": "all"}, "Steps finished all time"),
    ("me timezone", {"timezone": "Europe/Berlin"}, "Europe/Berlin"),
    ("me privacy", {"privacy": "public"}, "You're public"),
    ("me reminders", {"setting": "off"}, "Reminders are off"),
    ("me quiet", {"hours": "22-07"}, "Quiet hours set"),
    ("me vacation", {"days": 0}, "You weren't on vacation"),
    ("me images", {"setting": "on"}, "Pictures are on"),
    ("me mentor", {"setting": "on"}, "Thanks!"),
    ("review", {}, "Nothing is due"),
    ("answer", {"card": "1", "choice": 3}, "comes back for review"),
    ("offer", {"request": 1}, "no help request number 1"),
    ("solved", {}, "no open question here"),
    ("me forget", {}, "Delete all your data?"),
    ("me export", {}, "Your data"),
    ("kaggle show", {}, "use this in your group's channel"),
    ("group show", {}, "isn't a study group yet"),
]

GROUP_COMMANDS: list[tuple[str, dict[str, Any], str]] = [
    ("group setup", {"track": "ml-engineer", "timezone": "Europe/Berlin"}, "now a study group"),
    ("group schedule daily", {"time": "08:30"}, "The daily resource comes at 08:30"),
    (
        "group schedule checkin",
        {"weekday": "friday", "time": "18:00"},
        "Check-ins open Friday at 18:00",
    ),
    (
        "group schedule kaggle",
        {"cadence": "biweekly", "weekday": "monday", "time": "10:00"},
        "Kaggle challenges come biweekly",
    ),
    ("group show", {}, "Study group"),
    ("group checkins", {}, "Check-ins"),
    ("group admin add", {"member": ADMIN}, "can now run this group's admin commands"),
    ("group admins", {}, "Group admins: Admin."),
    ("group admin remove", {"member": ADMIN}, "no longer on this group's admin list"),
    ("group images", {"setting": "on"}, "Pictures are on in this group"),
    ("group pause", {}, "Paused"),
    ("group resume", {}, "Back on"),
    ("kaggle show", {}, "Titanic"),
    (
        "kaggle submit",
        {"url": "https://www.kaggle.com/code/admin/titanic", "score": 0.76},
        "took on",
    ),
    ("checkin", {"finished": "python-basics", "hours": 3.0}, "Check-in saved"),
    ("leaderboard", {"period": "week", "metric": "kaggle"}, "Kaggle attempts this week"),
    (
        "stuck",
        {"step": "python-basics", "question": "how do loops work?"},
        "Asked for help with Python fundamentals",
    ),
    ("leaderboard", {"period": "week", "metric": "helped"}, "Helped others this week"),
]


async def test_the_bot_reaches_ready_with_its_token(rig: DiscordRig) -> None:
    assert rig.adapter.connected
    [identify] = rig.fake.identifies
    assert identify["token"] == "fake-token"
    assert identify["intents"] == 1, "only the guilds intent: nothing privileged"


async def test_every_command_answers_with_the_right_callback(rig: DiscordRig) -> None:
    for path, options, expected in COMMANDS:
        answer = await rig.run(path, **options)
        assert answer["type"] == 4, path
        assert expected in text_of(answer), path
    for path, options, expected in GROUP_COMMANDS:
        answer = await rig.run(path, who=ADMIN, admin=True, **options)
        assert expected in text_of(answer), path
    registry = rig.adapter.core.registry
    every = {path for path, _, _ in [*COMMANDS, *GROUP_COMMANDS]}
    assert {" ".join(discord_path(c, registry)) for c in registry.commands} == every


async def test_personal_answers_are_ephemeral_and_celebrations_public(rig: DiscordRig) -> None:
    progress = await rig.run("progress")
    done = await rig.run("done", step="python-basics")
    assert is_ephemeral(progress)
    assert not is_ephemeral(done)


async def test_embeds_carry_links_bars_and_buttons(rig: DiscordRig) -> None:
    step = await rig.run("step", step="python-basics")
    [embed] = step["data"]["embeds"]
    assert embed["title"].startswith("Python fundamentals")
    assert "[Python Crash Course](https://nostarch.com/python-crash-course-3rd-edition)" in (
        text_of(step)
    )
    assert custom_ids(step) == ["cohort:start?step=python-basics", "cohort:done?step=python-basics"]
    roadmap = await rig.run("roadmap")
    assert "`░░░░░░░░░░` 1. Foundations · 0/7" in text_of(roadmap)
    refused = await rig.run("step", step="pythn")
    assert "Did you mean `python-basics`?" in text_of(refused)
    assert refused["data"]["embeds"][0]["color"] != embed["color"], "errors look different"


async def test_step_options_autocomplete_as_you_type(rig: DiscordRig) -> None:
    interaction = await rig.send(autocomplete("done", "step", "python-b"))
    answer = await rig.answer(interaction)
    assert answer["type"] == 8
    assert answer["data"]["choices"] == [
        {"name": "Python fundamentals · python-basics", "value": "python-basics"}
    ]
    zones = await rig.answer(await rig.send(autocomplete("me timezone", "timezone", "berl")))
    assert zones["data"]["choices"][0]["value"] == "Europe/Berlin"


async def test_a_button_still_works_after_the_bot_restarts(
    rig: DiscordRig, app: App, fake: FakeDiscord
) -> None:
    step = await rig.run("step", step="python-basics")
    start = custom_ids(step)[0]
    await rig.adapter.close()
    restarted = DiscordRig(fake, await start_adapter(app, fake))
    try:
        answer = await restarted.answer(await restarted.send(button(start)))
        assert "Started: Python fundamentals" in text_of(answer)
    finally:
        await restarted.adapter.close()
    rig.adapter = restarted.adapter  # the fixture closes it again, harmlessly


async def test_checkin_opens_a_modal_and_its_submission_is_stored(rig: DiscordRig) -> None:
    await rig.run("group setup", who=ADMIN, admin=True)
    opened = await rig.run("checkin")
    assert opened["type"] == 9
    form = opened["data"]
    labels = [c["label"] for c in form["components"]]
    assert labels[0] == "What did you finish?"
    submitted = await rig.send(
        modal_submit(form["custom_id"], {"finished": "python-basics", "hours": "4"})
    )
    saved = await rig.answer(submitted)
    assert "Check-in saved" in text_of(saved)
    progress = await rig.run("progress")
    assert "1 of 40 steps done" in text_of(progress), "the check-in marked the step done"


async def test_a_bad_or_empty_modal_gets_a_clear_answer(rig: DiscordRig) -> None:
    await rig.run("group setup", who=ADMIN, admin=True)
    first = (await rig.run("checkin"))["data"]["custom_id"]
    bad = await rig.answer(await rig.send(modal_submit(first, {"hours": "lots"})))
    assert "must be a number" in text_of(bad)
    assert is_ephemeral(bad)
    second = (await rig.run("checkin"))["data"]["custom_id"]
    empty = await rig.answer(await rig.send(modal_submit(second, {"next": "  "})))
    assert "Tell the group at least one thing" in text_of(empty)


async def test_the_check_in_button_on_the_weekly_prompt_opens_the_form(rig: DiscordRig) -> None:
    answer = await rig.answer(await rig.send(button("cohort:checkin")))
    assert answer["type"] == 9
    assert answer["data"]["title"] == "Weekly check-in"


async def test_group_commands_need_manage_server_and_the_core_checks_again(
    rig: DiscordRig,
) -> None:
    refused = await rig.run("group setup")
    assert "Only community admins can use `/group setup`" in text_of(refused)
    allowed = await rig.run("group setup", who=ADMIN, admin=True)
    assert "now a study group" in text_of(allowed)
    await rig.run("progress", who=BEN)  # Ben becomes known to Cohort
    await rig.run("group admin add", who=ADMIN, admin=True, member=BEN)
    trusted = await rig.run("group pause", who=BEN)
    assert "Paused" in text_of(trusted), "the group's own admin list counts too"


async def test_slow_work_is_deferred_first_then_answered(rig: DiscordRig) -> None:
    rig.adapter.defer_after = 0  # as if the database were slow today
    progress_id = await rig.send(slash("progress"))
    await rig.fake.wait_for(lambda: rig.fake.called("PATCH", "/webhooks/"))
    [deferred] = rig.fake.callbacks(progress_id)
    assert deferred["type"] == 5
    assert is_ephemeral(deferred)
    answered = rig.fake.called("PATCH", "/webhooks/")[0]
    assert "Your progress" in text_of(answered.body), "the thinking… became the answer"
    shown = await rig.fake.wait_for(lambda: rig.fake.shown_answer(progress_id)["attachments"])
    assert [a["filename"] for a in shown] == ["cohort.png"], "and its card followed"

    await rig.send(slash("done", step="python-basics"))
    [followup] = await rig.fake.wait_for(lambda: rig.fake.called("POST", "/webhooks/"))
    assert "finished **Python fundamentals**" in text_of(followup.body)
    assert not is_ephemeral(followup.body), "a public answer stays public"
    assert text_of(rig.fake.called("PATCH", "/webhooks/")[-1].body) == SHARED


async def test_a_command_discord_knows_but_cohort_does_not(rig: DiscordRig) -> None:
    answer = await rig.answer(await rig.send(slash("dance")))
    assert "That command has changed" in text_of(answer)


async def test_scheduled_posts_and_dms_go_through_discord(
    rig: DiscordRig, app: App, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 18, 7, 0, tzinfo=UTC))
    await rig.run("group setup", who=ADMIN, admin=True, timezone="Europe/Berlin")
    await rig.run("log", who=ADMIN, admin=True, duration="30m")  # a learner: reminded
    engine = accountability_engine(app, rig.adapter.poster, instance="discord-test")
    clock.set(datetime(2026, 11, 18, 8, 0, tzinfo=UTC))
    await engine.run_due()
    [post] = rig.fake.channel_posts(CHANNEL)
    assert "Today's resource" in text_of(post)
    assert custom_ids(post)[0].startswith("cohort:start?step=")

    clock.set(datetime(2026, 11, 21, 16, 0, tzinfo=UTC))  # Saturday: check-in reminders
    await engine.run_due()
    [opened] = rig.fake.called("POST", "/users/@me/channels")
    assert str(opened.body["recipient_id"]) == ADMIN["id"]
    dm_channel = f"6{ADMIN['id'][1:]}"
    [dm] = rig.fake.channel_posts(dm_channel)
    assert "Check-in reminder" in text_of(dm)


async def test_a_button_pressed_in_a_dm_acts_in_the_group_it_came_from(rig: DiscordRig) -> None:
    await rig.run("group setup", who=ADMIN, admin=True)
    await rig.run("progress")  # Ana studies in the group
    nudge = Reply(
        title="Missing you", buttons=(Button("Start it", "start", {"step": "python-basics"}),)
    )
    ana = Actor(ANA["id"], "Ana")
    await rig.adapter.poster.dm(Place(Platform.DISCORD, GUILD, CHANNEL), ana, nudge)
    [dm] = await rig.fake.wait_for(lambda: rig.fake.channel_posts(f"6{ANA['id'][1:]}"))
    [pressed] = custom_ids(dm)
    assert pressed.startswith(f"cohort:start?step=python-basics#{GUILD}/{CHANNEL}.")
    answer = await rig.answer(await rig.fake.interact({**in_dm(ANA), **button(pressed)}))
    assert "Started: Python fundamentals" in text_of(answer)
    again = await rig.run("start", step="python-basics")
    assert "You're already working on" in text_of(again), "it counted in the server"


async def test_a_429_is_waited_out_then_the_post_goes_through(rig: DiscordRig) -> None:
    rig.fake.failures["channel_message"] = [429]
    await rig.adapter.poster.post(Place(Platform.DISCORD, GUILD, CHANNEL), Reply(body="hi"))
    attempts = rig.fake.called("POST", f"/channels/{CHANNEL}/messages")
    assert len(attempts) == 2
    assert text_of(attempts[1].body) == "hi"


async def test_a_5xx_is_retried_and_a_lasting_outage_keeps_the_post_for_later(
    rig: DiscordRig, app: App, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 18, 7, 0, tzinfo=UTC))
    await rig.run("group setup", who=ADMIN, admin=True, timezone="Europe/Berlin")
    poster = DiscordPoster(rig.adapter.client, app.seals, retry_delays=(0.01, 0.01))
    engine = accountability_engine(app, poster, instance="discord-test")
    rig.fake.failures["channel_message"] = [500, 503, 503, 503]
    clock.set(datetime(2026, 11, 18, 8, 0, tzinfo=UTC))
    assert await engine.run_due() == [], "Discord kept failing: nothing counts as sent"
    assert len(rig.fake.channel_posts(CHANNEL)) == 4
    clock.set(clock.now() + timedelta(minutes=1))
    sent = await engine.run_due()
    assert len(sent) == 1, "the claimed post is sent once Discord is back"
    assert len(rig.fake.channel_posts(CHANNEL)) == 5
    clock.set(clock.now() + timedelta(minutes=1))
    assert await engine.run_due() == [], "and never twice"


async def test_a_sharded_start_runs_only_its_own_shards(app: App, fake: FakeDiscord) -> None:
    adapter = await start_adapter(app, fake, discord_shard_count=2, discord_shard_ids="1")
    try:
        assert [i["shard"] for i in fake.identifies] == [[1, 2]]
        rig = DiscordRig(fake, adapter)
        interaction = await fake.interact({**in_guild(ANA), **slash("progress")}, shard=1)
        assert "Your progress" in text_of(await rig.answer(interaction))
    finally:
        await adapter.close()


async def test_a_hostile_name_shows_as_text_and_pings_nobody(rig: DiscordRig) -> None:
    await rig.run("group setup", who=ADMIN, admin=True)
    mallory = user("800000000000000066", "mallory")
    mallory["global_name"] = "[prize](https://evil.example) @everyone <@800000000000000001>"
    answer = await rig.run(
        "done", who=mallory, step="python-basics", note="**[x](https://evil.example)**"
    )
    data = answer["data"]
    assert data["allowed_mentions"] == {"parse": []}, "the bot's messages ping nobody"
    shown = "\n".join(
        [data["embeds"][0].get("description", "")]
        + [f["value"] for f in data["embeds"][0].get("fields", [])]
    )
    assert "evil.example" in shown
    assert not re.search(r"(?<!\\)\]\(https://evil", shown), "no live link to evil.example"
    assert r"\[prize\](https://evil.example)" in shown
    assert "[prize](https://evil.example) @everyone" in text_of(answer), "read as typed"
