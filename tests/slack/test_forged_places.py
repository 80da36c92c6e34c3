"""On Slack too, nothing that comes back from the client carries authority: a check-in
form's private metadata and a DM button's value count only when the bot sealed them for
the person using them, in their own workspace; admin commands never run from them."""

from __future__ import annotations

import itertools
from typing import Any

import aiohttp
import pytest

from bot.bootstrap import App
from bot.messages import Actor, Button, Place, Platform, Reply
from bot.seals import NOT_SEALED, Purpose
from bot.services.tenancy import ADMIN_NOT_CARRIED, NOT_YOUR_GROUP
from tests.slack.conftest import SlackRig, facts, text_of
from tests.slack.fake_slack import interactive_body, signed
from tests.support import row_counts

STUDY = Place(Platform.SLACK, "T1", "C-study")
OTHER = Place(Platform.SLACK, "T1", "C-other")  # another group in the same workspace
_presses = itertools.count(1)
FORM = "cohort:checkin-modal"
DONE = "cohort:done?step=python-basics"


@pytest.fixture
async def groups(rig: SlackRig) -> SlackRig:
    """Two study groups in one workspace: Ana studies in C-study, Ben in C-other."""
    await rig.slash("group setup", user="U-admin", name="admin")
    await rig.slash("group setup", user="U-admin", name="admin", channel="C-other")
    await rig.slash("progress", user="U-ana", name="ana")
    await rig.slash("done python-basics", user="U-ben", name="ben", channel="C-other")
    return rig


async def press(
    rig: SlackRig, action_id: str, value: str, *, user: str = "U-ana", channel: str = "D-U-ana"
) -> str:
    number = next(_presses)
    before = len(rig.fake.responses)
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "channel": {"id": channel},
        "user": {"id": user, "username": user.removeprefix("U-")},
        "trigger_id": f"trigger-press-{number}",
        "response_url": f"{rig.fake.url}/respond/press-{number}",
        "actions": [{"action_id": action_id, "type": "button", "value": value}],
    }
    assert await rig.post(interactive_body(payload)) == 200
    await rig.fake.wait_for(lambda: len(rig.fake.responses) > before)
    return text_of(rig.fake.responses[before])


async def submit_checkin(
    rig: SlackRig, metadata: str, *, user: str = "U-ana", team: str = "T1"
) -> dict[str, Any]:
    view = {
        "type": "modal",
        "id": f"V{next(_presses)}",
        "callback_id": "cohort:checkin-modal",
        "private_metadata": metadata,
        "team_id": team,
        "state": {"values": {"finished": {"finished": {"value": "python-basics"}}}},
    }
    submission = {
        "type": "view_submission",
        "team": {"id": team},
        "user": {"id": user, "username": user.removeprefix("U-")},
        "view": view,
    }
    body = interactive_body(submission)
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            rig.events_url,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)},
        )
        return await response.json() if response.content_length else {}


@pytest.mark.parametrize(
    "metadata",
    [
        "C-other",  # a bare channel id, as forms carried before they were sealed
        "T1/C-other.AAAAAAAAAAAA",  # a made-up seal
        "{'channel': 'C-other'}",
        "",
    ],
)
async def test_a_forged_checkin_form_is_refused_and_stores_nothing(
    groups: SlackRig, app: App, metadata: str
) -> None:
    before = facts(await row_counts(app.sessions))
    answer = await submit_checkin(groups, metadata)
    assert answer["response_action"] == "errors"
    assert answer["errors"]["finished"] == NOT_SEALED[:150]
    assert facts(await row_counts(app.sessions)) == before


