"""Time in people's own timezones: local days, weeks and months, and timezone names."""

from __future__ import annotations

import difflib
import re
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import UserError
from bot.markup import code

# Names the tz database ships that are not places: `Factory` (a zone whose offset is
# unknown) and files that depend on the machine (`localtime`, `posixrules`).
_NOT_PLACES = frozenset({"factory", "localtime", "posixrules"})


@cache
def _zone_names() -> dict[str, str]:
    return {
        name.lower(): name
        for name in available_timezones()
        if name.lower() not in _NOT_PLACES and not name.startswith(("posix/", "right/"))
    }


def zone(name: str) -> ZoneInfo:
    """The timezone an IANA name stands for; a UserError with a suggestion otherwise."""
    cleaned = name.strip()
    canonical = _zone_names().get(cleaned.lower().replace(" ", "_"))
    if canonical is not None:
        try:
            return ZoneInfo(canonical)
        except ZoneInfoNotFoundError:  # pragma: no cover - listed names always load
            pass
    guesses = difflib.get_close_matches(cleaned.lower(), list(_zone_names()), n=1, cutoff=0.6)
    hint = f" Did you mean `{_zone_names()[guesses[0]]}`?" if guesses else ""
    msg = (
        f"{code(cleaned)} is not a timezone I know.{hint} Use an IANA name like "
        "`Europe/Berlin`, `America/New_York` or `Asia/Kolkata`."
    )
    raise UserError(msg)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def start_of_week(instant: datetime, tz: ZoneInfo) -> datetime:
    """Monday 00:00 of the local week `instant` falls in, as a UTC instant."""
    today = local_date(instant, tz)
    return start_of_day(today - timedelta(days=today.weekday()), tz)


def start_of_month(instant: datetime, tz: ZoneInfo) -> datetime:
    return start_of_day(local_date(instant, tz).replace(day=1), tz)


def friendly_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


_HHMM = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_HOUR_RANGE = re.compile(r"([0-9]{1,2})-([0-9]{1,2})")


def parse_hhmm(text: str) -> time:
    """A 24-hour wall-clock time like 09:00; a UserError naming the form otherwise.
    Only ASCII digits count: `str.isdigit` and `int` would also take `²` or `٠٩`."""
    found = _HHMM.fullmatch(text.strip())
    if found is not None:
        hour, minute = int(found[1]), int(found[2])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    msg = (
        f"{code(text.strip())} is not a time I understand. "
        "Use 24-hour time, like `09:00` or `18:30`."
    )
    raise UserError(msg)


def parse_hour_range(text: str) -> tuple[int, int]:
    """Two whole hours like 22-08 (start, end); a UserError naming the form otherwise."""
    found = _HOUR_RANGE.fullmatch(text.strip())
    if found is not None:
        start, end = int(found[1]), int(found[2])
        if start < 24 and end < 24:
            return start, end
    msg = (
        f"{code(text.strip())} isn't a range of hours. Use whole hours from 0 to 23, like `22-08`."
    )
    raise UserError(msg)


def parse_weekday(text: str) -> int:
    cleaned = text.strip().lower()
    for index, name in enumerate(WEEKDAYS):
        if len(cleaned) >= 3 and name.startswith(cleaned):
            return index
    msg = f"{code(text.strip())} is not a weekday. Use `monday` to `sunday` (or `mon`, `tue`, ...)."
    raise UserError(msg)


def at_local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant a wall-clock time happens on a local day, as UTC. A time that does not
    exist (the hour skipped when clocks go forward) happens at the same offset as before."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def in_quiet_hours(instant: datetime, tz: ZoneInfo, start: int, end: int) -> bool:
    hour = instant.astimezone(tz).hour
    if start == end:
        return False
    return start <= hour or hour < end if start > end else start <= hour < end


def after_quiet_hours(instant: datetime, tz: ZoneInfo, start: int, end: int) -> datetime:
    """`instant`, or the end of the quiet hours it falls in (local time)."""
    if not in_quiet_hours(instant, tz, start, end):
        return instant
    local = instant.astimezone(tz)
    day = local.date() if local.hour < end else local.date() + timedelta(days=1)
    return at_local(day, time(end), tz)


def zone_names_matching(text: str, limit: int = 25) -> list[str]:
    """Timezone names containing `text` (spaces count as underscores), those starting
    with it first; for autocomplete."""
    wanted = text.strip().lower().replace(" ", "_")
    names = sorted(_zone_names().items())
    starting = [name for low, name in names if low.startswith(wanted)]
    inside = [name for low, name in names if wanted in low and not low.startswith(wanted)]
    city = [name for name in inside if name.lower().rpartition("/")[2].startswith(wanted)]
    rest = [name for name in inside if name not in city]
    return [*starting, *city, *rest][:limit]
