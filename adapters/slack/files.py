"""A reply's file, delivered on Slack. Ephemeral messages carry no files, so the file goes
to the member's DM with the bot, through Slack's upload flow (files.getUploadURLExternal,
the bytes to the URL it returns, files.completeUploadExternal), which slack-sdk's
`files_upload_v2` runs; the ephemeral reply says where it went."""

from __future__ import annotations

import logging
from dataclasses import replace

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate
from bot.messages import Attachment, Reply

log = logging.getLogger(__name__)

UPLOAD_TROUBLE = "Sorry, I couldn't send your file to your DMs just now. Try again in a minute."
NOT_ALLOWED = (
    "This workspace doesn't let apps upload files, so I couldn't send you the file. "
    "A workspace admin can allow file uploads."
)
MISSING_SCOPE = (
    "I'm not allowed to send you files in this workspace yet. A workspace admin can "
    "reinstall Cohort from `cohort slack manifest` (it needs the {scope} scope)."
)
# What a member reads when Slack refuses an upload for a reason somebody can fix.
UPLOAD_REFUSALS = {
    "file_uploads_disabled": NOT_ALLOWED,
    "file_uploads_except_images_disabled": NOT_ALLOWED,
    "file_upload_size_restricted": (
        "This workspace limits the size of uploads and the file is over it, so I couldn't "
        "send it to you."
    ),
}


def sent_note(attachment: Attachment) -> str:
    return f"📬 I sent the file to your DMs: `{attachment.filename}`."


async def deliver_attachment(client: AsyncWebClient, user_id: str, reply: Reply) -> Reply:
    """Upload `reply`'s attachment into the DM of `user_id` (the member who asked, as Slack
    vouched for them) and return the reply to show them: with a line saying where the
    file went, or, when Slack did not take it, a short message saying so."""
    attachment = reply.attachment
    if attachment is None:
        return reply
    try:
        opened = await client.conversations_open(users=user_id)
        await client.files_upload_v2(
            channel=opened["channel"]["id"],
            filename=attachment.filename,
            content=attachment.data,
            title=attachment.description,
            initial_comment=translate.fallback_text(reply),
        )
    except SlackApiError as error:
        code = str(error.response.get("error", ""))
        log.warning("Slack refused a file for %s (%s)", user_id, code)
        if code == "missing_scope":  # installed from a manifest older than the upload
            scope = str(error.response.get("needed") or "files:write")
            return Reply.error(MISSING_SCOPE.format(scope=scope))
        return Reply.error(UPLOAD_REFUSALS.get(code, UPLOAD_TROUBLE))
    except (SlackClientError, aiohttp.ClientError, TimeoutError):
        log.warning("could not upload a file for %s", user_id, exc_info=True)
        return Reply.error(UPLOAD_TROUBLE)
    note = sent_note(attachment)
    body = f"{reply.body}\n\n{note}" if reply.body else note
    return replace(reply, body=body, attachment=None)
