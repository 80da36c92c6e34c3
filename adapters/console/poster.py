"""Scheduled posts and DMs, printed in the console with when and where they went."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.console.files import render_saving_files
from bot.clock import Clock
from bot.messages import Actor, Button, Place, Reply
from bot.ports import Sending


class ConsolePoster:
    def __init__(
        self,
        clock: Clock,
        *,
        export_dir: Path,
        image_dir: Path | None = None,
        channel_name: str = "#study-group",
    ) -> None:
        self.clock = clock
        self.export_dir = export_dir  # where files that posts carry are written
        self.image_dir = image_dir  # ... and their pictures (none are written without one)
        self.channel_name = channel_name
        # Times are shown where the person at the console said they are (`:at`, `--start`).
        self.zone: tzinfo = UTC
        self.outbox: list[str] = []
        # The buttons of the latest DM to each member (by name), and of the latest post in
        # the channel (None), for `:click` after time moved on.
        self.latest_buttons: dict[str | None, tuple[Button, ...]] = {}

    def when(self, instant: datetime, zone: tzinfo | None = None) -> str:
        """`instant` as the console shows times: `Mon 23 Nov 09:00 Europe/Berlin`."""
        shown = zone or self.zone
        name = shown.key if isinstance(shown, ZoneInfo) else shown.tzname(None)
        return f"{instant.astimezone(shown):%a %d %b %H:%M} {name}"

    def _when(self) -> str:
        return self.when(self.clock.now())

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        if reply.buttons:
            self.latest_buttons[None] = reply.buttons
        self.outbox.append(f"📣 {self.channel_name} · {self._when()}\n{await self.show(reply)}")

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        if reply.buttons:
            self.latest_buttons[actor.display_name] = reply.buttons
        shown = await self.show(reply)
        self.outbox.append(f"✉️  DM to {actor.display_name} · {self._when()}\n{shown}")

    async def show(self, reply: Reply) -> str:
        """`reply` as text, a file it carries saved into the export folder first and its
        picture (drawn now, if it is still to draw) into the image folder."""
        return render_saving_files(await reply.drawn(), self.export_dir, self.image_dir)

    def buttons_for(self, name: str) -> tuple[Button, ...]:
        """What `:click` presses after time moved on: the buttons of the latest DM to
        `name`, or else of the latest post in the channel."""
        return self.latest_buttons.get(name) or self.latest_buttons.get(None, ())

    def take(self) -> list[str]:
        sent, self.outbox = self.outbox, []
        return sent
