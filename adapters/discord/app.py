"""Cohort on Discord: a discord.py client whose command tree is built from the registry.
Translation lives in `translate` and `tree`; this module receives, dispatches and sends."""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Literal, TypeVar

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord import rate_limits, translate
from adapters.discord.limits import (
    ApplicationCommands,
    CreateMessage,
    OpcodesAndStatusCodes,
    ReceivingAndResponding,
)
from adapters.discord.tree import build_commands
from bot.bootstrap import App
from bot.commands.dispatch import FormSpec
from bot.errors import ConfigError
from bot.messages import Actor, Button, Image, Invocation, OptionValue, Place, Platform, Reply
from bot.ports import Sending
from bot.seals import NOT_SEALED, PlaceSeals, Purpose, SealFor
from bot.services.tenancy import NOT_YOUR_GROUP
from bot.settings import Settings, hide_password

log = logging.getLogger(__name__)
T = TypeVar("T")

# Seconds before a slow answer is deferred: Discord wants a first answer within three.
DEFER_AFTER = ReceivingAndResponding.FIRST_RESPONSE - 1.0
# How long an answer waits for its card, so that both arrive as one message. Drawn later
# than that (a busy moment), the answer goes first and its message is edited to show it.
PICTURE_WITHIN = 0.05
CALL_TIMEOUT = 30.0  # seconds a scheduled send may take before it counts as failed
FORM_TIMEOUT = 15 * 60.0  # seconds a form stays open; the interaction token's lifetime
# A thread leaves the channel list after a day without a message (a message brings it back).
THREAD_ARCHIVE_AFTER: Literal[60, 1440, 4320, 10080] = 1440
CHECKIN_ACTION = Button("Check in", "checkin").action_id
DISCORD_TROUBLE = "Sorry, Discord didn't take my answer just now. Try again in a minute."
SHARED = "Shared with the group below."
NOTHING_TO_SAY = (
    "Tell the group at least one thing: what you finished, what's next, a blocker or your hours."
)

# discord.py hands a pressed button to a class, not to an object; this finds our adapter.
_serving: weakref.WeakKeyDictionary[discord.Client, DiscordAdapter] = weakref.WeakKeyDictionary()


