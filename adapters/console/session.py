"""A console conversation: lines in, rendered replies out. `:as NAME` switches member,
`:click N` presses a button of the last reply (or, after time moved on or on becoming
another member, of the latest DM to them or post in the channel), `:advance` and `:at`
move time forward."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from adapters.console.poster import ConsolePoster
from adapters.console.render import plain
from bot.bootstrap import App
from bot.clock import ManualClock, ShiftedClock
from bot.errors import UserError
from bot.messages import Actor, Button, Place, Platform
from bot.scheduler.engine import AccountabilityEngine, run_through
from bot.services import tenancy
from bot.timeutil import at_local, parse_hhmm, zone

DEMO_PLACE = Place(Platform.CONSOLE, "demo", "study-group")
HELP = """Console commands:
  /help                  every Cohort command
  :as NAME               act as another member (for example :as ben)
  :click N               press button N of the last reply (or of your latest DM)
  :click N some text     press a button that asks for text (an answer), with that text
  :advance 1d            move time forward (2h, 7d, 30m) and see the posts due meanwhile
  :at 2026-11-23 09:00   move time forward to that moment, in UTC or in a timezone
                         you add (:at 2026-11-23 09:00 Europe/Berlin)
  :quit                  leave (Ctrl-D works too)"""
DURATION = re.compile(r"^(\d+)\s*([dhm])$")
MOMENT = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})\s+(\S+)(?:\s+(\S+))?$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}
MAX_ADVANCE = timedelta(days=60)


def actor_named(name: str) -> Actor:
    clean = " ".join(name.split())[:100]
    return Actor(user_id=clean.lower(), display_name=clean, is_admin=True)


async def demo_group_created_at(app: App) -> datetime | None:
    """When the demo study group was set up in this database; None if it is not yet."""
    async with app.sessions() as session:
        community = await tenancy.find_community(session, DEMO_PLACE)
        if community is None:
            return None
        group = await tenancy.group_for_channel(session, community, DEMO_PLACE.channel_id)
        return None if group is None else group.created_at


async def ensure_demo(app: App, now: datetime) -> None:
    """The console's demo community with one study group, created on first use."""
    async with app.sessions() as session, session.begin():
        community = await tenancy.ensure_community(session, DEMO_PLACE, now=now, name="Demo")
        group = await tenancy.group_for_channel(session, community, DEMO_PLACE.channel_id)
        if group is None:
            await tenancy.create_group(
                session,
                community,
                channel_id=DEMO_PLACE.channel_id,
                name="#study-group",
                track_id=app.catalog.default.id,
                timezone="UTC",
                now=now,
            )


class ConsoleSession:
    def __init__(
        self,
        app: App,
        *,
        member: str,
        clock: ShiftedClock | ManualClock,
        engine: AccountabilityEngine,
        poster: ConsolePoster,
        place: Place = DEMO_PLACE,
    ) -> None:
        self.app = app
        self.clock = clock
        self.engine = engine
        self.poster = poster
        self.place = place
        self.actor = actor_named(member)
        self.buttons: tuple[Button, ...] = ()
        self.finished = False

    @property
    def prompt(self) -> str:
        return f"{self.actor.display_name}> "

    async def handle(self, line: str) -> str | None:
        """The text to print for one typed line; None for lines that print nothing."""
        text = line.strip()
        if not text or text.startswith("#"):
            return None
        if text.startswith(":"):
            return await self._console_command(text[1:])
        reply = await self.app.dispatcher.run_line(text, actor=self.actor, place=self.place)
        self.buttons = reply.buttons
        return "\n\n".join([await self.poster.show(reply), *self.poster.take()])

    async def _console_command(self, text: str) -> str | None:
        word, _, rest = text.partition(" ")
        word = word.lower()
        if word in {"q", "quit", "exit"}:
            self.finished = True
            return None
        if word == "as":
            if not rest.strip():
                return "⚠️  Say who: `:as ben`."
            self.actor = actor_named(rest)
            self.buttons = self.poster.buttons_for(self.actor.display_name)
            return f"You are now {self.actor.display_name}."
        if word == "click":
            return await self._click(rest.strip())
        if word == "advance":
            return await self._advance(rest.strip().lower())
        if word == "at":
            return await self._at(rest.strip())
        if word in {"help", "h", "?"}:
            return HELP
        return f"⚠️  No console command `:{word}`. Try `:help`."

    async def _click(self, text: str) -> str:
        if not self.buttons:
            return "⚠️  The last reply has no buttons to press."
        which, _, typed = text.partition(" ")
        if not which.isdigit() or not 1 <= int(which) <= len(self.buttons):
            return f"⚠️  Press a button from 1 to {len(self.buttons)}, like `:click 1`."
        button = self.buttons[int(which) - 1]
        form = self.app.dispatcher.form_of(button.action_id)
        if form is not None and not typed.strip():
            return (
                f"⚠️  That button asks for {form.label.lower()}: type it after the number, "
                f"like `:click {which} your answer`."
            )
        reply = await self.app.dispatcher.press(
            button.action_id,
            actor=self.actor,
            place=self.place,
            typed=typed.strip() if form is not None else None,
        )
        self.buttons = reply.buttons
        return "\n\n".join([await self.poster.show(reply), *self.poster.take()])

    async def _advance(self, text: str) -> str:
        match = DURATION.match(text)
        if match is None:
            return "⚠️  Say how far, like `:advance 1d`, `:advance 2h` or `:advance 30m`."
        delta = timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
        if delta > MAX_ADVANCE:
            return "⚠️  That's a long time. Advance at most 60 days at once."
        return await self._move_to(self.clock.now() + delta)

    async def _at(self, text: str) -> str:
        """`:at 2026-11-23 09:00 [Europe/Berlin]`: on to that local moment (UTC by default).
        Never back: posts already sent can't be unsent, and claims would refuse to resend."""
        match = MOMENT.match(text)
        if match is None:
            return (
                "⚠️  Say when, like `:at 2026-11-23 09:00` (UTC) or "
                "`:at 2026-11-23 09:00 Europe/Berlin`."
            )
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError:
            return f"⚠️  There is no day {match.group(1)}. Write it as YYYY-MM-DD, like 2026-11-23."
        try:
            at, tz = parse_hhmm(match.group(2)), zone(match.group(3) or "UTC")
        except UserError as error:
            return f"⚠️  {plain(str(error))}"
        target, now = at_local(day, at, tz), self.clock.now()
        if target < now:
            return (
                f"⚠️  It's already {self.poster.when(now)}. Time in the console only moves "
                "forward: posts already sent can't be unsent. To replay from an earlier "
                "moment, start again on a fresh database with "
                "`cohort console --start 2026-11-16T09:00+01:00`."
            )
        if target - now > MAX_ADVANCE:
            return "⚠️  That's a long time. Move at most 60 days ahead at once."
        self.poster.zone = tz
        return await self._move_to(target)

    async def _move_to(self, end: datetime) -> str:
        """Time moves on to `end`, every post due meanwhile sent at the moment it was due."""
        await run_through(self.engine, self.clock, end)
        self.buttons = self.poster.buttons_for(self.actor.display_name)
        posts = self.poster.take()
        summary = (
            f"⏩ It's now {self.poster.when(end)}. {len(posts) or 'Nothing'} posted meanwhile."
        )
        return "\n\n".join([summary, *posts])
