"""Scheduled posts and DMs, printed in the console with when and where they went."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from adapters.console.render import render
from bot.clock import Clock
from bot.messages import Actor, Place, Reply


class ConsolePoster:
    def __init__(self, clock: Clock, *, channel_name: str = "#study-group") -> None:
        self.clock = clock
        self.channel_name = channel_name
        self.outbox: list[str] = []

    def _when(self) -> str:
        return f"{self.clock.now().astimezone(ZoneInfo('UTC')):%a %d %b %H:%M} UTC"

    async def post(self, place: Place, reply: Reply) -> None:
        self.outbox.append(f"📣 {self.channel_name} · {self._when()}\n{render(reply)}")

    async def dm(self, place: Place, actor: Actor, reply: Reply) -> None:
        self.outbox.append(f"✉️  DM to {actor.display_name} · {self._when()}\n{render(reply)}")

    def take(self) -> list[str]:
        sent, self.outbox = self.outbox, []
        return sent