def point_library_at(settings: Settings) -> None:
    """Send REST calls and the gateway connection where the settings say (an API proxy)."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def make_client(settings: Settings, *, ready_timeout: float = 2.0) -> discord.Client:
    """A client with the only intent Cohort needs (guilds). With DISCORD_SHARD_COUNT or
    DISCORD_SHARD_IDS it runs those shards of the bot, so several processes share a bot."""
    point_library_at(settings)
    # Cohort never joins voice; spare the log the warnings about voice libraries.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    intents = discord.Intents.none()
    intents.guilds = True
    options: dict[str, Any] = {
        "intents": intents,
        "guild_ready_timeout": ready_timeout,
        # A rate limit longer than a send may take fails it at once; the engine retries it.
        # (discord.py takes no less than 30 seconds here.)
        "max_ratelimit_timeout": CALL_TIMEOUT,
        # Nothing the bot sends pings anyone: names and notes in replies are members' text.
        "allowed_mentions": discord.AllowedMentions.none(),
    }
    if settings.discord_shard_count is not None or settings.shard_ids is not None:
        if settings.shard_ids is not None:
            options["shard_ids"] = settings.shard_ids
        return discord.AutoShardedClient(shard_count=settings.discord_shard_count, **options)
    return discord.Client(**options)


def token_of(settings: Settings) -> str:
    if settings.discord_token is None:
        msg = "DISCORD_TOKEN is not set. Copy the bot token from the Discord Developer Portal."
        raise ConfigError(msg)
    return settings.discord_token.get_secret_value()


async def log_in(client: discord.Client, settings: Settings) -> None:
    try:
        await client.login(token_of(settings))
    except discord.LoginFailure:
        msg = (
            "Discord refused DISCORD_TOKEN. Reset the token under Bot in the Developer "
            "Portal and set the new one."
        )
        raise ConfigError(msg) from None
    except (aiohttp.ClientError, OSError, discord.DiscordServerError) as error:
        where = hide_password(settings.discord_api_base or "discord.com")
        msg = (
            f"Could not reach Discord at {where} ({type(error).__name__}). Check the "
            "network, and DISCORD_API_BASE if you use a proxy."
        )
        raise ConfigError(msg) from None


def message(part: translate.Outgoing) -> dict[str, Any]:
    """Keyword arguments for discord.py's send methods: one message of a reply (see
    `translate.messages`), its embeds, buttons and files."""
    content: dict[str, Any] = {}
    if part.embeds:
        content["embeds"] = list(part.embeds)
    if part.rows:
        view = discord.ui.View(timeout=None)
        for number, row in enumerate(part.rows):
            for label, custom_id, style in row:
                view.add_item(CohortButton(label, custom_id, style, row=number))
        content["view"] = view
    if part.files:
        content["files"] = [
            discord.File(io.BytesIO(f.data), f.filename, description=f.description)
            for f in part.files
        ]
    return content


def _too_large(error: discord.HTTPException) -> bool:
    return error.status == 413 or error.code == translate.TOO_LARGE


class CohortButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cohort:.+"):
    """Every Cohort button. Its custom id says what to run, so a button keeps working
    after a restart, on any process: no state is held in memory."""

    def __init__(
        self, label: str, custom_id: str, style: discord.ButtonStyle, *, row: int | None = None
    ) -> None:
        super().__init__(discord.ui.Button(label=label, custom_id=custom_id, style=style), row=row)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> CohortButton:
        label = getattr(item, "label", None) or ""
        style = getattr(item, "style", discord.ButtonStyle.secondary)
        return cls(label, str(match.string), style)

    async def callback(self, interaction: discord.Interaction) -> None:
        adapter = _serving.get(interaction.client)
        if adapter is not None:
            await adapter.on_button(interaction, self.custom_id, self.item.label or "")


class CheckinForm(discord.ui.Modal):
    """The weekly check-in form; the answers reach the group in `place`."""

    def __init__(self, adapter: DiscordAdapter, place: Place, *, carried: bool = False) -> None:
        super().__init__(title="Weekly check-in", timeout=15 * 60)
        self.adapter = adapter
        self.place = place
        self.carried = carried  # opened from a DM button: the place came with the button
        self.inputs: dict[str, discord.ui.TextInput[Any]] = {}
        for name, label, hint, limit in translate.CHECKIN_FIELDS:
            field: discord.ui.TextInput[Any] = discord.ui.TextInput(
                custom_id=name,
                style=discord.TextStyle.short if name == "hours" else discord.TextStyle.paragraph,
                required=False,
                max_length=limit,
            )
            self.inputs[name] = field
            self.add_item(discord.ui.Label(text=label, description=hint or None, component=field))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        answers = translate.checkin_answers({n: f.value for n, f in self.inputs.items()})
        await self.adapter.on_checkin_form(interaction, self.place, answers, self.carried)


class ButtonForm(discord.ui.Modal):
    """A button's one-field form (`Button.form`): titled with the button's label, one text
    input labelled as the command's option is described. What is typed runs the button's
    command, in `place`."""

    def __init__(
        self,
        adapter: DiscordAdapter,
        action_id: str,
        place: Place,
        spec: FormSpec,
        title: str,
        *,
        carried: bool = False,
    ) -> None:
        super().__init__(title=translate.form_title(title), timeout=FORM_TIMEOUT)
        self.adapter = adapter
        self.action_id = action_id
        self.place = place
        self.carried = carried  # opened from a DM button: the place came with the button
        longest = translate.form_max_length(spec.max_length)
        self.answer: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id=spec.option,
            style=translate.form_style(longest),
            required=True,
            max_length=longest,
        )
        self.add_item(
            discord.ui.Label(text=translate.form_label(spec.label), component=self.answer)
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.adapter.on_button_form(
            interaction, self.action_id, self.place, self.answer.value, self.carried
        )


class DiscordPoster:
    """Scheduled posts and DMs. discord.py already waits out rate limits (429) and retries
    500/502/504; this also retries what it does not (503, timeouts, dropped connections).
    A post that still fails raises, so the engine keeps it claimed and tries again later.

    Each request waits for the client's global pace (`rate_limits.GlobalPace`), so a
    fan-out to many channels stays under Discord's global limit while the channels run
    concurrently, and each gets `timeout` seconds: a channel that does not answer fails
    alone, not the rest.
    With `sending`, the message carries a nonce made from the delivery's key, which Discord
    enforces: a retry after a lost answer gets the first message back, not a second one.
    A reply too long for one message goes as consecutive messages, each with its own nonce.

    A post whose reply names a `thread` opens it on its first message. Discord gives a
    message one thread at most, so a retried post (the same message, by its nonce) finds
    its thread there already, and that counts as opened. A thread Discord will not open
    (no permission, a channel without threads, still failing after the retries) is logged;
    the post stands without it."""

    RETRIED = (discord.DiscordServerError, aiohttp.ClientError, TimeoutError)

    def __init__(
        self,
        client: discord.Client,
        seals: PlaceSeals,
        *,
        retry_delays: tuple[float, ...] = (2.0, 10.0),
        timeout: float = CALL_TIMEOUT,
    ) -> None:
        self.client = client
        self.seals = seals
        self.retry_delays = retry_delays
        self.timeout = timeout

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        channel = self.client.get_partial_messageable(
            int(place.channel_id), guild_id=int(place.workspace_id)
        )
        reply = await reply.drawn()  # a post goes out whole: its picture in its one message
        parts = translate.messages(reply)
        thread = translate.thread_name(reply.thread) if reply.thread is not None else None
        if thread is None:
            await self._send_all(channel, parts, sending)
            return
        first = await self._send_all(channel, parts[:1], sending)
        await self._open_thread(first[0], thread)
        await self._send_all(channel, parts[1:], sending, after=1)

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        user = discord.Object(int(actor.user_id))
        channel = await self._retrying(lambda: self.client.create_dm(user))
        reply = await reply.drawn()

        seal_for = self.seals.for_dm(place, actor.user_id)
        await self._send_all(channel, translate.messages(reply, seal_for), sending)

    async def _send_all(
        self,
        channel: discord.abc.Messageable,
        parts: list[translate.Outgoing],
        sending: Sending | None,
        *,
        after: int = 0,
    ) -> list[discord.Message]:
        """A reply's messages one after another, each one idempotent on its own; `after`
        says how many of the reply's messages went before these."""
        return [
            await self._retrying(
                functools.partial(_send_part, channel, part, once(sending, after + number))
            )
            for number, part in enumerate(parts)
        ]

    async def _open_thread(self, message: discord.Message, name: str) -> None:
        """Start a thread called `name` from `message`, paced and retried like any send."""
        try:
            await self._retrying(
                lambda: self.client.http.start_thread_with_message(
                    message.channel.id,
                    message.id,
                    name=name,
                    auto_archive_duration=THREAD_ARCHIVE_AFTER,
                )
            )
        except (discord.DiscordServerError, aiohttp.ClientError, TimeoutError) as error:
            # Still failing after the retries. The post is out: sending it again later
            # could outlast Discord's memory of its nonce and post it twice, so it stands
            # without its thread (answers still reach the asker through I'll help).
            log.warning(
                "could not open a thread on a post in channel %s (%r); the post stands without it",
                message.channel.id,
                error,
            )
        except discord.HTTPException as error:
            if error.code == OpcodesAndStatusCodes.THREAD_ALREADY_CREATED:
                return  # an earlier attempt opened it and its answer was lost
            log.warning(
                "could not open a thread on a post in channel %s (%s %s: %s); "
                "the post stands without it",
                message.channel.id,
                error.status,
                error.code,
                error.text,
            )

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        for delay in self.retry_delays:
            try:
                return await self._timed(call)
            except self.RETRIED as error:
                log.warning("Discord did not take a post (%r); retrying in %ss", error, delay)
                await asyncio.sleep(delay)
        return await self._timed(call)

    async def _timed(self, call: Callable[[], Awaitable[T]]) -> T:
        """One request, given `timeout` seconds with its turn under the global pace.
        (discord.py's session would wait five minutes for an answer that may never come.)"""
        async with asyncio.timeout(self.timeout):
            return await call()


