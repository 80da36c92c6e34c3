"""Changes others react to, as explicit events.

A service records an event in the unit of work that makes the change (`emit`); whoever
commits that unit hands its events to the `EventBus` afterwards (`emitted`), so nobody
reacts to a change that was rolled back. Today the scheduler listens: a group's schedule
or a member's clock changing may bring something due sooner than it planned to wake."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

_KEY = "cohort.events"


@dataclass(frozen=True)
class ScheduleChanged:
    """A group's posts moved: a new group, a new time or cadence, paused or resumed."""

    group_id: int


@dataclass(frozen=True)
class MemberClockChanged:
    """A member's timezone, quiet hours, reminders, role or time away changed, so their
    reminders and nudges move."""

    member_id: int


@dataclass(frozen=True)
class HelpChanged:
    """A member asked for help, someone offered it, or it was solved: its post, its
    mentors' DMs or the asker's news may be due now."""

    request_id: int


@dataclass(frozen=True)
class ReviewScheduled:
    """A member finished a step (its review questions come back) or turned review on."""

    member_id: int


Event = ScheduleChanged | MemberClockChanged | HelpChanged | ReviewScheduled
Listener = Callable[[Event], Awaitable[None]]


def emit(session: AsyncSession, event: Event) -> None:
    session.info.setdefault(_KEY, []).append(event)


def emitted(session: AsyncSession) -> list[Event]:
    """The events of `session`'s committed work, once each."""
    found: list[Event] = session.info.pop(_KEY, [])
    return found


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def publish(self, events: Sequence[Event]) -> None:
        for event in events:
            for listener in self._listeners:
                try:
                    await listener(event)
                except Exception:  # the change is saved; the scheduler's sweep catches up
                    log.exception("a listener failed on %r", event)
