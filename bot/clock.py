"""Where "now" comes from. Services take a Clock; only SystemClock reads the real time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)  # noqa: TID251 - the one place that reads the real time


class SettableClock(Clock, Protocol):
    """A clock that can be moved to an instant (never back): the manual and shifted ones."""

    def set(self, instant: datetime) -> None: ...


class ManualClock:
    """A clock that only moves when told to: for tests and the console's `:advance`."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            msg = "ManualClock needs a timezone-aware start time"
            raise ValueError(msg)
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(UTC)


class ShiftedClock:
    """Real time moved forward by however much the console's `:advance` asked for."""

    def __init__(self, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return self._base.now() + self._offset

    def advance(self, delta: timedelta) -> datetime:
        self._offset += delta
        return self.now()

    def set(self, instant: datetime) -> None:
        self._offset = instant - self._base.now()