async def _send_part(
    channel: discord.abc.Messageable, part: translate.Outgoing, nonce: dict[str, Any]
) -> discord.Message:
    # The files are made afresh for each attempt: a retried upload reads them again.
    return await channel.send(**message(part), **nonce)


def once(sending: Sending | None, part: int = 0) -> dict[str, Any]:
    """The send argument that makes a scheduled delivery idempotent at Discord. discord.py
    (2.7) sends `enforce_nonce: true` with every nonce it is given (`handle_message_parameters`),
    so passing the delivery's own nonce is all it takes; without one it picks a random nonce.
    Each further message of a reply split in several has a nonce of its own."""
    if sending is None:
        return {}
    key = sending if part == 0 else Sending(f"{sending.key}#{part + 1}", sending.attempt)
    return {"nonce": key.token(CreateMessage.NONCE)}


class InteractionAnswer:
    """The messages that answer one interaction. The first is the interaction's response, or
    replaces the "thinking…" of a deferral; the others are followups, which the
    interaction's token allows for 15 minutes (`ReceivingAndResponding.TOKEN_LIFETIME`).
    A public answer to a deferral (which is private) is said to follow below, and does.
    A picture still to draw follows its answer: the message that shows it is edited."""

    def __init__(
        self, interaction: discord.Interaction, *, deferred: bool, seal_for: SealFor | None = None
    ) -> None:
        self.interaction = interaction
        self.thinking = deferred  # the deferral still shows "thinking…"
        self.seal_for = seal_for  # in a DM: seals the answer's buttons for the group
        # What was sent, in order: each part, and its message (None: the original response).
        self.sent: list[tuple[translate.Outgoing, discord.WebhookMessage | None]] = []

    async def send(self, reply: Reply) -> None:
        for part in translate.messages(reply, self.seal_for):
            sent = await self._send_one(message(part), ephemeral=reply.ephemeral)
            self.sent.append((part, sent))

    async def show_picture(self, reply: Reply) -> None:
        """`reply`, already sent without its picture, now with it (drawn): each message
        that changes is edited (the one whose embed shows the picture), and a message the
        picture adds is sent after the others."""
        for at, part in enumerate(translate.messages(reply, self.seal_for)):
            if at >= len(self.sent):
                sent = await self._send_one(message(part), ephemeral=reply.ephemeral)
                self.sent.append((part, sent))
                continue
            before, sent = self.sent[at]
            if (part.payload(), part.files) == (before.payload(), before.files):
                continue
            content = message(part)
            # An edit keeps what it does not name: embeds and buttons are named, even none.
            content["attachments"] = content.pop("files", [])
            content.setdefault("embeds", [])
            content.setdefault("view", None)
            if sent is None:
                await self.interaction.edit_original_response(**content)
            else:
                await sent.edit(**content)
            self.sent[at] = (part, sent)

    async def _send_one(
        self, content: dict[str, Any], *, ephemeral: bool
    ) -> discord.WebhookMessage | None:
        """Send one message of the answer; the followup it made, or None when it is (or
        replaced) the interaction's original response."""
        interaction = self.interaction
        sent: discord.WebhookMessage | None = None
        if not interaction.response.is_done():
            await interaction.response.send_message(ephemeral=ephemeral, **content)
        elif self.thinking and ephemeral:
            files = content.pop("files", [])
            # content=None: a public answer that failed may have left SHARED there.
            await interaction.edit_original_response(content=None, attachments=files, **content)
        else:
            if self.thinking:
                await interaction.edit_original_response(content=SHARED)
            sent = await interaction.followup.send(ephemeral=ephemeral, wait=True, **content)
        self.thinking = False
        return sent


