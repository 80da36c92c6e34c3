"""Cohort on Slack: slack-bolt's AsyncApp, glued to the core. Translation lives in
`translate`; this module only receives, dispatches and sends."""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate
from adapters.slack.endpoint import SlackEndpoint
from adapters.slack.files import deliver_attachment
from bot.bootstrap import App
from bot.commands.parse import parse_command_line
from bot.errors import UserError
from bot.messages import Actor, Button, Invocation, Place, Platform, Reply
from bot.ports import Sending
from bot.seals import NOT_SEALED, PlaceSeals, Purpose
from bot.settings import Settings

log = logging.getLogger(__name__)

SLACK_API = "https://slack.com/api/"
CHECKIN_ACTION = Button("Check in", "checkin").action_id
ADMIN_FLAGS = ("is_admin", "is_owner", "is_primary_owner")
SLACK_TROUBLE = (
    "Sorry, Slack didn't answer me just now, so nothing was changed. Try again in a minute."
)


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


class SlackPoster:
    """Scheduled posts and DMs through the Web API."""

    def __init__(self, client: AsyncWebClient, seals: PlaceSeals) -> None:
        self.client = client
        self.seals = seals

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        await self.client.chat_postMessage(channel=place.channel_id, **translate.message(reply))

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        opened = await self.client.conversations_open(users=actor.user_id)
        channel = opened["channel"]["id"]

        seal_for = self.seals.for_dm(place, actor.user_id)
        await self.client.chat_postMessage(channel=channel, **translate.message(reply, seal_for))


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
        self.bolt.event("app_home_opened")(self.on_home_opened)
        self._socket: AsyncSocketModeHandler | None = None

    # --- listeners -------------------------------------------------------------------

    async def on_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()  # within Slack's three seconds; the work happens after
        try:
            async with self.core.work.track():
                await self._command(command, respond)
        except Exception:
            log.exception("/cohort failed on a Slack call")
            if command.get("response_url"):  # without one there is nobody to tell
                await respond(**_response(Reply.error(SLACK_TROUBLE)))

    async def _command(self, command: dict[str, Any], respond: Any) -> None:
        text = (command.get("text") or "").strip() or "help"
        place = translate.place_of(command)
        if text.lower() in {"checkin", "check-in"}:
            user_id = str(command.get("user_id", ""))
            seal = self.core.seals.seal(place, user_id, Purpose.FORM, translate.CHECKIN_VIEW)
            await self.open_checkin_form(command["trigger_id"], seal, respond)
            return
        user_id = str(command.get("user_id", ""))
        admin = await self.is_admin(user_id) if self._needs_admin(text) else False
        actor = translate.actor_of(command, is_admin=admin)
        reply = await self.core.dispatcher.run_line(text, actor=actor, place=place)
        reply = await deliver_attachment(self.client, actor.user_id, reply)
        await respond(**_response(reply))
        await self.refresh_home(actor, place)

    async def on_action(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        await ack()
        try:
            async with self.core.work.track():
                await self._action(body, action, respond)
        except Exception:
            log.exception("a button failed on a Slack call")
            if body.get("response_url"):
                await respond(**_response(Reply.error(SLACK_TROUBLE)))

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
                await respond(**_response(Reply.error(NOT_SEALED)))
                return
            place = found
        if action_id == CHECKIN_ACTION:
            purpose = Purpose.DM_BUTTON if carried else Purpose.FORM
            form_seal = self.core.seals.seal(place, user_id, purpose, translate.CHECKIN_VIEW)
            await self.open_checkin_form(body["trigger_id"], form_seal, respond)
            return
        command_name = action_id.removeprefix("cohort:").split("?")[0]
        needs_admin = not carried and self._needs_admin(command_name)
        admin = await self.is_admin(user_id) if needs_admin else False
        actor = translate.actor_of(body, is_admin=admin)
        reply = await self.core.dispatcher.press(
            action_id, actor=actor, place=place, carried=carried
        )
        reply = await deliver_attachment(self.client, actor.user_id, reply)
        if body.get("response_url"):
            await respond(**_response(reply))
        await self.refresh_home(actor, place)

    async def on_checkin_form(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        answers = translate.checkin_answers(view)
        team = str((body.get("team") or {}).get("id") or view.get("team_id", ""))
        actor = translate.actor_of(body, is_admin=False)
        seal = str(view.get("private_metadata", ""))
        place, carried = self._form_place(seal, actor.user_id)
        if place is None or place.workspace_id != team:
            await ack(response_action="errors", errors={"finished": NOT_SEALED[:150]})
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
            await ack(response_action="errors", errors={field: translate.plain(reply.body)[:150]})
            return
        await ack()
        reply = await deliver_attachment(self.client, actor.user_id, reply)
        await self.client.chat_postEphemeral(
            channel=place.channel_id, user=actor.user_id, **translate.message(reply)
        )
        await self.refresh_home(actor, place)

    def _form_place(self, seal: str, user_id: str) -> tuple[Place | None, bool]:
        """The place a check-in form was opened for, and whether it was carried by a DM
        button (rather than vouched for by Slack when the form opened)."""
        form = translate.CHECKIN_VIEW
        opened = self.core.seals.open(seal, Platform.SLACK, user_id, Purpose.FORM, form)
        if opened is not None:
            return opened, False
        return self.core.seals.open(seal, Platform.SLACK, user_id, Purpose.DM_BUTTON, form), True

    async def on_home_opened(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        actor = Actor(str(event.get("user", "")), display_name="")  # the event carries no name
        await self.refresh_home(actor, Place(Platform.SLACK, str(body.get("team_id", "")), ""))

    # --- helpers ---------------------------------------------------------------------

    async def open_checkin_form(self, trigger_id: str, seal: str | None, respond: Any) -> None:
        if seal is None:  # ids no seal can carry: not a place Slack would send
            await respond(**_response(Reply.error(NOT_SEALED)))
            return
        await self.client.views_open(trigger_id=trigger_id, view=translate.checkin_modal(seal))

    async def refresh_home(self, actor: Actor, place: Place) -> None:
        """Publish the member's App Home: progress, next step and streak."""
        home = Place(Platform.SLACK, place.workspace_id, "")
        reply = await self.core.dispatcher.run(Invocation("progress", actor, home))
        if reply.is_error:
            return
        try:
            await self.client.views_publish(user_id=actor.user_id, view=translate.home_view(reply))
        except Exception:  # the App Home is a nicety; never fail a command over it
            log.warning("could not refresh the App Home of %s", actor.user_id, exc_info=True)

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


def _response(reply: Reply) -> dict[str, Any]:
    kind = "ephemeral" if reply.ephemeral else "in_channel"
    return {"response_type": kind, "replace_original": False, **translate.message(reply)}
