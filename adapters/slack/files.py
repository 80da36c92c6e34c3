"""A reply's file and picture, delivered on Slack, through Slack's upload flow
(files.getUploadURLExternal, the bytes to the URL it returns, files.completeUploadExternal),
which slack-sdk's `files_upload_v2` runs.

Ephemeral messages carry no files, so a file (`/me export`) goes to the member's DM with
the bot, and so does the picture of an ephemeral reply (`/progress`); the reply says where
it went. The picture of a reply the channel sees (`/leaderboard`, the weekly summary) is
shared into the channel, right after the text. The text never depends on the picture: it
says everything the picture shows, so when Slack does not take one, it goes on alone."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate
from adapters.slack.limits import FilesUpload, shorten
from bot.messages import Attachment, Image, Reply

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


PICTURE_NAME = "cohort-card.png"
PICTURE_COMING = "🖼️ Your card is on its way to your DMs with me."
PICTURE_NOT_SENT = "I couldn't send your card this time; everything it shows is in my answer."


@dataclass(frozen=True)
class Shared:
    """A picture Slack took: its file id, which an image block can show (`slack_file`)."""

    file_id: str
    digest: str  # of the picture's bytes: the same card drawn again is the same picture


def picture_title(reply: Reply) -> str:
    return shorten(translate.plain(reply.title), 200) or "Cohort"


async def share_picture(
    client: AsyncWebClient,
    channel: str,
    image: Image,
    *,
    title: str,
    filename: str = PICTURE_NAME,
) -> Shared | None:
    """Upload `image` into `channel` with its alt text for screen readers; None, logged,
    when Slack does not take it (the text it goes with says everything it shows)."""
    alt = shorten(translate.plain(image.alt_text), FilesUpload.ALT_TXT)
    try:
        done = await client.files_upload_v2(
            channel=channel, filename=filename, content=image.png, title=title, alt_txt=alt
        )
    except SlackApiError as error:
        log.warning("Slack refused a picture for %s (%s)", channel, error.response.get("error", ""))
        return None
    except (SlackClientError, aiohttp.ClientError, TimeoutError):
        log.warning("could not upload a picture to %s", channel, exc_info=True)
        return None
    file_id = str((done.get("file") or {}).get("id") or "")
    return Shared(file_id, digest(image)) if file_id else None


def digest(image: Image) -> str:
    return hashlib.sha256(image.png).hexdigest()
