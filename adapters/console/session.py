"""A console conversation: lines in, rendered replies out. `:as NAME` switches member,
`:click N` presses a button of the last reply."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from adapters.console.poster import ConsolePoster
from adapters.console.render import render
from bot.bootstrap import App
from bot.clock import ManualClock, ShiftedClock
from bot.messages import Actor, Button, Place, Platform
from bot.scheduler.engine import AccountabilityEngine
from bot.services import tenancy

DEMO_PLACE = Place(Platform.CONSOLE, "demo", "study-group")
HELP = """Console commands:
  /help            every Cohort command
  :as NAME         act as another member (for example :as ben)
  :click N         press button N of the last reply
  :advance 1d      move time forward (2h, 7d, 30m) and see the posts due meanwhile
  :quit            leave (Ctrl-D works too)"""
DURATION = re.compile(r"^(\d+)\s*([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}
MAX_ADVANCE = timedelta(days=60)


def actor_named(name: str) -> Actor:
    clean = " ".join(name.split())[:100]
    return Actor(user_id=clean.lower(), display_name=clean, is_admin=True)


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
        return "\n\n".join([render(reply), *self.poster.take()])

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
            self.buttons = ()
            return f"You are now {self.actor.display_name}."
        if word == "click":
            return await self._click(rest.strip())
        if word == "advance":
            return await self._advance(rest.strip().lower())
        if word in {"help", "h", "?"}:
            return HELP
        return f"⚠️  No console command `:{word}`. Try `:help`."

    async def _click(self, which: str) -> str:
        if not self.buttons:
            return "⚠️  The last reply has no buttons to press."
        if not which.isdigit() or not 1 <= int(which) <= len(self.buttons):
            return f"⚠️  Press a button from 1 to {len(self.buttons)}, like `:click 1`."
        button = self.buttons[int(which) - 1]
        reply = await self.app.dispatcher.press(
            button.action_id, actor=self.actor, place=self.place
        )
        self.buttons = reply.buttons
        return "\n\n".join([render(reply), *self.poster.take()])

    async def _advance(self, text: str) -> str:
        match = DURATION.match(text)
        if match is None:
            return "⚠️  Say how far, like `:advance 1d`, `:advance 2h` or `:advance 30m`."
        delta = timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
        if delta > MAX_ADVANCE:
            return "⚠️  That's a long time. Advance at most 60 days at once."
        start = self.clock.now()
        end = start + delta
        for due in sorted({o.due_at for o in await self.engine.due_between(start, end)}):
            self.clock.set(due)
            await self.engine.run_due()
        self.clock.set(end)
        await self.engine.run_due()
        posts = self.poster.take()
        when = f"{end:%a %d %b %H:%M} UTC"
        summary = f"⏩ It's now {when}. {len(posts) or 'Nothing'} posted meanwhile."
        return "\n\n".join([summary, *posts])