async def test_a_form_sealed_for_someone_else_or_another_workspace_is_refused(
    groups: SlackRig, app: App
) -> None:
    before = facts(await row_counts(app.sessions))
    bens = app.seals.seal(OTHER, "U-ben", Purpose.FORM, FORM) or ""
    assert (await submit_checkin(groups, bens))["response_action"] == "errors"
    elsewhere = app.seals.seal(Place(Platform.SLACK, "T2", "C-other"), "U-ana", Purpose.FORM, FORM)
    assert (await submit_checkin(groups, elsewhere or ""))["response_action"] == "errors"
    dm_seal_for_a_form = app.seals.seal(OTHER, "U-ana", Purpose.DM_BUTTON, FORM) or ""
    answer = await submit_checkin(groups, dm_seal_for_a_form)
    assert answer["errors"]["finished"] == NOT_YOUR_GROUP[:150], "Ana isn't in C-other's group"
    assert facts(await row_counts(app.sessions)) == before


async def test_a_forged_dm_button_is_refused_and_changes_nothing(
    groups: SlackRig, app: App
) -> None:
    before = facts(await row_counts(app.sessions))
    for value in (
        "cohort:done?step=python-basics#T1/C-other",
        "cohort:done?step=python-basics#T1/C-other.AAAAAAAAAAAA",
        "cohort:done?step=python-basics#"
        + (app.seals.seal(OTHER, "U-ben", Purpose.DM_BUTTON, DONE) or ""),
    ):
        assert NOT_SEALED in await press(groups, "cohort:done?step=python-basics", value)
    sealed = "#" + (app.seals.seal(OTHER, "U-ana", Purpose.DM_BUTTON, DONE) or "")
    answer = await press(groups, DONE, DONE + sealed)
    assert NOT_YOUR_GROUP in answer, "a sealed place still needs the presser in that group"
    assert facts(await row_counts(app.sessions)) == before


async def test_in_a_channel_a_carried_place_is_ignored(groups: SlackRig, app: App) -> None:
    board_id = "cohort:leaderboard?period=all"
    sealed = "#" + (app.seals.seal(OTHER, "U-ana", Purpose.DM_BUTTON, board_id) or "")
    board = await press(groups, board_id, board_id + sealed, channel="C-study")
    assert "ben" not in board, "C-other's leaderboard stays in C-other"


async def test_admin_commands_never_run_from_a_dm_button(groups: SlackRig, app: App) -> None:
    before = facts(await row_counts(app.sessions))
    for action in ("cohort:group pause", "cohort:group setup", "cohort:group admin add?member=ana"):
        sealed = "#" + (app.seals.seal(STUDY, "U-admin", Purpose.DM_BUTTON, action) or "")
        answer = await press(groups, action, action + sealed, user="U-admin", channel="D-U-admin")
        assert ADMIN_NOT_CARRIED in answer
    assert facts(await row_counts(app.sessions)) == before
    asked = [c for c in groups.fake.called("users.info") if c["user"] == "U-admin"]
    assert len(asked) == 2, "only the two setups in channels asked Slack who is an admin"


async def test_dm_buttons_carry_a_sealed_place_that_works_for_their_member(
    groups: SlackRig, app: App
) -> None:
    nudge = Reply(
        title="Missing you", buttons=(Button("Start it", "start", {"step": "dev-tools"}),)
    )
    await groups.adapter.poster.dm(STUDY, Actor("U-ana", "ana"), nudge)
    [sent] = await groups.fake.wait_for(lambda: groups.fake.called("chat.postMessage"))
    [start] = sent["blocks"][-1]["elements"]
    assert start["action_id"] == "cohort:start?step=dev-tools"
    assert start["value"].startswith("cohort:start?step=dev-tools#T1/C-study.")
    answer = await press(groups, start["action_id"], start["value"])
    assert "Started" in answer
    assert "Started" not in await press(
        groups, start["action_id"], start["value"], user="U-ben", channel="D-U-ben"
    ), "forwarded to someone else, it is refused"


async def test_a_dm_seal_runs_only_the_action_it_was_made_for(groups: SlackRig, app: App) -> None:
    before = facts(await row_counts(app.sessions))
    seal = app.seals.seal(STUDY, "U-ana", Purpose.DM_BUTTON, "cohort:start?step=dev-tools")
    for swapped in ("cohort:group admins", "cohort:checkin?finished=forged", DONE):
        assert NOT_SEALED in await press(groups, swapped, f"{swapped}#{seal}")
    assert facts(await row_counts(app.sessions)) == before
