"""Cohort on Slack: slack-bolt's AsyncApp, glued to the core. Translation lives in
`translate`; this module only receives, dispatches and sends."""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack import limits, translate
from adapters.slack.endpoint import SlackEndpoint, acks_first, not_a_replay
from adapters.slack.files import (
    PICTURE_COMING,
    PICTURE_NAME,
    PICTURE_NOT_SENT,
    Shared,
    deliver_attachment,
    digest,
    picture_title,
    share_picture,
)
from adapters.slack.rate_limits import SlackPacer
from bot.bootstrap import App
from bot.commands.parse import parse_command_line
from bot.errors import UserError
from bot.messages import Actor, Button, Image, Invocation, Place, Platform, Reply
from bot.ports import Sending
from bot.seals import NOT_SEALED, PlaceSeals, Purpose, SealFor
from bot.settings import Settings

log = logging.getLogger(__name__)

SLACK_API = "https://slack.com/api/"
CHECKIN_ACTION = Button("Check in", "checkin").action_id
ADMIN_FLAGS = ("is_admin", "is_owner", "is_primary_owner")
SLACK_TROUBLE = (
    "Sorry, Slack didn't answer me just now, so nothing was changed. Try again in a minute."
)
# How much of an answer is shown under a form's field (Slack names no limit; a line or two).
FORM_ERROR_CHARS = 150
# Members whose DM with the bot, and whose App Home card, are remembered (a few MB each);
# past that, the longest remembered is forgotten and costs one Slack call when next needed.
MEMBERS_REMEMBERED = 20_000
EMPTY_FORM = "Type your answer first."


def make_client(settings: Settings) -> AsyncWebClient:
    """A Web API client that rides out rate limits (429, honouring Retry-After), server
    errors and dropped connections before giving up."""
    base = settings.slack_api_url or SLACK_API
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(
        token=token,
        base_url=base if base.endswith("/") else base + "/",
        timeout=15,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=3),
        ],
    )


DELIVERY_EVENT = "cohort_delivery"  # message metadata event_type naming a scheduled post
LOOKBACK_SECONDS = 7 * 24 * 3600  # how far back a resend looks for its first attempt
LOOKBACK_MESSAGES = 100  # ... and through how many of the channel's latest messages
MAYBE_TAKEN_RETRIES = 3  # resends (each after a look) when Slack's answer was an error
# Slack refusing to let the bot read a conversation: a resend then cannot check first
CANNOT_CHECK = frozenset(
    {
        "missing_scope",
        "not_in_channel",
        "channel_not_found",
        "method_not_supported_for_channel_type",
        "is_archived",
    }
)


