"""Four weeks of one study group, scripted: an organiser in Berlin and six members in
Tokyo, Los Angeles, Kolkata, New York, Sydney and London (a fast one, steady ones, one
who goes quiet, one on vacation, one who skips steps). The transcript is checked for what
the group relies on: streaks and forecasts that match what people did, DMs only to those
who should get them, posts matched to the group."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.bootstrap import App, accountability_engine, build_app
from bot.clock import ManualClock
from bot.db.models import Member
from bot.markup import plain_text
from bot.messages import Reply
from bot.settings import Settings
from tests.conftest import Cohort, module_database
from tests.scheduler.conftest import Desk, RecordingPoster

SETUP = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)  # Saturday 10:00 in Berlin
DAYS = 28
ZONES = {
    "kenji": "Asia/Tokyo",  # fast: four hours every evening, a step every other day
    "lucia": "America/Los_Angeles",  # steady: an hour every evening
    "priya": "Asia/Kolkata",  # tells her hours in the weekly check-in only
    "nate": "America/New_York",  # studies the first four days, then goes quiet
    "sam": "Australia/Sydney",  # ten days of vacation in the middle
    "leo": "Europe/London",  # skips steps, logs an hour or an hour and a half a day
}
PRIYA_HOURS = (20, 25, 22, 23)


@dataclass(frozen=True)
class Line:
    at: datetime
    who: str
    command: str


def _local(day: int, hour: int, zone: str, minute: int = 0) -> datetime:
    local_day = (SETUP + timedelta(days=day)).date()
    return datetime.combine(local_day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _script(path: list[str]) -> list[Line]:
    lines = [Line(SETUP, "olga", "/group setup ml-engineer Europe/Berlin")]
    lines += [
        Line(SETUP + timedelta(minutes=5 + i), who, f"/me timezone {zone}")
        for i, (who, zone) in enumerate(ZONES.items())
    ]
    lines.append(Line(SETUP + timedelta(minutes=20), "lucia", "/next"))
    lines.append(Line(SETUP + timedelta(minutes=21), "kenji", "/progress"))
    steps = iter(path)
    for day in range(DAYS):
        lines.append(Line(_local(day, 21, ZONES["kenji"]), "kenji", "/log 4h"))
        if day % 2 == 1:
            lines.append(Line(_local(day, 21, ZONES["kenji"], 5), "kenji", f"/done {next(steps)}"))
        lines.append(Line(_local(day, 20, ZONES["lucia"]), "lucia", "/log 1h"))
        if day < 4:
            lines.append(Line(_local(day, 20, ZONES["nate"]), "nate", "/log 2h python-basics"))
        if day < 7 or day >= 17:
            lines.append(Line(_local(day, 19, ZONES["sam"]), "sam", "/log 1h"))
        leo = "1h" if day % 2 else "1h30"
        lines.append(Line(_local(day, 19, ZONES["leo"]), "leo", f"/log {leo}"))
        if day in (6, 13, 20, 27):  # Fridays, before the check-in closes on Sunday
            week = (day - 6) // 7
            blockers = "stuck on eigenvectors" if week == 1 else "none"
            lines.append(
                Line(
                    _local(day, 19, ZONES["priya"]),
                    "priya",
                    f"/checkin hours: {PRIYA_HOURS[week]} blockers: {blockers}",
                )
            )
            lines.append(
                Line(_local(day, 22, ZONES["kenji"]), "kenji", "/checkin next: more blockers: -")
            )
    lines += [
        Line(_local(2, 19, ZONES["leo"], 30), "leo", "/done python-basics"),
        Line(_local(2, 19, ZONES["leo"], 31), "leo", "/skip dev-tools"),
        Line(_local(9, 19, ZONES["leo"], 30), "leo", "/skip calculus-optimization"),
        Line(_local(7, 8, ZONES["sam"]), "sam", "/me vacation 10"),
        Line(_local(20, 21, ZONES["lucia"]), "lucia", "/done python-basics"),
        Line(_local(15, 12, "Europe/Berlin"), "olga", "/leaderboard week"),
        Line(_local(15, 12, "Europe/Berlin", 1), "olga", "/leaderboard month"),
        Line(_local(26, 12, "Europe/Berlin"), "olga", "/leaderboard week streak"),
        Line(
            _local(26, 12, "Europe/Berlin", 5),
            "leo",
            "/kaggle submit https://www.kaggle.com/code/leo/titanic-try 1e9 challenge:titanic",
        ),
        Line(
            _local(26, 12, "Europe/Berlin", 6),
            "leo",
            "/kaggle submit https://www.kaggle.com/competitions/titanic 0.8 "
            "challenge:spaceship-titanic",
        ),
    ]
    end = SETUP + timedelta(days=DAYS, hours=2)
    lines += [Line(end, who, "/progress") for who in ZONES]
    return sorted(lines, key=lambda line: line.at)


@dataclass
class Transcript:
    replies: list[tuple[Line, Reply]]
    poster: RecordingPoster

    def reply(self, who: str, command: str) -> Reply:
        return next(r for line, r in self.replies if line.who == who and line.command == command)

    def last(self, who: str, command: str) -> Reply:
        return [r for line, r in self.replies if line.who == who and line.command == command][-1]

    def dms(self, who: str) -> list[tuple[datetime, str]]:
        return [(p.at, p.reply.title) for p in self.poster.sent if p.to == who]

    def posts(self, prefix: str) -> list[tuple[datetime, Reply]]:
        return [
            (p.at, p.reply) for p in self.poster.sent if p.to is None and p.kind.startswith(prefix)
        ]


# The month is played once and every test below reads its transcript.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def month_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with module_database(request, tmp_path_factory.mktemp("month")) as url:
        yield url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def played(month_db: str) -> AsyncIterator[tuple[App, Transcript]]:
    clock = ManualClock(SETUP)
    app = await build_app(Settings(database_url=month_db), clock=clock)
    cohort = Cohort(app, admins={"olga"})
    poster = RecordingPoster(clock)
    desk = Desk(cohort, accountability_engine(app, poster, instance="test"), poster, clock)
    path = [p.id for p in app.catalog.default.steps if not p.step.optional]
    replies = []
    for line in _script(path):
        await desk.run_until(line.at)
        replies.append((line, await cohort(line.command, as_=line.who)))
    await desk.run_until(SETUP + timedelta(days=DAYS, hours=3))
    yield app, Transcript(replies, poster)
    await app.close()


@pytest.fixture
def month(played: tuple[App, Transcript]) -> Transcript:
    return played[1]


@pytest.fixture
def app(played: tuple[App, Transcript]) -> App:
    return played[0]


def _field(reply: Reply, name: str) -> str:
    return plain_text({plain_text(f.name): f.value for f in reply.fields}[name])


def _fields(reply: Reply) -> dict[str, str]:
    return {plain_text(f.name): plain_text(f.value) for f in reply.fields}


async def test_streaks_follow_study_days_and_a_vacation_does_not_lead(month: Transcript) -> None:
    board = plain_text(month.reply("olga", "/leaderboard week streak").body).splitlines()
    assert not any("No one has a streak" in line for line in board)
    leaders = [line for line in board if line.startswith("🥇")]
    assert {re.search(r"\*?(\w+)\*? · ", line)[1] for line in leaders} <= {"kenji", "lucia", "leo"}  # type: ignore[index]
    assert any("lucia" in line and "26 days" in line for line in board), board
    assert any("sam" in line for line in board[len(leaders) :])
    steady = plain_text(month.last("lucia", "/progress").body)
    assert "🔥 28 days streak · 🧊 2 freezes held" in steady


async def test_forecasts_match_the_hours_people_studied(month: Transcript) -> None:
    first_day = _field(month.reply("kenji", "/progress"), "Forecast")
    assert first_day.startswith("Not enough data yet")
    assert "four weeks" not in first_day
    assert "about 28 h a week" in _field(month.last("kenji", "/progress"), "Forecast")
    assert "about 7 h a week" in _field(month.last("lucia", "/progress"), "Forecast")
    # Priya told 20, 25, 22 and 23 hours in her check-ins, each for the week before it.
    priya = _field(month.last("priya", "/progress"), "Forecast")
    assert "about 22 h a week (your last four weeks: 20, 25, 22, 23 h)" in priya
    leo = _field(month.last("leo", "/progress"), "Forecast")
    pace = int(re.search(r"about (\d+) h a week", leo)[1])  # type: ignore[index]
    assert 6 <= pace <= 9
    assert "optional steps you haven't started (specialisations, certifications)" in leo


async def test_only_learners_get_dms_and_the_last_nudge_is_last(month: Transcript) -> None:
    assert month.dms("olga") == [], "the organiser never studied: no reminders, no nudges"
    nate = month.dms("nate")
    nudges = [at for at, title in nate if title.startswith("👋")]
    assert len(nudges) == 2
    assert all(at <= nudges[-1] for at, _ in nate), "nothing after the last nudge"
    last = [p.reply for p in month.poster.sent if p.to == "nate" and p.kind.startswith("👋")][-1]
    assert "last nudge" in last.body
    assert not [
        at
        for at, title in month.dms("sam")
        if title.startswith("⏰") and at < SETUP + timedelta(days=17)
    ]
    per_day = Counter(
        (p.to, p.at.astimezone(ZoneInfo(ZONES.get(p.to or "", "UTC"))).date())
        for p in month.poster.sent
        if p.to is not None and not p.kind.startswith("🍅")
    )
    assert max(per_day.values()) == 1, "at most one scheduled DM a day"


async def test_a_group_set_up_on_saturday_starts_with_the_next_checkin(month: Transcript) -> None:
    setup = plain_text(month.reply("olga", "/group setup ml-engineer Europe/Berlin").body)
    assert "first check-in opens Friday 27 Nov at 17:00" in setup
    first_prompt = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    early = [p for p in month.poster.sent if p.at < first_prompt and p.kind[:1] in {"⏰", "📊"}]
    assert early == []
    summaries = month.posts("📊")
    assert [at.date() for at, _ in summaries] == [
        date(2026, 11, 29),
        date(2026, 12, 6),
        date(2026, 12, 13),
    ]
    assert not any("Nobody this week" in plain_text(str(_fields(r))) for _, r in summaries)


async def test_the_weekly_summary_counts_learners_and_matches_blockers(month: Transcript) -> None:
    _, second = month.posts("📊")[1]  # Sunday 6 December: sam is away, olga organises
    fields = _fields(second)
    checked = next(name for name in fields if name.startswith("Checked in"))
    assert checked == "Checked in (2 of 5)"
    blockers = fields["Blockers"]
    assert "priya: stuck on eigenvectors" in blockers
    assert "can help: kenji" in blockers
    assert "kenji:" not in blockers, "'-' is no blocker"


async def test_posts_are_matched_to_where_the_learners_are(month: Transcript, app: App) -> None:
    track = app.catalog.default
    daily = [r for _, r in month.posts("📚")]
    phases = Counter(r.title.split(" · ")[1] for r in daily)
    assert phases["Foundations"] > phases["Core machine learning"] > 0, phases
    for phase in track.phases:
        pool = sum(len(step.resources) for step in phase.steps)
        shown = [r.body for r in daily if r.title.endswith(phase.title)][:pool]
        assert len(set(shown)) == len(shown), f"{phase.title}: a repeat before the pool is used"
    near = {track.phases[0].id, track.phases[1].id, track.phases[2].id}
    prompts = [r for _, r in month.posts("🏁")]
    catalogue = app.catalog.challenges
    for prompt in prompts:
        challenge = next(c for c in catalogue.challenges if c.title in plain_text(prompt.body))
        assert set(challenge.phases) & near, challenge.id
    first = _field(month.reply("lucia", "/next"), "Start with")
    assert "free" in first
    assert "Python for Everybody" in first


async def test_leaderboards_kaggle_and_defaults(month: Transcript, app: App) -> None:
    week = plain_text(month.reply("olga", "/leaderboard week").body)
    thirty = plain_text(month.reply("olga", "/leaderboard month").body)
    total = lambda text: sum(int(n) for n in re.findall(r"· (\d+) steps?", text))  # noqa: E731
    assert total(thirty) >= total(week) > 0
    huge = month.reply(
        "leo", "/kaggle submit https://www.kaggle.com/code/leo/titanic-try 1e9 challenge:titanic"
    )
    assert huge.is_error
    assert "score" in huge.body
    wrong = next(r for line, r in month.replies if "challenge:spaceship-titanic" in line.command)
    assert wrong.is_error
    assert "not Spaceship Titanic" in wrong.body
    async with app.sessions() as session:
        olga = await session.scalar(select(Member).where(Member.display_name == "olga"))
    assert olga is not None
    assert olga.timezone == "Europe/Berlin", "the group's, not UTC"
