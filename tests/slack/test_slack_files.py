"""Files sent with a reply, end to end on Slack: an ephemeral message carries no file, so
`/cohort me export` uploads it into the member's own DM and the ephemeral reply says so."""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.slack.conftest import SlackRig, text_of
from tests.slack.fake_slack import FakeSlack, SharedFile

EXPORT_NAME = re.compile(r"cohort-export-\d{4}-\d{2}-\d{2}\.json")


def exported(shared: SharedFile) -> dict[str, Any]:
    assert EXPORT_NAME.fullmatch(shared.filename), shared.filename
    found: dict[str, Any] = json.loads(shared.data)
    return found


async def test_me_export_lands_in_the_members_own_dm(rig: SlackRig) -> None:
    await rig.slash("done python-basics")
    answer = await rig.slash("me export")

    assert answer["response_type"] == "ephemeral"
    [shared] = rig.fake.files["D-U-ana"]
    assert f"I sent the file to your DMs: `{shared.filename}`" in text_of(answer)
    data = exported(shared)
    assert data["member"]["display_name"] == "ana"
    assert [row["step_id"] for row in data["step_progress"]] == ["python-basics"]
    assert shared.title == "Everything Cohort holds about you in this community, as JSON."
    assert shared.initial_comment == "📦 Your data"
    assert list(rig.fake.files) == ["D-U-ana"], "no channel and no other DM gets it"
    assert rig.fake.called("chat.postMessage") == []

    await rig.slash("me export", user="U-ben", name="ben")
    [bens] = rig.fake.files["D-U-ben"]
    assert exported(bens)["member"]["display_name"] == "ben"
    assert exported(bens)["step_progress"] == [], "Ben gets his own data, not Ana's"
    assert len(rig.fake.files["D-U-ana"]) == 1


async def test_an_app_installed_without_files_write_says_how_to_fix_it(rig: SlackRig) -> None:
    rig.fake.scopes.discard("files:write")  # installed from an older manifest
    answer = await rig.slash("me export")
    assert answer["response_type"] == "ephemeral"
    assert "reinstall Cohort from `cohort slack manifest`" in text_of(answer)
    assert "files:write" in text_of(answer)
    assert rig.fake.files == {}
    assert "Your progress" in text_of(await rig.slash("progress")), "the bot carries on"


async def test_a_failed_upload_gets_a_clear_message_and_the_bot_carries_on(
    rig: SlackRig,
) -> None:
    rig.fake.refusals["files.getUploadURLExternal"] = ["file_uploads_disabled"]
    disabled = await rig.slash("me export")
    assert "doesn't let apps upload files" in text_of(disabled)
    rig.fake.refusals["files.completeUploadExternal"] = ["fatal_error"]
    failed = await rig.slash("me export", channel="C-other")  # not a replay of the first
    assert "couldn't send your file to your DMs just now" in text_of(failed)
    assert "Here is everything" not in text_of(failed), "no promise of a file that is not there"
    assert rig.fake.files == {}
    again = await rig.slash("me export", channel="C-third")
    assert "I sent the file to your DMs" in text_of(again)
    assert len(rig.fake.files["D-U-ana"]) == 1


async def test_the_fake_checks_uploads_the_way_slack_does(rig: SlackRig) -> None:
    fake: FakeSlack = rig.fake
    client = AsyncWebClient(token="xoxb-test", base_url=f"{fake.url}/api/")
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.api_call("files.getUploadURLExternal", params={"filename": "a.json"})
    with pytest.raises(SlackApiError, match="missing_argument"):
        await client.files_getUploadURLExternal(filename="a.json", length=0)

    ticket = await client.files_getUploadURLExternal(filename="a.json", length=2)
    async with aiohttp.ClientSession() as session:
        short = await session.post(ticket["upload_url"], data=b"{")
        assert short.status == 400, "the bytes must be as long as announced"
        with pytest.raises(SlackApiError, match="file_not_found"):
            await client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}])
        assert (await session.post(ticket["upload_url"], data=b"{}")).status == 200

    entry = [{"id": ticket["file_id"], "title": "A"}]
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.files_completeUploadExternal(files=entry, channel_id="D-U-nobody")
    await client.conversations_open(users="U-ana")
    done = await client.files_completeUploadExternal(files=entry, channel_id="D-U-ana")
    assert done["files"][0]["id"] == ticket["file_id"]
    assert fake.files["D-U-ana"] == [SharedFile(ticket["file_id"], "a.json", "A", b"{}", None)]
    with pytest.raises(SlackApiError, match="file_not_found"):  # once only
        await client.files_completeUploadExternal(files=entry, channel_id="D-U-ana")