class SlackPoster:
    """Scheduled posts and DMs through the Web API: paced under Slack's rate limits, each
    call ended after `timeout` seconds, and idempotent for a scheduled delivery. Its
    message carries metadata naming the delivery, and a resend whose first attempt may
    have reached Slack (`sending.unsure`, or an error answer in between) first looks for
    that message in the conversation's latest history."""

    def __init__(
        self,
        client: AsyncWebClient,
        seals: PlaceSeals,
        *,
        timeout: float = 20.0,
        pacer: SlackPacer | None = None,
    ) -> None:
        self.client = self._delivery_client(client, timeout)
        self.seals = seals
        self.timeout = timeout
        self.pacer = pacer or SlackPacer()
        self._bot_id: str | None = None

    @staticmethod
    def _delivery_client(client: AsyncWebClient, timeout: float) -> AsyncWebClient:
        """The same Slack connection without the retries that would blindly resend a post
        Slack may already hold (a 5xx, a connection dropped mid-answer): `_deliver`
        resends those itself, after looking. A refused connection (nothing was sent) and a
        429 (Slack took nothing) are still retried here."""
        delivery = AsyncWebClient(
            token=client.token,
            base_url=client.base_url,
            timeout=max(1, math.ceil(timeout)),
            ssl=client.ssl,
            proxy=client.proxy,
            session=client.session,
            trust_env_in_session=client.trust_env_in_session,
            headers=dict(client.headers),
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(
                    max_retry_count=2, error_types=[aiohttp.ClientConnectorError]
                ),
                AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            ],
        )
        delivery.default_params = dict(client.default_params)
        return delivery

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        text = reply.text_only()
        await self._deliver(place, place.channel_id, translate.messages(text), sending)
        await self._deliver_picture(place, place.channel_id, reply, sending)

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        opened = await self._api(
            place, "conversations.open", lambda: self.client.conversations_open(users=actor.user_id)
        )
        channel = opened["channel"]["id"]
        seal_for = self.seals.for_dm(place, actor.user_id)
        text = reply.text_only()
        await self._deliver(place, channel, translate.messages(text, seal_for), sending)
        await self._deliver_picture(place, channel, reply, sending)

    async def _deliver_picture(
        self, place: Place, channel: str, reply: Reply, sending: Sending | None
    ) -> None:
        """Share the reply's picture into `channel` after its text. A scheduled delivery's
        picture is named after the delivery, and a resend that may follow a first attempt
        looks for it in the conversation first. Slack not taking it is logged, never
        raised: the text, already there, says everything the picture shows."""
        if not reply.has_picture:
            return
        name = f"cohort-{sending.token(16)}.png" if sending is not None else PICTURE_NAME
        if (
            sending is not None
            and sending.unsure
            and await self._picture_there(place, channel, name)
        ):
            log.info("the picture of %s is already in %s; not sharing it again", sending, channel)
            return
        picture = await reply.picture()
        if picture is None:
            return
        await self.pacer.call(place.workspace_id, "files.getUploadURLExternal")
        await self.pacer.call(place.workspace_id, "files.completeUploadExternal")
        try:
            async with asyncio.timeout(self.timeout):
                await share_picture(
                    self.client, channel, picture, title=picture_title(reply), filename=name
                )
        except TimeoutError:
            log.warning("gave up sharing the picture of %s in %s", sending, channel)

    async def _picture_there(self, place: Place, channel: str, name: str) -> bool:
        try:
            history = await self._history(place, channel)
        except SlackApiError as error:
            log.warning("cannot check %s for a picture (%s)", channel, error.response.get("error"))
            return False
        return any(
            f.get("name") == name
            for message in history.get("messages") or []
            for f in message.get("files") or []
        )

    async def _deliver(
        self,
        place: Place,
        channel: str,
        messages: list[dict[str, Any]],
        sending: Sending | None,
    ) -> None:
        """Post `messages` in order. For a scheduled delivery each carries metadata naming
        the delivery (and which part it is, when there are several), and a resend posts
        only the parts that are not in the conversation yet."""
        parts = [limits.checked(message) for message in messages]  # all fit, or none is sent
        there: set[int] = set()
        if sending is not None and sending.unsure:
            there = await self._posted(place, channel, sending)
        for number, message in enumerate(parts, 1):
            if number in there:
                log.info(
                    "part %d of %s is already in %s; not posting it again", number, sending, channel
                )
                continue
            if sending is not None:
                message = {**message, "metadata": _delivery_metadata(sending, number, len(parts))}
            await self._deliver_part(place, channel, message, sending, number)

    async def _deliver_part(
        self,
        place: Place,
        channel: str,
        message: dict[str, Any],
        sending: Sending | None,
        number: int,
    ) -> None:
        unsure = False
        for retry in range(MAYBE_TAKEN_RETRIES + 1):
            if (
                unsure
                and sending is not None
                and number in await self._posted(place, channel, sending)
            ):
                log.info("delivery %s is already in %s; not posting it again", sending, channel)
                return
            try:
                await self._api(
                    place,
                    "chat.postMessage",
                    lambda: self.client.chat_postMessage(channel=channel, **message),
                    channel=channel,
                )
                return
            except (SlackApiError, aiohttp.ClientError) as error:
                if retry == MAYBE_TAKEN_RETRIES or not _maybe_taken(error):
                    raise
                log.warning("Slack may or may not have taken a post to %s (%r)", channel, error)
            unsure = sending is not None
            await asyncio.sleep(0.5 * 2**retry)

    async def _posted(self, place: Place, channel: str, sending: Sending) -> set[int]:
        """Which parts of this delivery are among the conversation's latest messages from
        our bot (a message of one part is part 1)."""
        bot_id = await self._our_bot_id(place)
        try:
            history = await self._history(place, channel)
        except SlackApiError as error:
            code = error.response.get("error")
            if code == "not_in_channel" and await self._joined(place, channel):
                history = await self._history(place, channel)
            elif code in CANNOT_CHECK:
                log.warning(
                    "cannot read %s to check for delivery %s (%s), so posting it again; "
                    "reinstall Cohort from `cohort slack manifest` if a scope is missing",
                    channel,
                    sending,
                    code,
                )
                return set()
            else:
                raise
        found = (_delivery_part(m, sending.key, bot_id) for m in history.get("messages") or [])
        return {part for part in found if part is not None}

    async def _history(self, place: Place, channel: str) -> AsyncSlackResponse:
        oldest = f"{time.time() - LOOKBACK_SECONDS:.6f}"  # Slack's timestamps: wall clock
        return await self._api(
            place,
            "conversations.history",
            lambda: self.client.conversations_history(
                channel=channel,
                oldest=oldest,
                limit=LOOKBACK_MESSAGES,
                include_all_metadata=True,
            ),
        )

    async def _joined(self, place: Place, channel: str) -> bool:
        """Join a public channel the bot posts to without being a member (chat:write.public),
        so that its history can be read."""
        try:
            await self._api(
                place, "conversations.join", lambda: self.client.conversations_join(channel=channel)
            )
        except SlackApiError as error:
            if error.response.get("error") in CANNOT_CHECK:
                return False
            raise
        return True

    async def _our_bot_id(self, place: Place) -> str | None:
        if self._bot_id is None:
            me = await self._api(place, "auth.test", self.client.auth_test)
            self._bot_id = me.get("bot_id")
        return self._bot_id

    async def _api(
        self,
        place: Place,
        method: str,
        call: Callable[[], Awaitable[AsyncSlackResponse]],
        *,
        channel: str | None = None,
    ) -> AsyncSlackResponse:
        """One Web API call, once the pacer allows it, given up (TimeoutError) after
        `timeout` seconds, Slack's own Retry-After waits included."""
        await self.pacer.call(place.workspace_id, method, channel)
        async with asyncio.timeout(self.timeout):
            return await call()


