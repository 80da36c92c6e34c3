"""Input that used to end in "something went wrong ... error id", or that slipped through:
look-alike digits, control characters, scores that are not numbers, timezones that are
not places, and Kaggle links that are not what they seem. Each gets a short answer saying
what is right, and nothing is stored."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.models import Checkin, Group, KaggleAttempt, Member, ProgressEvent
from bot.errors import UserError
from bot.markup import plain_text
from bot.roadmap.kaggle import load_challenges
from bot.services import kaggle
from tests.conftest import Cohort


async def _member(cohort: Cohort, name: str) -> Member:
    async with cohort.app.sessions() as session:
        member = await session.scalar(select(Member).where(Member.platform_user_id == f"u-{name}"))
    assert member is not None
    return member


async def _group_row(cohort: Cohort) -> Group:
    async with cohort.app.sessions() as session:
        found = await session.scalar(select(Group))
    assert found is not None
    return found


async def _attempts(cohort: Cohort) -> list[tuple[str, float | None]]:
    async with cohort.app.sessions() as session:
        rows = await session.execute(select(KaggleAttempt.url, KaggleAttempt.score))
    return [(url, score) for url, score in rows]


def _refused(reply_body: str, reply_is_error: bool) -> None:
    assert reply_is_error
    assert "error id" not in reply_body


# Look-alike digits: `str.isdigit` and `int` accept superscripts and other scripts' digits.


@pytest.mark.parametrize("hours", ["²-08", "22-⁰⁸", "２２-08", "٢٢-08"])
async def test_quiet_hours_take_only_plain_digits(cohort: Cohort, hours: str) -> None:
    await cohort("/me quiet 23-07")
    reply = await cohort(f"/me quiet {hours}")

    _refused(reply.body, reply.is_error)
    assert "isn't a range of hours. Use whole hours from 0 to 23, like `22-08`." in reply.body
    member = await _member(cohort, "ana")
    assert (member.quiet_start, member.quiet_end) == (23, 7), "unchanged"


@pytest.mark.parametrize(
    "line",
    [
        "/group schedule daily ²:00",
        "/group schedule daily 0⁹:00",
        "/group schedule daily ０９:００",
        "/group schedule checkin friday ¹⁷:00",
        "/group schedule kaggle weekly monday ١٠:٠٠",
    ],
)
async def test_schedule_times_take_only_plain_digits(group: Cohort, line: str) -> None:
    reply = await group(line, as_="boss")

    _refused(reply.body, reply.is_error)
    assert "is not a time I understand. Use 24-hour time, like `09:00` or `18:30`." in reply.body
    saved = await _group_row(group)
    assert (saved.daily_time, saved.checkin_time, saved.kaggle_time) == ("09:00", "17:00", "10:00")
    assert saved.kaggle_cadence == "weekly"


async def test_plain_times_and_hours_still_work(group: Cohort) -> None:
    daily = await group("/group schedule daily 7:05", as_="boss")
    quiet = await group("/me quiet 0-6")

    assert "The daily resource comes at 07:05 (" in daily.body
    assert "no DMs from 00:00 to 06:00" in quiet.body


@pytest.mark.parametrize("days", ["²", "1_0", "١٢", "７", "0x10", "7.0", "9" * 400])
async def test_vacation_days_are_plain_whole_numbers(cohort: Cohort, days: str) -> None:
    reply = await cohort(f"/me vacation {days}")

    _refused(reply.body, reply.is_error)
    assert "The days must be a whole number, like `7`." in reply.body


@pytest.mark.parametrize("days", [7.5, True, 2**70])
async def test_vacation_days_sent_as_typed_values(cohort: Cohort, days: int | bool) -> None:
    reply = await cohort.invoke("me vacation", {"days": days})  # type: ignore[dict-item]

    _refused(reply.body, reply.is_error)
    assert "The days must be" in reply.body


# Control characters: PostgreSQL text cannot hold NUL; none of them belongs in a note.


async def test_a_nul_in_a_member_name_is_refused_kindly(cohort: Cohort) -> None:
    reply = await cohort("/progress py\x00thon")

    _refused(reply.body, reply.is_error)
    assert reply.body == (
        "The member option has an invisible control character (U+0000) I can't keep. "
        "Type it again without it."
    )


@pytest.mark.parametrize(
    "options",
    [
        {"finished": "python-basics\x00"},
        {"next": "dev-tools", "blockers": "git \x1b[31m rebase"},
    ],
)
async def test_control_characters_in_a_checkin_save_nothing(
    group: Cohort, options: dict[str, str]
) -> None:
    typed = await group.invoke("checkin", dict(options))  # type: ignore[arg-type]
    line = await group("/checkin " + " ".join(f"{k}: {v}" for k, v in options.items()))

    for reply in (typed, line):
        _refused(reply.body, reply.is_error)
        assert "invisible control character" in reply.body
    async with group.app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Checkin)) == 0
    assert await group.statuses("ana") == {}


async def test_a_nul_in_a_note_leaves_the_step_as_it_was(cohort: Cohort) -> None:
    reply = await cohort("/done python-basics note: a quiz\x00 app")

    _refused(reply.body, reply.is_error)
    assert "The note option has an invisible control character (U+0000)" in reply.body
    assert await cohort.statuses("ana") == {}
    assert await cohort.event_count() == 0


async def test_tabs_newlines_and_emoji_are_fine_in_notes(group: Cohort) -> None:
    reply = await group.invoke("checkin", {"finished": "python-basics\n\tand a quiz app 🎉"})
    assert not reply.is_error, reply.body
    assert "Thanks for checking in!" in reply.body


# Scores: finite, between -1,000,000 and 1,000,000.

NOTEBOOK = "https://www.kaggle.com/code/ana/titanic-first-try"


@pytest.mark.parametrize(
    ("score", "says"),
    [
        ("inf", "The score must be a number, like `6` or `2.5`."),
        ("-Infinity", "The score must be a number, like `6` or `2.5`."),
        ("NaN", "The score must be a number, like `6` or `2.5`."),
        ("1e309", "The score must be between -1000000 and 1000000."),
        ("-1e309", "The score must be between -1000000 and 1000000."),
        ("2000000", "The score must be between -1000000 and 1000000."),
        ("0.7²", "The score must be a number, like `6` or `2.5`."),
    ],
)
async def test_scores_that_are_not_ordinary_numbers_are_refused(
    group: Cohort, score: str, says: str
) -> None:
    line = await group(f"/kaggle submit {NOTEBOOK} {score}")
    typed = await group.invoke("kaggle submit", {"url": NOTEBOOK, "score": score})

    for reply in (line, typed):
        _refused(reply.body, reply.is_error)
        assert says in reply.body
    assert await _attempts(group) == []


async def test_ordinary_scores_are_kept(group: Cohort) -> None:
    await group(f"/kaggle submit {NOTEBOOK} 0,77")
    # A dataset challenge has no metric of its own: any score within the limits is kept.
    await group(f"/kaggle submit {NOTEBOOK} -1e6 challenge:credit-card-fraud", as_="ben")
    await group(f"/kaggle submit {NOTEBOOK} 1.5e-05", as_="cy")

    assert sorted(score for _, score in await _attempts(group)) == [-1e6, 1.5e-05, 0.77]


# Timezones: `localtime` and `Factory` are files in the tz database, not places.


@pytest.mark.parametrize("name", ["localtime", "Factory", "factory"])
async def test_timezones_that_are_not_places_are_refused(cohort: Cohort, name: str) -> None:
    await cohort("/me timezone Asia/Tokyo")
    mine = await cohort(f"/me timezone {name}")
    cohort.admins.add("boss")
    setup = await cohort(f"/group setup ml-engineer {name}", as_="boss")

    for reply in (mine, setup):
        _refused(reply.body, reply.is_error)
        assert f"`{name}` is not a timezone I know." in reply.body
        assert "Use an IANA name like `Europe/Berlin`" in reply.body
    assert (await _member(cohort, "ana")).timezone == "Asia/Tokyo"
    show = await cohort("/group show")
    assert "isn't a study group yet" in show.body, "the refused setup created no group"


async def test_the_timezone_suggestions_offer_no_such_names(cohort: Cohort) -> None:
    offered = await cohort.app.dispatcher.suggest(
        "me timezone", "timezone", "local", place=cohort.place
    )
    factory = await cohort.app.dispatcher.suggest(
        "me timezone", "timezone", "Factor", place=cohort.place
    )
    assert all("localtime" not in s.value for s in offered)
    assert all("Factory" not in s.value for s in factory)


# Kaggle links: parsed strictly, stored and shown in their normalised form.


@pytest.mark.parametrize(
    "url",
    [
        "https://www.kaggle.com/x)**[phish](https://evil.example)",
        "https://www.kaggle.com/code/ana/t)**[phish](https://evil.example)",
        "https://www.kaggle.com/competitions/titanic/../../evil",
        "https://www.kaggle.com/code/ana/titanic?next=https://evil.example/x",
        "https://www.kaggle.com/x",
        "https://www.kaggle.com/competitions/titanic/anything-else",
    ],
)
async def test_kaggle_pages_of_the_wrong_shape_are_refused(group: Cohort, url: str) -> None:
    reply = await group(f"/kaggle submit {url} 0.7")

    _refused(reply.body, reply.is_error)
    assert reply.ephemeral, "nothing is posted to the channel"
    assert reply.body.startswith(
        "That Kaggle link doesn't lead to a competition, notebook or dataset."
    )
    assert "evil" not in reply.body
    assert await _attempts(group) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://user@www.kaggle.com/competitions/titanic",
        "https://www.kaggle.com:8443/competitions/titanic",
        "https://kaggle.com.evil.example/competitions/titanic",
        "https://evil.kaggle.com/competitions/titanic",
        "ftp://www.kaggle.com/competitions/titanic",
        "javascript:alert(1)//www.kaggle.com/code/a/b",
        "www.kaggle.com/code/ana/titanic",
    ],
)
async def test_links_that_are_not_kaggle_are_refused(group: Cohort, url: str) -> None:
    reply = await group(f"/kaggle submit {url}")

    _refused(reply.body, reply.is_error)
    assert "isn't a Kaggle link. Share your notebook or submission, like" in reply.body
    assert await _attempts(group) == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://www.kaggle.com/code/ana/titanic-first-try", NOTEBOOK),
        (
            "http://kaggle.com/code/ana/titanic-first-try/notebook?scriptVersionId=123#cell-4",
            "https://www.kaggle.com/code/ana/titanic-first-try/notebook",
        ),
        (
            "HTTPS://WWW.KAGGLE.COM/c/titanic/Leaderboard/",
            "https://www.kaggle.com/competitions/titanic/leaderboard",
        ),
        (
            "https://www.kaggle.com/competitions/titanic/submissions",
            "https://www.kaggle.com/competitions/titanic/submissions",
        ),
        (
            "https://www.kaggle.com/datasets/ana/titanic-cleaned",
            "https://www.kaggle.com/datasets/ana/titanic-cleaned",
        ),
    ],
)
async def test_kaggle_links_are_stored_and_shown_normalised(
    group: Cohort, typed: str, stored: str
) -> None:
    reply = await group(f"/kaggle submit {typed} 0.8")

    assert not reply.is_error, reply.body
    assert f"[See the attempt]({stored})" in reply.body
    assert await _attempts(group) == [(stored, 0.8)]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (
            "https://www.kaggle.com/competitions/spaceship-titanic",
            "That link is for Spaceship Titanic, not Titanic: Machine Learning from Disaster.",
        ),
        (
            "https://www.kaggle.com/c/some-other-contest/leaderboard",
            "That link is for the `some-other-contest` competition, not Titanic: Machine "
            "Learning from Disaster.",
        ),
    ],
)
async def test_a_link_to_another_challenge_is_refused(group: Cohort, url: str, says: str) -> None:
    shown = await group("/kaggle")
    reply = await group(f"/kaggle submit {url} 0.8")

    assert "Titanic: Machine Learning from Disaster" in shown.body, "this week's challenge"
    _refused(reply.body, reply.is_error)
    assert says in reply.body
    assert await _attempts(group) == []


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (
            "https://www.kaggle.com/datasets/someone/another-fraud-set",
            "That link is for the `another-fraud-set` dataset, not Credit Card Fraud Detection.",
        ),
        (
            "https://www.kaggle.com/competitions/titanic",
            "That link is for Titanic: Machine Learning from Disaster, not Credit Card Fraud "
            "Detection.",
        ),
    ],
)
def test_a_dataset_challenge_takes_only_its_own_dataset(
    cohort: Cohort, url: str, says: str
) -> None:
    catalogue = cohort.app.catalog.challenges
    fraud = catalogue.get("credit-card-fraud")
    assert fraud is not None

    with pytest.raises(UserError, match=re.escape(says)):
        kaggle.attempt_link(url, fraud, catalogue)
    own = kaggle.attempt_link(
        "https://kaggle.com/datasets/mlg-ulb/creditcardfraud/data", fraud, catalogue
    )
    notebook = kaggle.attempt_link("https://www.kaggle.com/code/ana/fraud-xgb", fraud, catalogue)
    assert own.url == "https://www.kaggle.com/datasets/mlg-ulb/creditcardfraud/data"
    assert notebook.url == "https://www.kaggle.com/code/ana/fraud-xgb"


def test_a_challenge_whose_url_is_not_its_kaggle_page_is_reported(tmp_path: Path) -> None:
    (tmp_path / "kaggle").mkdir()
    (tmp_path / "kaggle" / "mine.yaml").write_text(
        "challenges:\n"
        "  - {id: t, title: T, kind: competition, url: 'https://example.com/competitions/t',\n"
        "     phases: [core-ml], skills: [s], summary: s}\n"
        "  - {id: d, title: D, kind: dataset, url: 'https://www.kaggle.com/competitions/t',\n"
        "     phases: [core-ml], skills: [s], summary: s}\n",
        encoding="utf-8",
    )
    catalogue, problems = load_challenges(tmp_path)

    assert catalogue.challenges == []
    assert [(where, message.split(",")[0]) for _, where, message in problems] == [
        (
            "challenges.0",
            "url 'https://example.com/competitions/t' is not a Kaggle competition page",
        ),
        (
            "challenges.1",
            "url 'https://www.kaggle.com/competitions/t' is not a Kaggle dataset page",
        ),
    ]


# Input echoed back in an error stays inside its code span.


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("/me timezone Europe/Ber`lin**x**", "Europe/Berˋlin**x** is not a timezone I know."),
        ("/me privacy hid`den", "hidˋden is not a privacy I know."),
        ("/d`one python-basics", "There's no /dˋone command."),
        ("/group schedule daily 0`9:00", "0ˋ9:00 is not a time I understand."),
        ("/kaggle submit ht`tps://evil.example", "htˋtps://evil.example isn't a Kaggle link."),
    ],
)
async def test_a_backtick_in_the_input_cannot_end_the_code_span(
    group: Cohort, line: str, shown: str
) -> None:
    reply = await group(line, as_="boss")

    _refused(reply.body, reply.is_error)
    assert reply.body.count("`") % 2 == 0, reply.body
    assert shown in plain_text(reply.body)


async def test_an_unknown_option_name_is_quoted_safely(cohort: Cohort) -> None:
    reply = await cohort.invoke("next", {"col`our": "blue"})

    _refused(reply.body, reply.is_error)
    assert "`/next` has no option `colˋour`." in reply.body


async def test_nothing_refused_here_wrote_an_event(group: Cohort) -> None:
    for line in ("/done python-basics note: \x00", "/start pyth\x00on-basics", "/skip ²"):
        reply = await group(line)
        _refused(reply.body, reply.is_error)
    async with group.app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ProgressEvent)) == 0
