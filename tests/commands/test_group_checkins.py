"""/group checkins: every answer to the week's check-in, where the weekly summary's lists
end with "and N more"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.markup import plain_text
from tests.conftest import Cohort

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)


async def test_every_visible_answer_in_full_and_hidden_ones_counted(
    cohort: Cohort, clock: ManualClock
) -> None:
    clock.set(WED_0700)
    cohort.admins.add("admin")
    await cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    long_blocker = "eigenvectors " * 36  # longer than the summary shows, within 500
    await cohort(f"/checkin finished: python-basics blockers: {long_blocker} hours: 4", as_="ana")
    await cohort("/checkin next: **numpy** <b>arrays</b>", as_="ben")
    await cohort("/me privacy hidden", as_="quinn")
    await cohort("/checkin blockers: a secret", as_="quinn")
    reply = await cohort("/group checkins", as_="ben")
    assert reply.title == "📝 Check-ins"
    assert plain_text(reply.body).startswith("3 check-ins (1 privately) for the week that closes")
    fields = {plain_text(f.name): f.value for f in reply.fields}
    assert list(fields) == ["ana", "ben"], "hidden members are counted, never named"
    assert long_blocker.strip() in plain_text(fields["ana"]), "in full, not cut"
    assert "Hours: 4 h" in fields["ana"]
    assert plain_text(fields["ben"]) == "Next: **numpy** <b>arrays</b>", "shown as typed"


async def test_before_the_next_check_in_opens_last_weeks_answers_are_shown(
    cohort: Cohort, clock: ManualClock
) -> None:
    clock.set(WED_0700)
    cohort.admins.add("admin")
    await cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    clock.set(WED_0700 + timedelta(days=2, hours=12))  # Friday evening: the window is open
    await cohort("/checkin finished: python-basics", as_="ana")
    clock.set(WED_0700 + timedelta(days=5))  # Monday: it closed on Sunday
    reply = await cohort("/group checkins", as_="ana")
    assert [plain_text(f.name) for f in reply.fields] == ["ana"]
    clock.set(WED_0700 + timedelta(days=9, hours=12))  # the next one is open, still empty
    empty = await cohort("/group checkins", as_="ana")
    assert plain_text(empty.body).startswith("0 check-ins for the week that closes")
