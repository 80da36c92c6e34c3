"""A weekly summary worth reading, at any size: whole names and whole words, long lists
ending in "and N more", blockers matched to the steps they are about."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.markup import plain_text
from bot.messages import Reply
from bot.roadmap.loader import SHIPPED_CONTENT_DIR, load_catalog
from bot.services.checkins import is_blocker, steps_about
from tests.scheduler.conftest import Desk

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)
FRI_PROMPT = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
SUN_SUMMARY = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
MORE = re.compile(r"and (\d+) more (\w+)s?$")
BLOCKER = (
    "stuck on eigenvectors and what they mean for a covariance matrix; I have watched the "
    "videos twice, worked the exercises by hand, asked a friend, and still cannot see why "
    "the directions matter for principal components. Any pointers to an explanation that "
    "starts from pictures rather than proofs would be very welcome, as would a study buddy "
    "for the weekend, since the deadline for my own project is coming up fast and I keep "
    "going round in circles on the same three pages of notes."
)


def _name(i: int) -> str:
    return f"Learner {i:02d} of the evening study circle"


def _fields(reply: Reply) -> dict[str, str]:
    return {plain_text(f.name): plain_text(f.value) for f in reply.fields}


def _field(fields: dict[str, str], prefix: str) -> tuple[str, str]:
    return next((name, value) for name, value in fields.items() if name.startswith(prefix))


def _more(line: str) -> int:
    found = MORE.search(line)
    assert found, line
    return int(found[1])


async def test_a_summary_of_sixty_learners_stays_whole_and_counts_right(desk: Desk) -> None:
    desk.clock.set(WED_0700)
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    names = {_name(i) for i in range(60)}
    hidden = {_name(i) for i in range(55, 60)}
    for i in range(60):
        who = _name(i)
        await desk.cohort(f"/log {30 + i}m", as_=who)
        if who in hidden:
            await desk.cohort("/me privacy hidden", as_=who)
        if i < 10:  # these could help with linear algebra
            await desk.cohort("/done linear-algebra", as_=who)
    desk.clock.set(FRI_PROMPT + timedelta(hours=1))
    for i in range(40, 60):  # 40..54 visible, 55..59 hidden
        await desk.cohort(f"/checkin blockers: {BLOCKER}", as_=_name(i))
    for i in range(10):
        await desk.cohort("/checkin blockers: none", as_=_name(i))
    await desk.run_until(SUN_SUMMARY)
    [summary] = desk.poster.titled("📊")
    reply = summary.reply
    fields = _fields(reply)

    every = [reply.title, reply.body, *(f.name for f in reply.fields)]
    every += [f.value for f in reply.fields]
    assert all(len(f.value) <= 1024 for f in reply.fields)
    assert sum(len(text) for text in every) <= 6000, "Discord's limit for a whole embed"

    # One line per learner, most active first, whole names; the rest counted.
    name, value = _field(fields, "Who studied")
    assert name == "Who studied (60)"
    lines = value.splitlines()
    assert lines[-1] == "and 5 members privately"
    shown = [line.split(" · ")[0] for line in lines[:-2]]
    assert set(shown) <= names - hidden
    assert shown[:3] == [_name(i) for i in (9, 8, 7)], "a step and the most hours first"
    assert len(shown) + _more(lines[-2]) == 55

    # Checked in: 30 of 60, counted whole, five of them privately.
    name, value = _field(fields, "Checked in")
    assert name == "Checked in (30 of 60, 5 privately)"
    shown, _, where = value.partition("\n")
    assert where == "/group checkins shows every answer."
    listed, _, tail = shown.partition(" and ")
    assert set(listed.split(", ")) <= names - hidden
    assert tail.endswith("more members (5 privately)")
    assert len(listed.split(", ")) + int(tail.split()[0]) == 30
    name, value = _field(fields, "Didn't check in")
    assert name == "Didn't check in (30)"
    listed, _, tail = value.partition(" and ")
    assert set(listed.split(", ")) <= names - hidden
    assert len(listed.split(", ")) + int(tail.split()[0]) == 30

    # Blockers: "none" is none; long ones end at a whole word; helpers are named.
    lines = fields["Blockers"].splitlines()
    assert lines.pop() == "/group checkins shows every answer."
    assert lines[-1] == "and 5 blockers privately"
    for line in lines[:-2]:
        who, _, said = line.partition(": ")
        assert who in names - hidden
        text, _, rest = said.partition(" (")
        about, _, helpers = rest.partition(") · can help: ")
        assert about == "Linear algebra, Probability and statistics"  # eigen-, covariance
        assert text.endswith("…")
        assert BLOCKER.startswith(text.removesuffix("…"))
        assert not BLOCKER[len(text) - 1].isalnum(), "cut between words"
        assert helpers == f"{_name(0)}, {_name(1)}, {_name(2)} and 7 more"
    assert len(lines) - 2 + _more(lines[-2]) == 15


async def test_a_blocker_is_offered_helpers_who_finished_its_step_but_not_its_author(
    desk: Desk,
) -> None:
    desk.clock.set(WED_0700)
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")
    for who in ("ana", "ben", "quinn"):
        await desk.cohort("/done calculus-optimization", as_=who)
    await desk.cohort("/me privacy hidden", as_="quinn")
    desk.clock.set(FRI_PROMPT + timedelta(hours=1))
    await desk.cohort("/checkin blockers: my gradiant descent diverges", as_="ana")
    await desk.cohort("/checkin blockers: n/a", as_="ben")
    await desk.cohort("/checkin blockers: -", as_="cy")
    await desk.run_until(SUN_SUMMARY)
    [summary] = desk.poster.titled("📊")
    assert _fields(summary.reply)["Blockers"] == (
        "ana: my gradiant descent diverges (Calculus and optimisation) · can help: ben"
    )


CATALOG = load_catalog(SHIPPED_CONTENT_DIR)


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("stuck on eigenvectors", ["linear-algebra"]),
        ("Stuck on EIGENVALUES", ["linear-algebra"]),
        ("git rebase in dev-tools confuses me", ["dev-tools"]),
        ("lost in Linear Algebra", ["linear-algebra"]),
        ("backprop makes no sense", ["neural-networks"]),
        ("pandas groupby", ["python-data-stack"]),
        ("Bayes theorem", ["probability-statistics"]),
        ("my laptop broke", []),
    ],
)
def test_a_blocker_is_matched_to_the_steps_it_is_about(text: str, steps: list[str]) -> None:
    assert [p.id for p in steps_about(CATALOG.default, text)] == steps


@pytest.mark.parametrize(
    "text", ["none", "None.", "-", "n/a", "N/A", "nothing", "no", "nope", "  ", "—", "no blockers"]
)
def test_empty_answers_are_not_blockers(text: str) -> None:
    assert not is_blocker(text)


def test_a_short_blocker_is_a_blocker() -> None:
    assert is_blocker("no time this week")
    assert is_blocker("SQL")
