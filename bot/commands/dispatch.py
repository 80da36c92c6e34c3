"""Running a command: resolve it, check its options and permission, run it in one
transaction, and turn every failure into a reply. Nothing is half written: a failed
command rolls back everything it did."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

from bot.clock import Clock
from bot.commands.context import CommandContext
from bot.commands.parse import parse_command_line
from bot.commands.registry import Registry
from bot.commands.suggest import Suggestion, suggestions
from bot.db.engine import SessionFactory, is_busy
from bot.errors import UserError
from bot.events import EventBus, emitted
from bot.messages import Actor, Invocation, OptionValue, Place, Reply, read_action
from bot.ops.inflight import InFlight
from bot.ops.metrics import Metrics
from bot.roadmap.catalog import Catalog
from bot.services import tenancy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FormSpec:
    """A button's one-field form: the option it fills, the field's label and how long an
    answer may be."""

    option: str
    label: str
    max_length: int


RESTARTING = "I'm restarting right now, so nothing was changed. Try again in a minute."


class Dispatcher:
    def __init__(
        self,
        *,
        sessions: SessionFactory,
        catalog: Catalog,
        registry: Registry,
        clock: Clock,
        metrics: Metrics | None = None,
        work: InFlight | None = None,
        events: EventBus | None = None,
    ) -> None:
        self.metrics = metrics or Metrics()
        self.work = work or InFlight()
        self.sessions = sessions
        self.catalog = catalog
        self.registry = registry
        self.clock = clock
        self.events = events or EventBus()  # what committed commands changed, for listeners

    async def run_line(self, text: str, *, actor: Actor, place: Place) -> Reply:
        """Run a typed command line, as the console and Slack's `/cohort` send them."""
        try:
            command, options = parse_command_line(text, self.registry)
        except UserError as error:
            return Reply.error(str(error))
        return await self.run(Invocation(command.name, actor, place, options))

    async def press(
        self,
        action_id: str,
        *,
        actor: Actor,
        place: Place,
        carried: bool = False,
        typed: str | None = None,
    ) -> Reply:
        """Run the command behind a pressed button. `carried` says the place came back
        with the button (sealed by the bot) instead of from the platform; `typed` is what
        was filled in the button's form, when it has one (`Button.form`)."""
        action = read_action(action_id)
        if action is None:
            return Reply.error("That button isn't one of mine any more. Try the command instead.")
        options: dict[str, OptionValue] = dict(action.options)
        if action.form is not None:
            if self.form_of(action_id) is None:  # a form no command of ours asks for
                return Reply.error(
                    "That button isn't one of mine any more. Try the command instead."
                )
            if typed is None:
                return Reply.error("That button needs an answer typed in its form first.")
            options[action.form] = typed
        return await self.run(Invocation(action.command, actor, place, options, carried=carried))

    def form_of(self, action_id: str) -> FormSpec | None:
        """The form a pressed button asks for before it runs (None: it runs at once): what
        adapters show as a one-field form, from the command's own declaration."""
        action = read_action(action_id)
        if action is None or action.form is None:
            return None
        try:
            command = self.registry.get(action.command)
        except UserError:
            return None
        option = next((o for o in command.options if o.name == action.form), None)
        if option is None:
            return None
        return FormSpec(action.form, option.description, option.max_length)

    async def suggest(
        self, name: str, option: str, typed: str, *, place: Place
    ) -> list[Suggestion]:
        """Values to offer for `option` of command `name` while it is being typed."""
        command = self.registry.get(name)
        wanted = next((o for o in command.options if o.name == option), None)
        if wanted is None:
            return []
        try:
            async with self.sessions() as session:
                return await suggestions(session, self.catalog, wanted, typed, place)
        except Exception as error:
            if not is_busy(error):
                raise
            return []  # too busy to look: the member can still type the value

    async def run(self, invocation: Invocation) -> Reply:
        if self.work.closing:
            return Reply.error(RESTARTING)
        started = time.perf_counter()
        async with self.work.track():
            reply, outcome = await self._answer(invocation)
        name = invocation.name if invocation.name in self.registry.names else "unknown"
        self.metrics.commands.labels(name, outcome).inc()
        self.metrics.command_seconds.labels(name).observe(time.perf_counter() - started)
        return reply

    async def _answer(self, invocation: Invocation) -> tuple[Reply, str]:
        """The reply, and how it went: ok, refused (bad input, no permission), busy (the
        database could not take the command in time; nothing was written) or error."""
        try:
            reply = await self._run(invocation)
        except UserError as error:
            return Reply.error(str(error)), "refused"
        except Exception as error:
            if is_busy(error):
                reason = str(error).splitlines()[0][:200]
                log.warning("command /%s answered busy: %s", invocation.name, reason)
                return Reply.error(
                    "I'm busy right now, so nothing was changed. Try again in a moment."
                ), "busy"
            error_id = secrets.token_hex(4)
            log.exception(
                "command /%s failed (error id %s)",
                invocation.name,
                error_id,
                extra={"error_id": error_id, "command": invocation.name},
            )
            return Reply.error(
                "Sorry, something went wrong on my side and nothing was changed. "
                f"If it keeps happening, give an admin this error id: `{error_id}`."
            ), "error"
        return reply, "refused" if reply.is_error else "ok"

    async def _run(self, invocation: Invocation) -> Reply:
        command = self.registry.get(invocation.name)
        args = command.bind(_without_empty(invocation.options))
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            caller = await tenancy.caller_of(session, invocation, now=now)
            if command.admin_only and not caller.may_administer:
                msg = (
                    tenancy.ADMIN_NOT_CARRIED
                    if invocation.carried
                    else f"Only community admins can use `/{command.name}`."
                )
                raise UserError(msg)
            context = CommandContext(
                invocation=invocation,
                args=args,
                session=session,
                community=caller.community,
                member=caller.member,
                group=caller.group,
                catalog=self.catalog,
                registry=self.registry,
                now=now,
            )
            reply = await command.handler(context)
        await self.events.publish(emitted(session))
        return reply


def _without_empty(options: Mapping[str, OptionValue]) -> dict[str, OptionValue]:
    return {k: v for k, v in options.items() if v is not None and v != ""}