def _maybe_taken(error: Exception) -> bool:
    """Whether a post that failed may still have reached the channel: Slack says of its
    internal errors that part of the operation may have succeeded, and a connection lost
    after sending tells nothing. A refused connection sent nothing."""
    if isinstance(error, SlackApiError):
        status = int(getattr(error.response, "status_code", 200))
        return status >= 500 or error.response.get("error") in {"internal_error", "fatal_error"}
    return not isinstance(error, aiohttp.ClientConnectorError)


def _delivery_metadata(sending: Sending, number: int, parts: int) -> dict[str, Any]:
    payload: dict[str, Any] = {"key": sending.key}
    if parts > 1:
        payload |= {"part": number, "parts": parts}
    return {"event_type": DELIVERY_EVENT, "event_payload": payload}


def _delivery_part(message: dict[str, Any], key: str, bot_id: str | None) -> int | None:
    """Which part of delivery `key` a message from the conversation is, if it is one."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    if (
        metadata.get("event_type") != DELIVERY_EVENT
        or payload.get("key") != key
        or (bot_id is not None and message.get("bot_id") != bot_id)
    ):
        return None
    part = payload.get("part", 1)
    return part if isinstance(part, int) else None


Key = TypeVar("Key")
Value = TypeVar("Value")


def remember(kept: dict[Key, Value], key: Key, value: Value) -> None:
    """Keep `value` for `key` in `kept`, forgetting the least recently used first once it
    holds `MEMBERS_REMEMBERED`."""
    kept.pop(key, None)
    while kept and len(kept) >= MEMBERS_REMEMBERED:
        kept.pop(next(iter(kept)))
    kept[key] = value


def recall(kept: dict[Key, Value], key: Key) -> Value | None:
    """What `kept` holds for `key`, now counted as the most recently used."""
    value = kept.pop(key, None)
    if value is not None:
        kept[key] = value
    return value


class SlackAdapter:
    def __init__(self, core: App, settings: Settings) -> None:
        if settings.slack_signing_secret is None:
            msg = "SLACK_SIGNING_SECRET is needed to verify requests from Slack"
            raise ValueError(msg)
        self.signing_secret = settings.slack_signing_secret.get_secret_value()
        self.core = core
        self.settings = settings
        self.client = make_client(settings)
        self.poster = SlackPoster(self.client, core.seals)
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=self.signing_secret,
        )
        self.bolt.command("/cohort")(self.on_command)
        self.bolt.action(re.compile(r"^cohort:"))(self.on_action)
        self.bolt.view(translate.CHECKIN_VIEW)(self.on_checkin_form)
        self.bolt.view(translate.FORM_VIEW)(self.on_button_form)
        self.bolt.event("app_home_opened")(self.on_home_opened)
        self._socket: AsyncSocketModeHandler | None = None
        self.endpoint: SlackEndpoint | None = None  # once serving over HTTP (`add_routes`)
        # Each member's card as last shared for their App Home, by (workspace, user). Only
        # saves uploads: a process without it shares the card again when it is next shown.
        self._home_pictures: dict[tuple[str, str], Shared] = {}
        # Each member's DM with the bot, by (workspace, user), as Slack last opened it: the
        # same conversation every time, so a card on its way there costs no extra call.
        self._dm_channels: dict[tuple[str, str], str] = {}

    # --- listeners -------------------------------------------------------------------

    async def on_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()  # within Slack's three seconds; the work happens after
        try:
            await acks_first()
            if not await not_a_replay():
                return
            async with self.core.work.track():
                await self._command(command, respond)
        except Exception:
            log.exception("/cohort failed on a Slack call")
            if command.get("response_url"):  # without one there is nobody to tell
                await self.answer(respond, Reply.error(SLACK_TROUBLE), command)

    async def _command(self, command: dict[str, Any], respond: Any) -> None:
        text = translate.command_text(command)
        place = translate.place_of(command)
        if text.lower() in {"checkin", "check-in"}:
            user_id = str(command.get("user_id", ""))
            seal = self.core.seals.seal(place, user_id, Purpose.FORM, translate.CHECKIN_VIEW)
            await self.open_checkin_form(command["trigger_id"], seal, respond, command)
            return
        user_id = str(command.get("user_id", ""))
        admin = await self.is_admin(user_id) if self._needs_admin(text) else False
        actor = translate.actor_of(command, is_admin=admin)
        reply = await self.core.dispatcher.run_line(text, actor=actor, place=place)
        reply = await deliver_attachment(self.client, actor.user_id, reply)
        await self._answer_with_picture(respond, reply, command, actor, place)

    async def on_action(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        await ack()
        try:
            await acks_first()
            if not await not_a_replay():
                return
            async with self.core.work.track():
                await self._action(body, action, respond)
        except Exception:
            log.exception("a button failed on a Slack call")
            if body.get("response_url"):
                await self.answer(respond, Reply.error(SLACK_TROUBLE), body)

    async def _action(self, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        action_id = str(action.get("action_id", ""))
        place = translate.place_of(body)
        user_id = str((body.get("user") or {}).get("id", ""))
        seal = translate.carried_seal(action)
        # In a channel, the place is always the one Slack says; a button in a DM says which
        # group it was for, and counts only if the bot sealed it for this member.
        carried = translate.is_direct_message(body) and seal is not None
        if carried:
            found = self.core.seals.open(
                seal or "", Platform.SLACK, user_id, Purpose.DM_BUTTON, action_id
            )
            if found is None or found.workspace_id != place.workspace_id:
                await self.answer(respond, Reply.error(NOT_SEALED), body)
                return
            place = found
        # A form opened from a sealed DM button stays carried: it is sealed as one.
        purpose = Purpose.DM_BUTTON if carried else Purpose.FORM
        if action_id == CHECKIN_ACTION:
            form_seal = self.core.seals.seal(place, user_id, purpose, translate.CHECKIN_VIEW)
            await self.open_checkin_form(body["trigger_id"], form_seal, respond, body)
            return
        spec = self.core.dispatcher.form_of(action_id)
        if spec is not None:
            form_seal = self.core.seals.seal(place, user_id, purpose, action_id)
            if form_seal is None:  # ids no seal can carry: not a place Slack would send
                await self.answer(respond, Reply.error(NOT_SEALED), body)
                return
            metadata = translate.form_metadata(action_id, form_seal)
            view = translate.form_modal(translate.button_label(action), spec, metadata)
            await self.client.views_open(trigger_id=body["trigger_id"], view=limits.checked(view))
            return
        admin = await self._presser_is_admin(action_id, user_id, carried=carried)
        actor = translate.actor_of(body, is_admin=admin)
        reply = await self.core.dispatcher.press(
            action_id, actor=actor, place=place, carried=carried
        )
        reply = await deliver_attachment(self.client, actor.user_id, reply)
        # Buttons answering a press in a DM act for the same group: sealed like the DM's own.
        seal_for = self.core.seals.for_dm(place, user_id) if carried else None
        if body.get("response_url"):
            await self._answer_with_picture(respond, reply, body, actor, place, seal_for)
        else:
            await self.refresh_home(actor, place)

    async def _presser_is_admin(self, action_id: str, user_id: str, *, carried: bool) -> bool:
        """Whether whoever pressed an admin command's button in a channel is a workspace
        admin (asked of Slack only then; a carried place never runs an admin command)."""
        command_name = action_id.removeprefix("cohort:").split("?")[0]
        needs_admin = not carried and self._needs_admin(command_name)
        return await self.is_admin(user_id) if needs_admin else False

    async def on_checkin_form(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        if not await not_a_replay():  # (a form's ack says how it went: it waits for this)
            await ack()
            return
        answers = translate.checkin_answers(view)
        team = str((body.get("team") or {}).get("id") or view.get("team_id", ""))
        actor = translate.actor_of(body, is_admin=False)
        seal = str(view.get("private_metadata", ""))
        place, carried = self._form_place(seal, actor.user_id, translate.CHECKIN_VIEW)
        if place is None or place.workspace_id != team:
            await ack(response_action="errors", errors={"finished": NOT_SEALED[:FORM_ERROR_CHARS]})
            return
        if not answers:
            await ack(
                response_action="errors", errors={"finished": "Tell the group at least one thing."}
            )
            return
        invocation = Invocation("checkin", actor, place, answers, carried=carried)
        reply = await self.core.dispatcher.run(invocation)
        if reply.is_error:
            field = "hours" if "hours" in reply.body else "finished"
            error = translate.plain(reply.body)[:FORM_ERROR_CHARS]
            await ack(response_action="errors", errors={field: error})
            return
        await ack()
        reply = await deliver_attachment(self.client, actor.user_id, reply)
        for part in [limits.checked(part) for part in translate.messages(reply)]:
            await self.client.chat_postEphemeral(
                channel=place.channel_id, user=actor.user_id, **part
            )
        await self.refresh_home(actor, place)

    async def on_button_form(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        """A button's one-field form, submitted: its command runs with what was typed, for
        the place the form was sealed with, and answers the way a press does. A problem is
        shown on the form itself, which stays open."""
        if not await not_a_replay():  # (a form's ack says how it went: it waits for this)
            await ack()
            return

        async def refuse(text: str) -> None:
            error = translate.plain(text)[:FORM_ERROR_CHARS]
            await ack(response_action="errors", errors={translate.FORM_FIELD: error})

        team = str((body.get("team") or {}).get("id") or view.get("team_id", ""))
        user_id = str((body.get("user") or {}).get("id", ""))
        carried_back = translate.form_metadata_of(view)
        action_id, seal = carried_back or ("", "")
        place, carried = self._form_place(seal, user_id, action_id)
        spec = self.core.dispatcher.form_of(action_id)
        if place is None or place.workspace_id != team or spec is None:
            await refuse(NOT_SEALED)
            return
        typed = translate.form_answer(view)
        if not typed:
            await refuse(EMPTY_FORM)
            return
        async with self.core.work.track():
            admin = await self._presser_is_admin(action_id, user_id, carried=carried)
            actor = translate.actor_of(body, is_admin=admin)
            reply = await self.core.dispatcher.press(
                action_id, actor=actor, place=place, carried=carried, typed=typed
            )
            if reply.is_error:
                await refuse(reply.body)
                return
            await ack()
            try:
                await self._show_form_answer(reply, actor, place, carried=carried)
            except Exception:
                log.exception("could not show the answer to a form on Slack")

    async def _show_form_answer(
        self, reply: Reply, actor: Actor, place: Place, *, carried: bool
    ) -> None:
        """Show what a submitted form's command answered, as a press's answer is shown (a
        form has no response URL): in the member's DM when the form came from one, else in
        the channel, to the member alone when the answer is for them alone."""
        reply = await deliver_attachment(self.client, actor.user_id, reply)
        if carried:
            await self.poster.dm(place, actor, reply)
        else:
            for part in [limits.checked(part) for part in translate.messages(reply)]:
                if reply.ephemeral:
                    await self.client.chat_postEphemeral(
                        channel=place.channel_id, user=actor.user_id, **part
                    )
                else:
                    await self.client.chat_postMessage(channel=place.channel_id, **part)
        await self.refresh_home(actor, place)

    def _form_place(self, seal: str, user_id: str, form: str) -> tuple[Place | None, bool]:
        """The place a form (the check-in, or a button's form for its action) was opened
        for, and whether it was carried by a DM button (rather than vouched for by Slack
        when the form opened)."""
        opened = self.core.seals.open(seal, Platform.SLACK, user_id, Purpose.FORM, form)
        if opened is not None:
            return opened, False
        return self.core.seals.open(seal, Platform.SLACK, user_id, Purpose.DM_BUTTON, form), True

    async def on_home_opened(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        await acks_first()
        if not await not_a_replay():
            return
        actor = Actor(str(event.get("user", "")), display_name="")  # the event carries no name
        place = Place(Platform.SLACK, str(body.get("team_id", "")), "")
        await self.refresh_home(actor, place, share_picture=True)

    # --- helpers ---------------------------------------------------------------------

    async def answer(
        self,
        respond: Any,
        reply: Reply,
        payload: dict[str, Any],
        seal_for: SealFor | None = None,
        *,
        used: int = 0,
    ) -> int:
        """Show `reply` to whoever ran a command or pressed a button, in as many messages as
        it takes: through the payload's response URL, which Slack lets us use for five
        messages, then (for a longer answer) through the Web API, ephemeral or not alike.
        In a DM, `seal_for` seals the answer's buttons for the group the press was for.
        `used` says how many of the URL's uses earlier answers took; returns the count now."""
        kind = "ephemeral" if reply.ephemeral else "in_channel"
        parts = [limits.checked(part) for part in translate.messages(reply, seal_for)]
        channel = translate.place_of(payload).channel_id
        user_id = str(payload.get("user_id") or (payload.get("user") or {}).get("id", ""))
        for number, part in enumerate(parts, start=used):
            if number < limits.SlashCommands.RESPONSE_URL_USES:
                sent = await respond(response_type=kind, replace_original=False, **part)
                status = getattr(sent, "status_code", 200)
                if status != 200:
                    log.warning(
                        "Slack refused an answer (%s %s)", status, getattr(sent, "body", "")
                    )
            elif reply.ephemeral:
                await self.client.chat_postEphemeral(channel=channel, user=user_id, **part)
            else:
                await self.client.chat_postMessage(channel=channel, **part)
        return used + len(parts)

    async def _answer_with_picture(
        self,
        respond: Any,
        reply: Reply,
        payload: dict[str, Any],
        actor: Actor,
        place: Place,
        seal_for: SealFor | None = None,
    ) -> None:
        """Answer with `reply` first; its picture, drawn after the answer went out, follows
        into the channel right after the text (a reply the channel sees) or into the
        member's DM (an ephemeral answer, which says it is on its way, and says so again if
        it could not be drawn or Slack did not take it)."""
        if not reply.has_picture:
            await self.answer(respond, reply, payload, seal_for)
        elif not reply.ephemeral:
            await self.answer(respond, reply.text_only(), payload, seal_for)
            picture = await reply.picture()
            if picture is not None:
                channel = translate.place_of(payload).channel_id
                await share_picture(self.client, channel, picture, title=picture_title(reply))
        else:
            body = f"{reply.body}\n\n{PICTURE_COMING}" if reply.body else PICTURE_COMING
            coming = replace(reply.text_only(), body=body)
            used = await self.answer(respond, coming, payload, seal_for)
            picture = await reply.picture()
            shared = None
            if picture is not None:
                title = picture_title(reply)
                shared = await self._share_in_dm(place.workspace_id, actor.user_id, picture, title)
            if shared is None:
                not_sent = Reply(PICTURE_NOT_SENT, ephemeral=True)
                await self.answer(respond, not_sent, payload, used=used)
            else:
                remember(self._home_pictures, (place.workspace_id, actor.user_id), shared)
        await self.refresh_home(actor, place)

    async def _share_in_dm(
        self, workspace: str, user_id: str, picture: Image, title: str
    ) -> Shared | None:
        """`picture` shared into the member's DM with the bot; None, logged, when Slack did
        not take it. A DM remembered from before that no longer takes it (the member left
        the workspace and came back, say) is opened afresh once."""
        key = (workspace, user_id)
        remembered = recall(self._dm_channels, key)
        for channel in (remembered, None) if remembered else (None,):
            try:
                channel = channel or await self._open_dm(key)
            except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError):
                log.warning("could not open a DM with %s for a picture", user_id, exc_info=True)
                return None
            shared = await share_picture(self.client, channel, picture, title=title)
            if shared is not None:
                return shared
            self._dm_channels.pop(key, None)
        return None

    async def _open_dm(self, key: tuple[str, str]) -> str:
        opened = await self.client.conversations_open(users=key[1])
        channel = str(opened["channel"]["id"])
        remember(self._dm_channels, key, channel)
        return channel

    async def open_checkin_form(
        self, trigger_id: str, seal: str | None, respond: Any, payload: dict[str, Any]
    ) -> None:
        if seal is None:  # ids no seal can carry: not a place Slack would send
            await self.answer(respond, Reply.error(NOT_SEALED), payload)
            return
        view = limits.checked(translate.checkin_modal(seal))
        await self.client.views_open(trigger_id=trigger_id, view=view)

    async def refresh_home(
        self, actor: Actor, place: Place, *, share_picture: bool = False
    ) -> None:
        """Publish the member's App Home: progress, next step and streak, and their
        progress card. An image block shows only a file the member can see, so the card
        is shared into their DM with the bot: when they open the App Home (`share_picture`)
        and the card changed since it was last shared, or by `/progress`. Otherwise a card
        that changed is left out until then, so the App Home never shows an old one."""
        home = Place(Platform.SLACK, place.workspace_id, "")
        reply = await self.core.dispatcher.run(Invocation("progress", actor, home))
        if reply.is_error:
            return
        try:
            # The card is drawn only when the App Home may show it: to share it now, or to
            # see whether it is still the one shared before.
            if share_picture or (home.workspace_id, actor.user_id) in self._home_pictures:
                reply = await reply.drawn()
            else:
                reply = reply.text_only()
            picture = await self._home_picture(actor, home, reply, share=share_picture)
            view = limits.checked(translate.home_view(reply, picture=picture))
            await self.client.views_publish(user_id=actor.user_id, view=view)
        except Exception:  # the App Home is a nicety; never fail a command over it
            log.warning("could not refresh the App Home of %s", actor.user_id, exc_info=True)

    async def _home_picture(
        self, actor: Actor, home: Place, reply: Reply, *, share: bool
    ) -> str | None:
        """The file id of the App Home's card: the one already shared when it is this card,
        else (when `share`) this card newly shared into the member's DM."""
        if reply.image is None:
            return None
        key = (home.workspace_id, actor.user_id)
        known = recall(self._home_pictures, key)
        if known is not None and known.digest == digest(reply.image):
            return known.file_id
        if not share:
            return None
        title = picture_title(reply)
        shared = await self._share_in_dm(home.workspace_id, actor.user_id, reply.image, title)
        if shared is None:
            return None
        remember(self._home_pictures, key, shared)
        return shared.file_id

    async def is_admin(self, user_id: str) -> bool:
        """Workspace admins and owners may run admin commands."""
        info = await self.client.users_info(user=user_id)
        user = info.get("user") or {}
        return any(bool(user.get(flag)) for flag in ADMIN_FLAGS)

    def _needs_admin(self, text: str) -> bool:
        try:
            command, _ = parse_command_line(text, self.core.registry)
        except UserError:
            return False
        return command.admin_only

    # --- serving ---------------------------------------------------------------------

    def add_routes(self, web_app: web.Application) -> None:
        """Receive Slack's events, commands and interactions at POST /slack/events; each is
        checked first (signature, shape, not a replay) by the endpoint guard."""

        async def slack_events(request: web.Request) -> web.Response:
            try:
                bolt_request = await to_bolt_request(request)
            except (AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
                # signed, yet shaped like nothing Slack sends: bolt fails reading it
                log.warning("refused a signed Slack request bolt cannot read (%r)", error)
                return web.Response(status=400, text="Malformed request body.")
            answer = await self.bolt.async_dispatch(bolt_request)
            return await to_aiohttp_response(answer)

        guard = SlackEndpoint(
            slack_events,
            signing_secret=self.signing_secret,
            sessions=self.core.sessions,
            clock=self.core.clock,
        )
        web_app.router.add_post("/slack/events", guard.handle)
        self.endpoint = guard

    async def connected(self) -> bool:
        """Over HTTP Slack calls us, so we are up while serving; Socket Mode has a link."""
        if self._socket is None:
            return True
        return bool(await self._socket.client.is_connected())

    async def connect_socket_mode(self) -> None:
        if self.settings.slack_app_token is None:
            msg = "SLACK_APP_TOKEN is needed for Socket Mode"
            raise ValueError(msg)
        self._socket = AsyncSocketModeHandler(
            self.bolt, self.settings.slack_app_token.get_secret_value()
        )
        await self._socket.connect_async()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
        await self.client.session.close() if self.client.session else None
