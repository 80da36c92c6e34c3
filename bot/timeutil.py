"""Time in people's own timezones: local days, weeks and months, and timezone names."""

from __future__ import annotations

import difflib
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import UserError


@cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


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
        f"`{cleaned}` is not a timezone I know.{hint} Use an IANA name like "
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
