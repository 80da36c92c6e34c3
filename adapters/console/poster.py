"""Scheduled posts and DMs, printed in the console with when and where they went."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.console.files import render_saving_files
from bot.clock import Clock
from bot.messages import Actor, Place, Reply
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

    def when(self, instant: datetime, zone: tzinfo | None = None) -> str:
        """`instant` as the console shows times: `Mon 23 Nov 09:00 Europe/Berlin`."""
        shown = zone or self.zone
        name = shown.key if isinstance(shown, ZoneInfo) else shown.tzname(None)
        return f"{instant.astimezone(shown):%a %d %b %H:%M} {name}"

    def _when(self) -> str:
        return self.when(self.clock.now())

    async def post(self, place: Place, reply: Reply, sending: Sending | None = None) -> None:
        self.outbox.append(f"📣 {self.channel_name} · {self._when()}\n{self.show(reply)}")

    async def dm(
        self, place: Place, actor: Actor, reply: Reply, sending: Sending | None = None
    ) -> None:
        self.outbox.append(f"✉️  DM to {actor.display_name} · {self._when()}\n{self.show(reply)}")

    def show(self, reply: Reply) -> str:
        """`reply` as text, a file it carries saved into the export folder first and its
        picture into the image folder."""
        return render_saving_files(reply, self.export_dir, self.image_dir)

    def take(self) -> list[str]:
        sent, self.outbox = self.outbox, []
        return sent