class DiscordAdapter:
    def __init__(self, core: App, settings: Settings, *, ready_timeout: float = 2.0) -> None:
        token_of(settings)
        self.core = core
        self.settings = settings
        self.client = make_client(settings, ready_timeout=ready_timeout)
        self.pace = rate_limits.GlobalPace()
        self.pace.install(self.client.http)
        self.tree = app_commands.CommandTree(self.client)
        for command in build_commands(core.registry, self.on_command, self.on_autocomplete):
            self.tree.add_command(command)
        self.tree.on_error = self.on_tree_error  # type: ignore[method-assign]
        self.client.add_dynamic_items(CohortButton)
        self.poster = DiscordPoster(self.client, core.seals)
        self.defer_after = DEFER_AFTER
        self.picture_within = PICTURE_WITHIN
        self._connection: asyncio.Task[None] | None = None
        _serving[self.client] = self

    # --- listeners -------------------------------------------------------------------

    async def on_command(
        self, interaction: discord.Interaction, name: str, options: dict[str, OptionValue]
    ) -> None:
        place = translate.place_of(interaction.guild_id, interaction.channel_id)
        if name == "checkin" and not options:
            await interaction.response.send_modal(CheckinForm(self, place))
            return
        actor = translate.actor_of(interaction.user, interaction.permissions)
        await self._answer(
            interaction, self.core.dispatcher.run(Invocation(name, actor, place, options))
        )

    async def on_button(
        self, interaction: discord.Interaction, custom_id: str, label: str = ""
    ) -> None:
        """A pressed button: run its command, or first show its form when it has one
        (`label` is the button's, the form's title)."""
        action_id, seal = translate.split_custom_id(custom_id)
        carried = interaction.guild_id is None and seal is not None
        if carried:  # pressed in a DM: the button says which group it was for
            place = await self._carried_place(interaction, seal or "", action_id)
            if place is None:
                return
        else:  # in a server, the place is always the interaction's own
            place = translate.place_of(interaction.guild_id, interaction.channel_id)
        if action_id == CHECKIN_ACTION:
            await interaction.response.send_modal(CheckinForm(self, place, carried=carried))
            return
        spec = self.core.dispatcher.form_of(action_id)
        if spec is not None:
            form = ButtonForm(self, action_id, place, spec, label, carried=carried)
            await interaction.response.send_modal(form)
            return
        await self._press(interaction, action_id, place, carried)

    async def on_button_form(
        self,
        interaction: discord.Interaction,
        action_id: str,
        place: Place,
        typed: str,
        carried: bool = False,
    ) -> None:
        """A button's form, submitted: run the button's command with what was typed."""
        await self._press(interaction, action_id, place, carried, typed)

    async def _press(
        self,
        interaction: discord.Interaction,
        action_id: str,
        place: Place,
        carried: bool,
        typed: str | None = None,
    ) -> None:
        # A place carried from a DM grants no permission the server would.
        permissions = discord.Permissions.none() if carried else interaction.permissions
        actor = translate.actor_of(interaction.user, permissions)
        # Buttons answering a press in a DM act for the same group: sealed like the DM's own.
        seal_for = self.core.seals.for_dm(place, str(interaction.user.id)) if carried else None
        await self._answer(
            interaction,
            self.core.dispatcher.press(
                action_id, actor=actor, place=place, carried=carried, typed=typed
            ),
            seal_for,
        )

    async def _carried_place(
        self, interaction: discord.Interaction, seal: str, action_id: str
    ) -> Place | None:
        """The group a DM button was sent for, if the bot sealed it for the person pressing
        and they are still a member of that server; otherwise they are told why not."""
        user_id = interaction.user.id
        place = self.core.seals.open(
            seal, Platform.DISCORD, str(user_id), Purpose.DM_BUTTON, action_id
        )
        refusal = NOT_SEALED
        if place is not None:
            try:
                await self.client.http.get_member(int(place.workspace_id), user_id)
                return place
            except (discord.NotFound, discord.Forbidden):
                refusal = NOT_YOUR_GROUP
            except (TimeoutError, discord.HTTPException, aiohttp.ClientError):
                log.warning("could not check a server membership", exc_info=True)
                refusal = DISCORD_TROUBLE
        try:
            await self._send(interaction, Reply.error(refusal), deferred=False)
        except discord.HTTPException:
            log.exception("could not answer a Discord interaction")
        return None

    async def on_checkin_form(
        self,
        interaction: discord.Interaction,
        place: Place,
        answers: dict[str, str],
        carried: bool = False,
    ) -> None:
        actor = translate.actor_of(interaction.user, discord.Permissions.none())
        if not answers:
            await self._send(interaction, Reply.error(NOTHING_TO_SAY), deferred=False)
            return
        invocation = Invocation("checkin", actor, place, answers, carried=carried)
        await self._answer(interaction, self.core.dispatcher.run(invocation))

    async def on_autocomplete(
        self, interaction: discord.Interaction, command: str, option: str, typed: str
    ) -> list[app_commands.Choice[str]]:
        place = translate.place_of(interaction.guild_id, interaction.channel_id)
        found = await self.core.dispatcher.suggest(command, option, typed, place=place)
        choices = [
            app_commands.Choice(
                name=translate.shorten(s.label or s.value, ApplicationCommands.CHOICE_NAME),
                value=s.value,
            )
            for s in found
            if 1 <= len(s.value) <= ApplicationCommands.CHOICE_VALUE  # a value cannot shrink
        ]
        return choices[: ReceivingAndResponding.AUTOCOMPLETE_CHOICES]

    async def on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CommandNotFound):
            text = "That command has changed since Discord last heard of it. Try `/help`."
        else:
            log.error("a Discord command failed", exc_info=error)
            text = DISCORD_TROUBLE
        if not interaction.response.is_done():
            await self._send(interaction, Reply.error(text), deferred=False)

    # --- answering -------------------------------------------------------------------

    async def _answer(
        self,
        interaction: discord.Interaction,
        work: Awaitable[Reply],
        seal_for: SealFor | None = None,
    ) -> None:
        """Answer with the command's reply; if it takes a while, tell Discord first that an
        answer is coming (a deferral), so the interaction does not expire. In a DM,
        `seal_for` seals the answer's buttons for the group the press was for."""
        async with self.core.work.track():  # a graceful stop waits for the answer to go out
            task = asyncio.ensure_future(work)
            done, _ = await asyncio.wait({task}, timeout=self.defer_after)
            deferred = not done
            try:
                if deferred:
                    await interaction.response.defer(ephemeral=True, thinking=True)
                await self._send(interaction, await task, deferred=deferred, seal_for=seal_for)
            except discord.HTTPException:
                log.exception("could not answer a Discord interaction")

    async def _send(
        self,
        interaction: discord.Interaction,
        reply: Reply,
        *,
        deferred: bool,
        seal_for: SealFor | None = None,
    ) -> None:
        """Send `reply` as the interaction's answer. A file larger than Discord takes in
        this interaction is not sent: the member is told so in a short message instead. A
        picture too large goes unsent, and the answer (whose text says it all) without it.

        A picture still to draw is waited for `picture_within` seconds at most, so that the
        answer and its card arrive as one message; later than that, the answer goes first
        and the card follows in an edit of its message."""
        drawing: asyncio.Future[Image | None] | None = None
        try:
            if reply.sketch is not None:
                drawing = asyncio.ensure_future(reply.sketch.draw())
                await asyncio.wait({drawing}, timeout=self.picture_within)
                drawn = drawing.result() if drawing.done() else None
                reply = replace(reply, sketch=None, image=drawn)
            late = drawing if drawing is not None and not drawing.done() else None
            await self._send_drawn(interaction, reply, late, deferred=deferred, seal_for=seal_for)
        finally:
            if drawing is not None and not drawing.done():  # no answer went out: no card either
                drawing.cancel()

    async def _send_drawn(
        self,
        interaction: discord.Interaction,
        reply: Reply,
        drawing: asyncio.Future[Image | None] | None,
        *,
        deferred: bool,
        seal_for: SealFor | None,
    ) -> None:
        reply = translate.without_oversized_picture(reply, interaction.filesize_limit)
        refusal = translate.file_too_big(reply, interaction.filesize_limit)
        answer = InteractionAnswer(interaction, deferred=deferred, seal_for=seal_for)
        try:
            await answer.send(refusal or reply)
            if drawing is not None and refusal is None:
                await self._picture_follows(answer, reply, drawing)
        except discord.HTTPException as error:
            if refusal is not None or not _too_large(error):
                raise
            # Discord measured a file differently than its own limit said it would.
            log.warning("Discord refused a file as too large (%s)", error)
            if reply.image is not None:
                await self._send(
                    interaction, replace(reply, image=None), deferred=deferred, seal_for=seal_for
                )
            elif reply.attachment is not None:
                await answer.send(translate.too_big(reply.attachment))
            else:
                raise

    async def _picture_follows(
        self, answer: InteractionAnswer, reply: Reply, drawing: Awaitable[Image | None]
    ) -> None:
        """Show the picture being drawn for `reply`, whose answer is out, in that answer.
        Not drawn, too large or not taken by Discord, it is left out (logged): the text,
        already there, says everything the picture shows."""
        drawn = translate.without_oversized_picture(
            replace(reply, image=await drawing), answer.interaction.filesize_limit
        )
        if drawn.image is None:
            return
        try:
            await answer.show_picture(drawn)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as error:
            log.warning("Discord did not take the picture of an answer (%r)", error)

    # --- running ---------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self.client.is_ready() and not self.client.is_closed()

    async def is_connected(self) -> bool:
        return self.connected

    async def start(self) -> None:
        """Log in, connect to the gateway and return once READY."""
        await log_in(self.client, self.settings)
        self._connection = asyncio.create_task(self.client.connect(), name="discord-gateway")
        ready = asyncio.create_task(self.client.wait_until_ready())
        await asyncio.wait({ready, self._connection}, return_when=asyncio.FIRST_COMPLETED)
        if self._connection.done():
            ready.cancel()
            self._connection.result()  # raises why the connection ended
            msg = "the Discord gateway closed before it was ready"
            raise ConnectionError(msg)

    async def close(self) -> None:
        await self.client.close()
        if self._connection is not None:
            try:
                await self._connection
            except Exception:
                log.debug("the gateway connection ended with an error on close", exc_info=True)
        _serving.pop(self.client, None)
