"""When things happen, as pure functions of a group's schedule. Times are wall-clock in the
group's timezone, so 09:00 stays 09:00 across daylight-saving changes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.db.models import Group
from bot.services.study import CHECKIN_CLOSES_AFTER
from bot.timeutil import at_local, parse_hhmm

# The summary comes two days after the prompt, at the same local time (study time counts a
# check-in's hours for the week up to that day, so the number has one home).
CHECKIN_DAYS = CHECKIN_CLOSES_AFTER.days
CHECKIN_WINDOW = timedelta(days=CHECKIN_DAYS)  # about that long, for look-backs
REMINDER_AFTER = timedelta(days=1)  # after the prompt, for those who have not checked in
SUMMARY_USEFUL_FOR = timedelta(days=1)
KAGGLE_USEFUL_FOR = timedelta(days=3)
FIRST_MONDAY = date(2024, 1, 1)  # biweekly Kaggle weeks count from here


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    OFF = "off"


class Kind(StrEnum):
    DAILY = "daily"
    CHECKIN = "checkin"
    SUMMARY = "summary"
    KAGGLE = "kaggle"
    REMINDER = "reminder"
    NUDGE = "nudge"
    FOCUS = "focus"  # a member's focus session ran its course: a DM, sent once
    HELP_POST = "help_post"  # a help request, posted in its group's channel
    HELP_DM = "help_dm"  # a help request, sent to one mentor
    HELP_NEWS = "help_news"  # the asker hears that someone will help
    REVIEW = "review"  # a member's review question of the day


HELP_KINDS = frozenset({Kind.HELP_POST, Kind.HELP_DM, Kind.HELP_NEWS})


# Scheduled DMs a member gets at most one of per day of their own calendar. A focus DM
# answers the member's own action, and help DMs answer another member's question (with a
# budget of their own, `bot.services.helping`), so they are not among them.
BUDGETED = frozenset({Kind.REMINDER, Kind.NUDGE, Kind.REVIEW})


@dataclass(frozen=True)
class Occurrence:
    """One thing to post: due at `due_at`, still worth sending until `expires_at`."""

    kind: Kind
    period: str
    due_at: datetime
    expires_at: datetime
    group_id: int | None = None
    member_id: int | None = None
    days: int = 0  # for nudges: days of silence

    @property
    def key(self) -> str:
        """Unique per thing that must be sent once: a group's post for a period, a member's
        reminder for a group's check-in, a member's nudge (whatever group they are in), the
        end of a focus session (its period is the session's id)."""
        if self.kind is Kind.FOCUS:
            return f"focus:{self.period}"
        if self.kind in HELP_KINDS:  # the period names the request and whom it is for
            return f"{self.kind.value}:{self.period}"
        if self.kind is Kind.REVIEW:
            return f"review:m{self.member_id}:{self.period}"
        if self.kind is Kind.NUDGE:
            return f"nudge:m{self.member_id}:{self.period}"
        if self.member_id is not None:
            return f"{self.kind.value}:m{self.member_id}:g{self.group_id}:{self.period}"
        return f"{self.kind.value}:g{self.group_id}:{self.period}"


@dataclass(frozen=True)
class Schedule:
    tz: ZoneInfo
    daily: time
    checkin_weekday: int
    checkin: time
    kaggle: Cadence
    kaggle_weekday: int
    kaggle_at: time

    @classmethod
    def of(cls, group: Group) -> Schedule:
        return cls(
            tz=ZoneInfo(group.timezone),
            daily=parse_hhmm(group.daily_time),
            checkin_weekday=group.checkin_weekday,
            checkin=parse_hhmm(group.checkin_time),
            kaggle=Cadence(group.kaggle_cadence),
            kaggle_weekday=group.kaggle_weekday,
            kaggle_at=parse_hhmm(group.kaggle_time),
        )


def _local_days(start: datetime, end: datetime, tz: ZoneInfo) -> Iterator[date]:
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    while day <= last:
        yield day
        day += timedelta(days=1)


def group_occurrences(
    group_id: int, schedule: Schedule, start: datetime, end: datetime
) -> list[Occurrence]:
    """The group's posts due in (start, end], in time order."""
    found: list[Occurrence] = []
    tz = schedule.tz
    # A summary comes days after its check-in: start from the check-ins it may follow.
    for day in _local_days(start - CHECKIN_WINDOW, end, tz):
        daily = at_local(day, schedule.daily, tz)
        end_of_day = at_local(day + timedelta(days=1), time(0), tz)
        found.append(Occurrence(Kind.DAILY, day.isoformat(), daily, end_of_day, group_id))
        if day.weekday() == schedule.checkin_weekday:
            window = _window(schedule, day)
            prompt, deadline = window.prompt_at, window.deadline
            found.append(Occurrence(Kind.CHECKIN, day.isoformat(), prompt, deadline, group_id))
            found.append(
                Occurrence(
                    Kind.SUMMARY,
                    day.isoformat(),
                    deadline,
                    deadline + SUMMARY_USEFUL_FOR,
                    group_id,
                )
            )
        if day.weekday() == schedule.kaggle_weekday and _kaggle_week(schedule.kaggle, day):
            due = at_local(day, schedule.kaggle_at, tz)
            found.append(
                Occurrence(Kind.KAGGLE, day.isoformat(), due, due + KAGGLE_USEFUL_FOR, group_id)
            )
    return sorted((o for o in found if start < o.due_at <= end), key=lambda o: o.due_at)


def _kaggle_week(cadence: Cadence, day: date) -> bool:
    if cadence is Cadence.OFF:
        return False
    return cadence is Cadence.WEEKLY or ((day - FIRST_MONDAY).days // 7) % 2 == 0


@dataclass(frozen=True)
class CheckinWindow:
    period: str
    prompt_at: datetime
    deadline: datetime


def checkin_window(schedule: Schedule, now: datetime) -> CheckinWindow:
    """The check-in a member answering now belongs to: the first one whose deadline has
    not passed. Answering early counts for the coming one."""
    tz = schedule.tz
    today = now.astimezone(tz).date()
    for back in range(7, -8, -1):
        day = today - timedelta(days=back)
        if day.weekday() == schedule.checkin_weekday:
            window = _window(schedule, day)
            if window.deadline > now:
                return window
    msg = "no check-in window found within two weeks"  # pragma: no cover - weeks repeat
    raise AssertionError(msg)


def next_checkin(schedule: Schedule, after: datetime) -> CheckinWindow:
    """The first check-in whose prompt comes after `after`: for a group set up mid-week,
    the first one it will post (a prompt due before the group existed is never posted)."""
    tz = schedule.tz
    today = after.astimezone(tz).date()
    for ahead in range(8):
        day = today + timedelta(days=ahead)
        if day.weekday() == schedule.checkin_weekday:
            window = _window(schedule, day)
            if window.prompt_at > after:
                return window
    msg = "no check-in prompt found within eight days"  # pragma: no cover - weeks repeat
    raise AssertionError(msg)


def windows_between(schedule: Schedule, start: datetime, end: datetime) -> list[CheckinWindow]:
    """Check-in windows whose prompt falls in (start - window, end]."""
    tz = schedule.tz
    out = []
    for day in _local_days(start - CHECKIN_WINDOW, end, tz):
        if day.weekday() == schedule.checkin_weekday:
            window = _window(schedule, day)
            if start - CHECKIN_WINDOW < window.prompt_at <= end:
                out.append(window)
    return out


def _window(schedule: Schedule, day: date) -> CheckinWindow:
    return CheckinWindow(
        day.isoformat(),
        at_local(day, schedule.checkin, schedule.tz),
        at_local(day + timedelta(days=CHECKIN_DAYS), schedule.checkin, schedule.tz),
    )
